"""Policy (缺政策), part one: money. Per-capita youth funding and the reform pilot funds.

Per capita of a township and year = youth-development amount ÷ youth population
(the row's figure, else the configured one). Over several townships it is the
sum of amounts ÷ the sum of populations of the townships that reported — never a
mean of their ratios. A township that has not reported does not meet the standard.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics import charts
from metrics.base import EPSILON, AreaPage, Kpi, Measure, Query, Scope, as_reported, in_list, ratio
from reform import i18n
from reform.config import Config

AREA = "policy"
DATASET = "funding"  # the dataset its figures are measured from


def per_capita(q: Query, cfg: Config, scope: Scope, year: int | None = None) -> pd.DataFrame:
    """Per township in scope with a report for the year: amount, population, per capita."""
    towns = scope.towns(cfg)
    names, params = in_list(towns)
    frame = q.df(
        f"""SELECT township, CAST(sum(amount_yuan) AS DOUBLE) AS amount, max(youth_population) AS population
            FROM current_funding WHERE fund_type = 'youth_development' AND year = ? AND township IN {names}
            GROUP BY township""",
        [year or scope.last_year, *params],
    )
    configured = frame["township"].map(cfg.youth_population)
    frame["population"] = frame["population"].astype("Float64").fillna(configured.astype("Float64"))
    frame["per_capita"] = frame["amount"] / frame["population"]
    order = {t: i for i, t in enumerate(towns)}
    return frame.sort_values("township", key=lambda s: s.map(order)).reset_index(drop=True)


def _totals(q: Query, cfg: Config, scope: Scope) -> pd.Series:
    """The last year's youth development funds over the townships in scope, summed in SQL.

    A township's population is the one its report gives, else the configured one (passed in
    as two lists); ``met`` counts townships whose own per-capita figure meets the standard.
    """
    names, params = in_list(scope.towns(cfg))
    configured = [t for t in cfg.townships if t.youth_population]
    standard = cfg.targets["funding_per_capita"].target - EPSILON  # meets(): at least the target
    return q.df(
        f"""WITH conf AS (SELECT unnest(?::VARCHAR[]) AS township, unnest(?::BIGINT[]) AS configured),
                 f AS (SELECT township, CAST(sum(amount_yuan) AS DOUBLE) AS amount,
                              max(youth_population) AS population
                       FROM current_funding
                       WHERE fund_type = 'youth_development' AND year = ? AND township IN {names}
                       GROUP BY township),
                 p AS (SELECT amount, CAST(coalesce(population, configured) AS DOUBLE) AS population
                       FROM f LEFT JOIN conf USING (township))
            SELECT count(*) AS n, sum(amount) AS amount, sum(population) AS population,
                   count(*) FILTER (WHERE amount / population >= ?) AS met
            FROM p""",
        [[t.name for t in configured], [t.youth_population for t in configured], scope.last_year, *params, standard],
    ).iloc[0]


def _number(value: object) -> float | None:
    return None if pd.isna(value) else float(value)


def funding_per_capita(q: Query, cfg: Config, scope: Scope) -> Measure:
    totals = _totals(q, cfg, scope)
    if not int(totals["n"]):
        return Measure(None)
    return ratio(_number(totals["amount"]), _number(totals["population"]), str(scope.last_year))


def funding_coverage(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Townships whose own per-capita funding meets the standard ÷ townships in scope."""
    totals = _totals(q, cfg, scope)
    if not int(totals["n"]):
        return Measure(None)
    return ratio(int(totals["met"]), len(scope.towns(cfg)), str(scope.last_year))


def special_funds(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    """The district's reform pilot funds per year in scope, with growth on the year before."""
    frame = q.df(
        """SELECT year, CAST(sum(amount_yuan) AS DOUBLE) AS amount FROM current_funding
           WHERE fund_type = 'reform_pilot' AND township = ? AND year BETWEEN ? AND ? GROUP BY year ORDER BY year""",
        [cfg.committee, scope.first_year, scope.last_year],
    )
    frame["growth"] = frame["amount"].pct_change()
    return frame


def reform_pilot_funds(q: Query, cfg: Config, scope: Scope) -> Measure:
    frame = special_funds(q, cfg, scope)
    row = frame[frame["year"] == scope.last_year]
    return Measure(None) if row.empty else Measure(float(row["amount"].iloc[0]), as_of=str(scope.last_year))


KPIS = (
    Kpi(
        "funding_per_capita",
        AREA,
        "yuan_per_capita",
        funding_per_capita,
        "funding_per_capita",
        township_column="funding_per_capita",
    ),
    Kpi("funding_coverage", AREA, "share", funding_coverage, "funding_coverage", noun="noun.townships"),
    Kpi("reform_pilot_funds", AREA, "yuan", reform_pilot_funds, None, district_wide=True),
)


def by_year(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    rows = []
    for year in range(scope.first_year, scope.last_year + 1):
        m = funding_per_capita(q, cfg, scope.at_year(year))
        rows.append({"year": year, "per_capita": m.value})
    return pd.DataFrame(rows)


PAGE = AreaPage(
    ":material/payments:", 2, "per_capita", ("township", "amount", "population", "per_capita")
)  # menu icon, charts per row, details behind a switch

FIGURES = ("per_capita", "special_funds", "trend")  # the names of figures(), usable as slides: chart:<area>.<name>


def tables(q: Query, cfg: Config, scope: Scope) -> dict[str, pd.DataFrame]:
    scope = as_reported(q, cfg, scope, DATASET)  # as of this dataset's latest reported period
    towns = per_capita(q, cfg, scope)
    silent = [t for t in scope.towns(cfg) if t not in set(towns["township"])]
    every = towns.set_index("township").reindex(scope.towns(cfg)).reset_index(names="township")  # 未报 named
    return {
        "per_capita": every,
        "not_reported": pd.DataFrame({"township": silent}, dtype=object),
        "special": special_funds(q, cfg, scope),
        "by_year": by_year(q, cfg, scope),
    }


def _funds_label(amount: float, growth: float, lang: str) -> str:
    text = i18n.t("unit.wan_yuan", lang, value=charts.wan(amount))
    return text if pd.isna(growth) else f"{text} ({growth:+.0%})"


def figures(data: dict[str, pd.DataFrame], cfg: Config, lang: str) -> dict[str, go.Figure]:
    target = cfg.targets["funding_per_capita"]
    fig_towns = charts.township_bars(
        data["per_capita"][["township", "per_capita"]],
        "per_capita",
        i18n.t("chart.per_capita_by_township", lang),
        lang,
        target=target.target,
        amber=target.amber,
        text_format="{:.2f}",
        axis_title=i18n.t("chart.yuan_per_capita", lang),
    )
    special = data["special"]
    fig_special = go.Figure(
        go.Bar(
            x=special["year"].astype(str),
            y=special["amount"] / charts.WAN,  # money in 万元 on every chart
            marker_color=charts.colour("amount", cfg.palette),
            text=[_funds_label(a, g, lang) for a, g in zip(special["amount"], special["growth"], strict=True)],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig_special.update_yaxes(title=i18n.t("chart.wan_yuan", lang), rangemode="tozero", tickformat=",~f")
    fig_special.update_xaxes(type="category")
    charts.layout(fig_special, i18n.t("chart.special_funds", lang), legend=False)
    fig_trend = charts.trend(
        data["by_year"],
        "year",
        {"per_capita": i18n.t("chart.yuan_per_capita", lang)},
        i18n.t("chart.funding_trend", lang),
        lang,
        target=target.target,
    )
    return {"per_capita": fig_towns, "special_funds": fig_special, "trend": fig_trend}
