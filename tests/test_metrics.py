"""Every metric against figures computed by hand from tests/fixtures/small (three townships).

The fixture's numbers are chosen so that a mean of ratios differs from the ratio of
sums, a township's latest period differs from its earlier ones, and a re-upload has
dropped a Youth Home. The arithmetic is written out next to each expectation.
"""

from __future__ import annotations

import pytest

from metrics import all_kpis, alumni, funding, inspections, overview, pathways, staffing, venues
from metrics.base import Scope, evaluate, rag
from reform.audience import View
from reform.config import Config, Target
from reform.store import Store

ALL = Scope(2024, 2025)
ONLY_2024 = Scope(2024, 2024)
JIA = Scope(2024, 2025, ("甲镇",))


def measure(fn, store: Store, cfg: Config, scope: Scope):
    with store.reader() as q:
        return fn(q, cfg, scope)


# ------------------------------------------------------------------ people
def test_youth_officer_coverage(small_store: Store, small_cfg: Config) -> None:
    # latest per township: 甲 1 (yes), 乙 0 (no), 丙 2 from 2024-Q4 (yes) -> 2 of 3
    m = measure(staffing.youth_officer_coverage, small_store, small_cfg, ALL)
    assert (m.numerator, m.denominator) == (2, 3)
    assert m.value == pytest.approx(2 / 3)
    # as of 2024 only 丙 had reported -> 1 of 3
    assert measure(staffing.youth_officer_coverage, small_store, small_cfg, ONLY_2024).value == pytest.approx(1 / 3)


def test_cadre_fill_rate_is_a_ratio_of_sums_of_latest_periods(small_store: Store, small_cfg: Config) -> None:
    # latest: 团区委 2025-Q1 3/6, 甲 2025-Q2 2/2, 乙 2025-Q2 1/3 -> (3+2+1)/(6+2+3) = 6/11
    # (a mean of ratios would give (0.5+1+1/3)/3 = 0.611)
    m = measure(staffing.cadre_fill_rate, small_store, small_cfg, ALL)
    assert (m.numerator, m.denominator) == (6, 11)
    assert m.value == pytest.approx(6 / 11)
    assert m.as_of == "2025-Q2"
    # 2024: only 团区委's yearly row 6/6
    assert measure(staffing.cadre_fill_rate, small_store, small_cfg, ONLY_2024).value == pytest.approx(1.0)
    # 甲镇 alone: 2/2
    assert measure(staffing.cadre_fill_rate, small_store, small_cfg, JIA).value == pytest.approx(1.0)


def test_secretary_vacancies(small_store: Store, small_cfg: Config) -> None:
    # 甲 10-8=2, 乙 5-5=0, 丙 4-1=3 -> 5
    assert measure(staffing.secretary_vacancies, small_store, small_cfg, ALL).value == 5
    assert measure(staffing.secretary_vacancies, small_store, small_cfg, JIA).value == 2


# ------------------------------------------------------------------ venues
def test_flagship_homes(small_store: Store, small_cfg: Config) -> None:
    assert measure(venues.flagship_homes, small_store, small_cfg, ALL).value == 1
    # 2024: 团区委 had no 2024 report; 乙's 2024 report has no flagship -> 0
    assert measure(venues.flagship_homes, small_store, small_cfg, ONLY_2024).value == 0


def test_specialty_coverage_uses_each_townships_latest_report(small_store: Store, small_cfg: Config) -> None:
    # 2025: 甲 has a specialty store; 乙's 2025 report left its specialty store out; 丙 none -> 1 of 3
    m = measure(venues.specialty_coverage, small_store, small_cfg, ALL)
    assert (m.numerator, m.denominator) == (1, 3)
    # 2024: only 乙's 2024 report, which has it -> 1 of 3
    assert measure(venues.specialty_coverage, small_store, small_cfg, ONLY_2024).numerator == 1


def test_alumni_cities_covered(small_store: Store, small_cfg: Config) -> None:
    # 2025: 上海 (founded 2021), 南京 (no date: counts), 杭州 absent -> 2 of 3
    m = measure(alumni.alumni_cities, small_store, small_cfg, ALL)
    assert (m.value, m.denominator) == (2, 3)
    # 2024: 上海 yes; 杭州 founded 2025-03-01, after the period's end -> 1
    assert measure(alumni.alumni_cities, small_store, small_cfg, ONLY_2024).value == 1


# ------------------------------------------------------------------ pathways
def test_member_development_rate(small_store: Store, small_cfg: Config) -> None:
    # 2025: (12+10+30+5)/(10+20+30+5) = 57/65
    m = measure(pathways.member_development_rate, small_store, small_cfg, ALL)
    assert (m.numerator, m.denominator) == (57, 65)
    # 甲镇 alone: (12+5)/(10+5)
    assert measure(pathways.member_development_rate, small_store, small_cfg, JIA).value == pytest.approx(17 / 15)
    assert measure(pathways.member_development_rate, small_store, small_cfg, ONLY_2024).value == pytest.approx(0.5)


def test_league_school_coverage_counts_junior_and_senior_middle_schools(small_store: Store, small_cfg: Config) -> None:
    # 2025 middle schools: 甲镇初中 yes, 乙镇初中 no, 区高中 yes (the enterprise is not a school) -> 2 of 3
    m = measure(pathways.league_school_coverage, small_store, small_cfg, ALL)
    assert (m.numerator, m.denominator) == (2, 3)


# ------------------------------------------------------------------ policy
def test_funding_per_capita_is_a_ratio_of_sums(small_store: Store, small_cfg: Config) -> None:
    # 2025: 甲 3500 / 1000 (configured), 乙 5000 / 2500 (row) -> 8500/3500 = 2.43 (mean of ratios: 2.75)
    m = measure(funding.funding_per_capita, small_store, small_cfg, ALL)
    assert (m.numerator, m.denominator) == (8500, 3500)
    assert m.value == pytest.approx(8500 / 3500)
    # 2024: 丙 2000 / 500 = 4.0
    assert measure(funding.funding_per_capita, small_store, small_cfg, ONLY_2024).value == pytest.approx(4.0)


def test_per_capita_by_township(small_store: Store, small_cfg: Config) -> None:
    with small_store.reader() as q:
        frame = funding.per_capita(q, small_cfg, ALL)
    assert list(frame["township"]) == ["甲镇", "乙镇"]
    assert list(frame["per_capita"]) == pytest.approx([3.5, 2.0])


def test_funding_coverage_counts_townships_without_a_report_as_not_met(small_store: Store, small_cfg: Config) -> None:
    # 甲 3.5 >= 3 yes; 乙 2.0 no; 丙 no 2025 report -> 1 of 3
    m = measure(funding.funding_coverage, small_store, small_cfg, ALL)
    assert (m.numerator, m.denominator) == (1, 3)


def test_reform_pilot_funds_and_growth(small_store: Store, small_cfg: Config) -> None:
    assert measure(funding.reform_pilot_funds, small_store, small_cfg, ALL).value == 500000
    assert measure(funding.reform_pilot_funds, small_store, small_cfg, ONLY_2024).value == 250000
    with small_store.reader() as q:
        special = funding.special_funds(q, small_cfg, ALL)
    assert list(special["amount"]) == [250000, 500000]
    assert special["growth"].iloc[1] == pytest.approx(1.0)


def test_units_inspected_counts_each_unit_once(small_store: Store, small_cfg: Config) -> None:
    # 区市场监管局 (rounds 1 and 2), 甲镇, 区应急管理局 -> 3
    assert measure(inspections.units_inspected, small_store, small_cfg, ALL).value == 3
    assert measure(inspections.units_inspected, small_store, small_cfg, ONLY_2024).value == 2


def test_rectification_rate_is_findings_rectified_over_all_findings(small_store: Store, small_cfg: Config) -> None:
    # rectified findings 4 + 1 = 5 of 4 + 2 + 3 + 1 = 10
    m = measure(inspections.rectification_rate, small_store, small_cfg, ALL)
    assert (m.numerator, m.denominator) == (5, 10)
    # 2024: 4 of 6
    assert measure(inspections.rectification_rate, small_store, small_cfg, ONLY_2024).value == pytest.approx(4 / 6)


def test_inspections_by_round(small_store: Store, small_cfg: Config) -> None:
    with small_store.reader() as q:
        rounds = inspections.by_round(inspections.rows(q, ALL))
    assert rounds[
        ["round", "units", "new_units", "cumulative", "done", "in_progress", "not_started"]
    ].values.tolist() == [
        [1, 2, 2, 2, 4, 2, 0],
        [2, 2, 1, 3, 1, 0, 3],
    ]


# ------------------------------------------------------------------ status, change and the overview
@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, "green"), (0.95, "amber"), (0.9, "amber"), (0.89, "red"), (None, "none")],
)
def test_rag_at_least(value: float | None, expected: str) -> None:
    assert rag(value, Target("x", 1.0, 0.9), "at_least") == expected


@pytest.mark.parametrize(("value", "expected"), [(0, "green"), (3, "amber"), (5, "amber"), (6, "red")])
def test_rag_at_most(value: float, expected: str) -> None:
    assert rag(value, Target("x", 0, 5), "at_most") == expected


def test_evaluate_gives_target_status_previous_change_and_trend(small_store: Store, small_cfg: Config) -> None:
    kpi = next(k for k in all_kpis() if k.key == "cadre_fill_rate")
    with small_store.reader() as q:
        result = evaluate(kpi, q, small_cfg, ALL)
    assert result.value == pytest.approx(6 / 11)
    assert (result.target, result.status) == (1.0, "red")  # 0.545 < amber 0.9
    assert result.previous == pytest.approx(1.0)
    assert result.change == pytest.approx(6 / 11 - 1)
    assert result.trend == pytest.approx({2024: 1.0, 2025: 6 / 11})
    assert result.display() == "54.5%"


def test_scorecard_has_every_kpi_in_the_order_of_the_four_shortages(small_store: Store, small_cfg: Config) -> None:
    results = overview.scorecard(small_store, small_cfg, View(small_store.data_version(), None, ALL))
    assert [r.area for r in results] == ["people"] * 3 + ["venues"] * 3 + ["pathways"] * 2 + ["policy"] * 5
    by_key = {r.key: r for r in results}
    assert by_key["secretary_vacancies"].status == "amber"  # 5, amber at or below 5
    assert by_key["alumni_cities"].status == "amber"  # 2 of target 3, amber at 2
    assert by_key["reform_pilot_funds"].status == "info"
    assert by_key["youth_officer_coverage"].display() == "2/3"
    assert by_key["funding_per_capita"].display() == "2.43 元/人"
    assert by_key["funding_per_capita"].display("en") == "¥2.43 per person"


def test_league_table(small_store: Store, small_cfg: Config) -> None:
    # 甲: officers 1 ✓, cadres 2/2 ✓, vacancies 2 ✗, specialty 1 ✓, development 17/15 ✓, funding 3.5 ✓ -> 5
    # 乙: 0 ✗, 1/3 ✗, 0 ✓, 0 ✗, 10/20 ✗, 2.0 ✗ -> 1;  丙: 2 ✓, none ✗, 3 ✗, 0 ✗, none ✗, none ✗ -> 1
    with small_store.reader() as q:
        table = overview.league_table(q, small_cfg, ALL)
    assert list(table["township"]) == ["甲镇", "乙镇", "丙街道"]
    assert list(table["met"]) == [5, 1, 1]
    assert table.loc[0, "member_development_rate"] == pytest.approx(17 / 15)


def test_data_years(small_store: Store) -> None:
    with small_store.reader() as q:
        assert overview.data_years(q) == (2024, 2025)


# ------------------------------------------------------------------ whose reports each figure holds
def test_coverage_says_the_period_and_whose_reports(small_store: Store, small_cfg: Config) -> None:
    with small_store.reader() as q:
        found = {r.key: r.coverage for r in overview.kpis(q, small_cfg, ALL)}
        jia = {r.key: r.coverage for r in overview.kpis(q, small_cfg, JIA)}
    # staffing is a stock: each township's latest report — 甲 2025-Q2, 乙 2025-Q2, 丙 2025-Q2 (its secretary
    # row; its officer row of 2024-Q4 carries within the KPI) -> all three of 2025-Q2
    cadres = found["cadre_fill_rate"]
    assert (cadres.period, cadres.reported, cadres.expected, cadres.earlier, cadres.missing) == (
        "2025-Q2",
        3,
        3,
        None,
        (),
    )
    # Youth Homes, a stock: 甲 and 乙 reported 2025, 丙 never -> 2/3, 丙街道 named
    homes = found["specialty_coverage"]
    assert (homes.period, homes.reported, homes.expected, homes.missing) == ("2025", 2, 3, ("丙街道",))
    # funding, a flow of 2025: 甲 and 乙; 丙街道's 2024 row does not count for 2025
    money = found["funding_per_capita"]
    assert (money.period, money.reported, money.expected, money.missing) == ("2025", 2, 3, ("丙街道",))
    assert money.words("zh") == "2025年 · 2/3 已报，丙街道未报"
    # the district's own figures: its report, of its period
    assert (found["alumni_cities"].period, found["alumni_cities"].district) == ("2025", True)
    assert found["units_inspected"].words("zh") == "2025年4月2日 · 全区"
    assert found["flagship_homes"].district and found["reform_pilot_funds"].words("zh") == "2025年 · 全区"
    # one township chosen: its own reports
    assert (jia["cadre_fill_rate"].reported, jia["cadre_fill_rate"].expected) == (1, 1)
