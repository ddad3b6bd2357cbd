"""How old the figures are: the data period every view states (数据截至), and the reports overdue.

"数据截至" names the periods the figures are of, never an upload time (a leader reads a time as
"data as of today"). When reports are overdue, the overview, every slide's footer and the big
screen say so plainly: 2026年第一至三季度报表尚有 51 份未报. Pure functions over metric results
and the completeness matrix.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import completeness
from metrics.base import KpiResult, Query, Scope, by_dataset
from reform import i18n
from reform.config import Config
from reform.datasets import DATASETS

_QUARTER_WORDS = ("一", "二", "三", "四")


def periods(results: list[KpiResult]) -> dict[str, str]:
    """Each dataset's period, as its figures are of (``kpis --json``: "as_of")."""
    return {d: str(r.coverage.period or r.as_of) for d, r in by_dataset(results).items()}


def as_of_line(results: list[KpiResult], lang: str = i18n.DEFAULT) -> str:
    """数据截至：队伍配备 2025年第四季度（16/17 已报）；青年之家、团员发展、经费保障 2025年；团务巡察 2025年4月14日.

    A dataset whose figures are not all of that period says how many reported it."""
    grouped: dict[str, list[str]] = {}
    for dataset, result in by_dataset(results).items():
        if dataset not in DATASETS:
            continue
        cover = result.coverage
        words = i18n.period_words(cover.period or result.as_of, lang)
        if not cover.complete and not cover.district:
            words += i18n.t("freshness.reported", lang, n=cover.reported, total=cover.expected)
        grouped.setdefault(words, []).append(i18n.label(DATASETS[dataset], lang))
    if not grouped:
        return i18n.t("freshness.no_data", lang)
    parts = [
        i18n.t("freshness.part", lang, datasets=i18n.names(names, lang), period=words)
        for words, names in grouped.items()
    ]
    return i18n.t("freshness.as_of", lang, periods=("；" if lang != "en" else "; ").join(parts))


def overdue(q: Query, cfg: Config, today: date) -> pd.DataFrame:
    """Every report past its deadline that the reader's data does not hold (township, dataset, period):
    on a leader's view (approved figures only) a report awaiting review is not in yet either."""
    owed = completeness.owed(cfg, Scope(min(cfg.reporting_first_year, today.year), today.year, today=today))
    owed = owed[owed["due"] < today].reset_index(drop=True)
    if owed.empty:
        return owed
    parts, params = [], []
    for duty in cfg.duties:
        declared = DATASETS[duty.dataset]
        start, end = declared.time_sql
        unit = "township" if "township" in declared.column_map else "?::VARCHAR"
        params += [] if "township" in declared.column_map else [cfg.committee]
        parts.append(
            f"SELECT DISTINCT '{duty.dataset}' AS dataset, {unit} AS township, {start} AS r_start, {end} AS r_end "
            f"FROM current_{duty.dataset}"
        )
    with q.table("owed_reports", owed):
        found = q.df(
            f"""WITH held AS ({" UNION ALL ".join(parts)})
                SELECT o.township, o.dataset, o.period, o.due FROM owed_reports o
                WHERE NOT EXISTS (SELECT 1 FROM held h WHERE h.dataset = o.dataset AND h.township = o.township
                                  AND h.r_start <= o."end" AND h.r_end >= o.start)
                ORDER BY o.dataset, o.period, o.township""",
            params,
        )
    return found


def overdue_line(frame: pd.DataFrame, lang: str = i18n.DEFAULT, review: bool = False) -> str:
    """A plain line when reports are overdue, newest year first (empty when none is):
    2026年第一至三季度报表尚有 51 份未报；2025年第四季度及年度报表尚有 3 份未报. ``review``: the
    reader sees approved figures only, so a report awaiting review is counted and said so (未报或待审核)."""
    if frame.empty:
        return ""
    key = "freshness.overdue_year_review" if review else "freshness.overdue_year"
    years = frame.assign(year=[str(p)[:4] for p in frame["period"]])
    parts = []
    for year, part in sorted(years.groupby("year"), key=lambda item: item[0], reverse=True):
        parts.append(i18n.t(key, lang, periods=_periods_of(year, part["period"], lang), count=len(part)))
    return i18n.t("freshness.overdue", lang, parts=("；" if lang != "en" else "; ").join(parts))


def _periods_of(year: str, labels: pd.Series, lang: str) -> str:
    """A year's overdue periods in words: 2026年第一至三季度, 2025年第四季度及年度, 2026年1–9月."""
    found = sorted(set(map(str, labels)))
    quarters = [int(p[-1]) for p in found if "-Q" in p]
    months = [int(p[5:]) for p in found if len(p) == 7 and "-Q" not in p]
    words = []
    if quarters:
        words.append(_span(quarters, lang, "quarters"))
    if months:
        words.append(_span(months, lang, "months"))
    if any(len(p) == 4 for p in found):
        words.append(i18n.t("freshness.annual", lang))
    if words == [i18n.t("freshness.annual", lang)]:
        return i18n.t("freshness.year_only", lang, year=year)
    joined = i18n.t("freshness.and", lang).join(words)
    return i18n.t("freshness.year_periods", lang, year=year, periods=joined)


def _span(numbers: list[int], lang: str, kind: str) -> str:
    """1, 2, 3 → 第一至三季度 / Q1–Q3; one number alone → 第四季度; gaps → 第一、三季度."""
    numbers = sorted(set(numbers))
    contiguous = numbers == list(range(numbers[0], numbers[-1] + 1))
    if kind == "quarters":
        if lang == "en":
            names = [f"Q{n}" for n in numbers]
            return f"{names[0]}–{names[-1]}" if contiguous and len(numbers) > 1 else ", ".join(names)
        words = [_QUARTER_WORDS[n - 1] for n in numbers]
        if contiguous and len(numbers) > 1:
            return f"第{words[0]}至{words[-1]}季度"
        return f"第{'、'.join(words)}季度"
    if contiguous and len(numbers) > 1:
        return i18n.t("freshness.month_span", lang, first=numbers[0], last=numbers[-1])
    return i18n.t("freshness.month_list", lang, months=("、" if lang != "en" else ", ").join(map(str, numbers)))
