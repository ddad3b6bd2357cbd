"""Policy (缺政策), part two: party inspections of league affairs (团务巡察) and rectification.

Units inspected = distinct inspected units with an inspection date in the scope's
years (a unit inspected in two rounds counts once). The rectification rate is the
findings of rows marked rectified ÷ all findings (a ratio of sums). Inspections
are a district programme: the township filter does not apply.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics import charts
from metrics.base import AreaPage, Kpi, Measure, Query, Scope, as_reported, ratio
from reform import i18n
from reform.config import Config
from reform.datasets import INSPECTIONS

AREA = "policy"
DATASET = "inspections"  # the dataset its figures are measured from


def rows(q: Query, scope: Scope) -> pd.DataFrame:
    return q.df(
        """SELECT unit_name, unit_type, township, round, inspected_on, issues_found, rectification, org_established
           FROM current_inspections WHERE inspected_on BETWEEN ? AND ? ORDER BY round, unit_name""",
        [scope.start, scope.end],
    )


def units_inspected(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Distinct units inspected in the scope's years (one aggregate in SQL, however many rows)."""
    frame = q.df(
        """SELECT count(DISTINCT unit_name) AS units, count(*) AS n, max(inspected_on) AS last
           FROM current_inspections WHERE inspected_on BETWEEN ? AND ?""",
        [scope.start, scope.end],
    )
    if not int(frame.at[0, "n"]):
        return Measure(None)
    return Measure(float(frame.at[0, "units"]), as_of=str(frame.at[0, "last"])[:10])


def rectification_rate(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Findings of rectified rows ÷ all findings (a ratio of sums, in SQL)."""
    frame = q.df(
        """SELECT count(*) AS n, coalesce(sum(issues_found) FILTER (WHERE rectification = 'done'), 0) AS done,
                  coalesce(sum(issues_found), 0) AS total, max(inspected_on) AS last
           FROM current_inspections WHERE inspected_on BETWEEN ? AND ?""",
        [scope.start, scope.end],
    )
    if not int(frame.at[0, "n"]):
        return Measure(None)
    done, total, as_of = float(frame.at[0, "done"]), float(frame.at[0, "total"]), str(frame.at[0, "last"])[:10]
    if total == 0:
        return Measure(1.0, 0.0, 0.0, as_of)  # nothing found, nothing to rectify
    return ratio(done, total, as_of)


KPIS = (
    Kpi("units_inspected", AREA, "count", units_inspected, "units_inspected", noun="noun.units"),
    Kpi("rectification_rate", AREA, "ratio", rectification_rate, "rectification_rate"),
)


def by_round(frame: pd.DataFrame) -> pd.DataFrame:
    """Per round: units, new units, cumulative distinct units, findings by rectification status."""
    out = []
    seen: set[str] = set()
    for number, part in frame.groupby("round", sort=True):
        names = set(part["unit_name"])
        new = names - seen
        seen |= names
        findings = part.groupby("rectification")["issues_found"].sum()
        out.append(
            {
                "round": int(number),
                "units": len(names),
                "new_units": len(new),
                "cumulative": len(seen),
                **{status: int(findings.get(status, 0)) for status in ("done", "in_progress", "not_started")},
            }
        )
    return pd.DataFrame(
        out, columns=["round", "units", "new_units", "cumulative", "done", "in_progress", "not_started"]
    )


PAGE = AreaPage(
    ":material/policy:",
    2,
    "established",
    ("unit_name", "unit_type", "round", "inspected_on", "issues_found", "rectification"),
)  # menu icon, charts per row, details behind a switch

FIGURES = ("by_round", "by_type", "rectification")  # the names of figures(), usable as slides: chart:<area>.<name>


def tables(q: Query, cfg: Config, scope: Scope) -> dict[str, pd.DataFrame]:
    scope = as_reported(q, cfg, scope, DATASET)  # as of this dataset's latest reported period
    frame = rows(q, scope)
    types = frame.drop_duplicates("unit_name").groupby("unit_type", as_index=False).size()
    established = frame[frame["org_established"].fillna(False).astype(bool)].drop_duplicates("unit_name")
    return {"rows": frame, "by_round": by_round(frame), "by_type": types, "established": established}


def figures(data: dict[str, pd.DataFrame], cfg: Config, lang: str) -> dict[str, go.Figure]:
    rounds = data["by_round"].assign(label=lambda f: [i18n.t("chart.round_label", lang, round=r) for r in f["round"]])
    fig_rounds = charts.grouped_bars(
        rounds,
        "label",
        {"new_units": i18n.t("chart.new_units", lang)},
        i18n.t("chart.inspected_by_round", lang),
        palette=cfg.palette,
        axis_title=i18n.t("chart.units", lang),
    )
    fig_rounds.add_scatter(
        x=rounds["label"],
        y=rounds["cumulative"],
        name=i18n.t("chart.cumulative", lang),
        mode="lines+markers+text",
        text=rounds["cumulative"],
        textposition="top center",
        line={"color": charts.colour("cumulative", cfg.palette), "width": 3},
    )
    target = cfg.targets["units_inspected"].target
    charts.integer_axis(fig_rounds, "y", max([target, *rounds["cumulative"].fillna(0)]))
    charts.target_line(fig_rounds, target, lang)
    unit_type = INSPECTIONS.column("unit_type")
    types = data["by_type"]
    fig_types = charts.donut(
        {t: i18n.choice(unit_type, t, lang) for t in types["unit_type"]},
        list(types["size"]),
        i18n.t("chart.inspected_by_type", lang),
        lang,
        palette=cfg.palette,
    )
    status = INSPECTIONS.column("rectification")
    fig_fix = charts.grouped_bars(
        rounds,
        "label",
        {s: i18n.choice(status, s, lang) for s in ("done", "in_progress", "not_started")},
        i18n.t("chart.rectification", lang),
        palette=cfg.palette,
        stacked=True,
        axis_title=i18n.t("chart.findings", lang),
    )
    return {"by_round": fig_rounds, "by_type": fig_types, "rectification": fig_fix}
