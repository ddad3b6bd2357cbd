"""Written summaries: sentences a leader can read out, built by rules from the metric results.

Every number in a sentence comes from the same KpiResult or table the charts use,
so the words and the bars can never disagree. Laggards are named, worst first, with
their figure; long lists end with "等 N 个".
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from metrics import AREA_MODULES, kpis_of
from metrics.base import KpiResult, by_dataset, meets
from metrics.pathways import MIDDLE_SCHOOLS
from reform import i18n
from reform.config import Config

NAMED = 5  # laggards named before "等 N 个"


def _names(items: list[str], lang: str) -> str:
    separator = "、" if lang != "en" else ", "
    if len(items) <= NAMED:
        return separator.join(items)
    return separator.join(items[:NAMED]) + i18n.t("summary.and_more", lang, count=len(items))


def _with_figures(names: pd.Series, figures: list[str], lang: str) -> list[str]:
    """``溱潼镇（2.67元）`` in Chinese, ``溱潼镇 (¥2.67)`` in English: a laggard and how far it is."""
    if lang == "en":
        return [f"{n} ({f})" for n, f in zip(names, figures, strict=True)]
    return [f"{n}（{f}）" for n, f in zip(names, figures, strict=True)]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def overview(results: dict[str, KpiResult], tables: dict[str, pd.DataFrame], cfg: Config, lang: str) -> list[str]:
    scored = [r for r in results.values() if r.target is not None]
    counts = {s: sum(1 for r in scored if r.status == s) for s in ("green", "amber", "red", "none")}
    lines = [
        i18n.t(
            "summary.overview", lang, total=len(scored), green=counts["green"], amber=counts["amber"], red=counts["red"]
        )
    ]
    behind = [i18n.t(r.label, lang) for r in scored if r.status in ("red", "amber")]
    if behind:
        lines.append(i18n.t("summary.overview_behind", lang, names=_names(behind, lang)))
    lines += _periods_line(list(results.values()), lang)
    return lines


def _periods_line(results: list[KpiResult], lang: str) -> list[str]:
    """When the figures of one view are of different years, or some are made of fewer reports than
    expected, say of which period and whose reports each dataset's figures are, once."""
    firsts = by_dataset(results)
    years = {str(r.coverage.period or r.as_of)[:4] for r in firsts.values()}
    if len(years) <= 1:  # one year for every figure: each card says its period and reports already
        return []
    shown = list(firsts.values())
    from reform.datasets import DATASETS

    parts = [
        i18n.t(
            "summary.dataset_coverage",
            lang,
            dataset=i18n.label(DATASETS[r.dataset], lang),
            coverage=r.display_coverage(lang),
        )
        for r in shown
        if r.dataset in DATASETS
    ]
    return [i18n.t("summary.periods", lang, periods=("；" if lang != "en" else "; ").join(parts))]


def coverage_lines(area: str, results: list[KpiResult], lang: str) -> list[str]:
    """An area's first sentence: the period its figures are of and whose reports they are made of
    (统计期：2025年第四季度 · 16/17 已报，其余沿用 2025年第三季度), once per dataset it draws on."""
    if area not in AREA_MODULES:
        return []
    own = {k.key for k in kpis_of(area)}
    seen = by_dataset([r for r in results if r.key in own and r.value is not None])
    words = dict.fromkeys(r.display_coverage(lang) for r in seen.values())
    return [i18n.t("summary.coverage", lang, coverage=w) for w in words]


def staffing(results: dict[str, KpiResult], tables: dict[str, pd.DataFrame], cfg: Config, lang: str) -> list[str]:
    officers = results["youth_officer_coverage"]
    towns = tables["by_township"]
    towns = towns[towns["township"] != cfg.committee]
    per = cfg.targets["youth_officer_coverage"].per_township or 1
    without = list(towns.loc[~(towns["officer_filled"] >= per), "township"])
    lines = [i18n.t("summary.officers", lang, total=f"{officers.denominator:.0f}", covered=f"{officers.numerator:.0f}")]
    if without:
        lines[-1] += i18n.t("summary.officers_missing", lang, names=_names(without, lang))
    cadres = results["cadre_fill_rate"]
    if cadres.value is not None:
        lines.append(
            i18n.t(
                "summary.cadres",
                lang,
                rate=_pct(cadres.value),
                filled=f"{cadres.numerator:.0f}",
                authorized=f"{cadres.denominator:.0f}",
            )
        )
    vacancies = results["secretary_vacancies"]
    if vacancies.value is not None:
        worst = towns[towns["secretary_vacant"] > 0].sort_values("secretary_vacant", ascending=False)
        lines.append(i18n.t("summary.vacancies", lang, count=f"{vacancies.value:.0f}"))
        if not worst.empty:
            named = _with_figures(worst["township"], [f"{v:.0f}" for v in worst["secretary_vacant"]], lang)
            lines[-1] += i18n.t("summary.vacancies_where", lang, names=_names(named, lang))
    return lines


def venues(results: dict[str, KpiResult], tables: dict[str, pd.DataFrame], cfg: Config, lang: str) -> list[str]:
    homes = tables["homes"]
    counts = {t: int((homes["tier"] == t).sum()) for t in ("flagship", "specialty", "shared")}
    lines = [i18n.t("summary.homes", lang, total=len(homes), **counts)]
    coverage = results["specialty_coverage"]
    towns = tables["by_township"]
    without = list(towns.loc[(towns["specialty"] == 0) & (towns["township"] != cfg.committee), "township"])
    if coverage.value is not None:
        line = i18n.t(
            "summary.specialty", lang, total=f"{coverage.denominator:.0f}", covered=f"{coverage.numerator:.0f}"
        )
        if without:
            line += i18n.t("summary.specialty_missing", lang, names=_names(without, lang))
        lines.append(line)
    return lines


def alumni(results: dict[str, KpiResult], tables: dict[str, pd.DataFrame], cfg: Config, lang: str) -> list[str]:
    cities = tables["cities"]
    covered = results["alumni_cities"]
    if covered.value is None:
        return [i18n.t("chart.no_data", lang)]
    line = i18n.t(
        "summary.alumni",
        lang,
        total=len(cities),
        covered=f"{covered.value:.0f}",
        members=f"{cities['members'].fillna(0).sum():.0f}",
        events=f"{cities['events'].fillna(0).sum():.0f}",
    )
    missing = list(cities.loc[~cities["covered"], "city"])
    if missing:
        line += i18n.t("summary.alumni_missing", lang, names=_names(missing, lang))
    return [line]


def pathways(results: dict[str, KpiResult], tables: dict[str, pd.DataFrame], cfg: Config, lang: str) -> list[str]:
    rate = results["member_development_rate"]
    if rate.value is None:
        return [i18n.t("chart.no_data", lang)]
    lines = [
        i18n.t(
            "summary.development",
            lang,
            year=rate.as_of,
            planned=f"{rate.denominator:.0f}",
            admitted=f"{rate.numerator:.0f}",
            rate=_pct(rate.value),
        )
    ]
    lines += _calendar_line(tables, cfg, lang)
    towns = tables["by_township"]
    behind = towns[~meets(towns["rate"], cfg.targets["member_development_rate"].target, "at_least").fillna(False)]
    behind = behind.dropna(subset=["rate"]).sort_values("rate")
    if not behind.empty:
        named = _with_figures(behind["township"], [_pct(r) for r in behind["rate"]], lang)
        lines.append(i18n.t("summary.development_behind", lang, names=_names(named, lang)))
    schools = results["league_school_coverage"]
    if schools.value is not None:
        units = tables["units"]
        middle = units[units["sector"].isin(MIDDLE_SCHOOLS)]
        without = list(middle.loc[~middle["has_league_school"].fillna(False).astype(bool), "unit"])
        line = i18n.t("summary.schools", lang, covered=f"{schools.numerator:.0f}", total=f"{schools.denominator:.0f}")
        if without:
            line += i18n.t("summary.schools_missing", lang, names=_names(without, lang))
        lines.append(line)
    return lines


def _calendar_line(tables: dict[str, pd.DataFrame], cfg: Config, lang: str) -> list[str]:
    """时间进度: this year's plan so far against the calendar, and the townships furthest behind it."""
    progress = tables.get("this_year")
    if progress is None or progress.empty or not progress["planned"].sum():
        return []
    share = float(progress["calendar"].iloc[0])
    reported = progress.dropna(subset=["planned"])  # 时间进度 only over the townships that reported
    rate = float(reported["admitted"].sum()) / float(reported["planned"].sum())
    gap = (rate - share) * 100
    line = i18n.t(
        "summary.calendar",
        lang,
        n=len(reported),
        total=int(progress["expected"].iloc[0]),
        day=str(progress["day"].iloc[0]),
        calendar=_pct(share),
        year=str(progress["year"].iloc[0]),
        rate=_pct(rate),
        gap=i18n.t("summary.ahead" if gap >= 0 else "summary.behind", lang, points=f"{abs(gap):.1f}"),
    )
    late = progress[progress["gap"] < 0].sort_values("gap")
    if not late.empty:
        named = _with_figures(late["township"], [f"{g * 100:+.1f}" for g in late["gap"]], lang)
        line += i18n.t("summary.calendar_behind", lang, names=_names(named, lang))
    return [line]


def funding(results: dict[str, KpiResult], tables: dict[str, pd.DataFrame], cfg: Config, lang: str) -> list[str]:
    coverage = results["funding_coverage"]
    standard = cfg.targets["funding_per_capita"].target
    lines = []
    if coverage.value is not None:
        per = tables["per_capita"].sort_values("per_capita")
        below = per[~meets(per["per_capita"], standard, "at_least").fillna(True)].dropna(subset=["per_capita"])
        money = [f"{v:.2f}元" if lang != "en" else f"¥{v:.2f}" for v in below["per_capita"]]
        named = _with_figures(below["township"], money, lang)
        silent = list(tables["not_reported"]["township"])
        line = i18n.t(
            "summary.funding",
            lang,
            total=f"{coverage.denominator:.0f}",
            met=f"{coverage.numerator:.0f}",
            standard=f"{standard:g}",
        )
        if named:
            line += i18n.t("summary.funding_below", lang, names=_names(named, lang))
        if silent:
            line += i18n.t("summary.funding_silent", lang, names=_names(silent, lang))
        lines.append(line)
    pilot = results["reform_pilot_funds"]
    if pilot.value is not None:
        amount = f"{pilot.value:,.0f}" if lang == "en" else f"{pilot.value / 10000:g}"
        line = i18n.t("summary.pilot", lang, year=pilot.as_of, amount=amount)
        if pilot.previous:
            line += i18n.t("summary.pilot_change", lang, change=f"{(pilot.value / pilot.previous - 1) * 100:+.1f}%")
        lines.append(line)
    return lines


def inspections(results: dict[str, KpiResult], tables: dict[str, pd.DataFrame], cfg: Config, lang: str) -> list[str]:
    units = results["units_inspected"]
    if units.value is None:
        return [i18n.t("chart.no_data", lang)]
    rounds = tables["by_round"]
    lines = [
        i18n.t("summary.inspected", lang, units=f"{units.value:.0f}", target=f"{units.target:g}", rounds=len(rounds))
    ]
    rate = results["rectification_rate"]
    found = int(rounds[["done", "in_progress", "not_started"]].sum().sum())
    lines.append(
        i18n.t(
            "summary.rectified",
            lang,
            found=found,
            done=int(rounds["done"].sum()),
            rate=_pct(rate.value),
            in_progress=int(rounds["in_progress"].sum()),
            not_started=int(rounds["not_started"].sum()),
        )
    )
    established = tables["established"]
    if not established.empty:
        lines.append(
            i18n.t(
                "summary.established", lang, count=len(established), names=_names(list(established["unit_name"]), lang)
            )
        )
    return lines


def _generic(result: KpiResult, lang: str) -> str:
    return i18n.t(
        "summary.generic",
        lang,
        label=i18n.t(result.label, lang),
        value=result.display(lang),
        target=result.display_target(lang),
    )


RULES: dict[str, Callable[[dict[str, KpiResult], dict[str, pd.DataFrame], Config, str], list[str]]] = {
    "overview": overview,
    "staffing": staffing,
    "venues": venues,
    "alumni": alumni,
    "pathways": pathways,
    "funding": funding,
    "inspections": inspections,
}


def sentences(
    area: str, results: list[KpiResult], tables: dict[str, pd.DataFrame], cfg: Config, lang: str = i18n.DEFAULT
) -> list[str]:
    """The summary of one area (or ``overview``) in the user's language, each sentence closed."""
    end = i18n.t("summary.end", lang)
    lines = RULES[area]({r.key: r for r in results}, tables, cfg, lang) if area in RULES else []
    if area != "overview":
        lines = coverage_lines(area, results, lang) + lines
    if area != "overview":  # a KPI the area's own rules do not know (a registered one) still gets its sentence
        own = {k.key for k in kpis_of(area)} if area in AREA_MODULES else set()
        ruled = {k.key for k in AREA_MODULES[area].KPIS} if area in RULES else set()  # the module's own
        lines += [_generic(r, lang) for r in results if r.key in own and r.key not in ruled]
    return [line if line.endswith(("。", ".", "；")) else line + end for line in lines]
