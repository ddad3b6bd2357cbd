"""Reporting completeness on the small fixture, whose gaps are known by hand."""

from __future__ import annotations

from datetime import date

import pytest

from metrics import completeness
from metrics.base import Scope
from reform.config import Config
from reform.store import Store

ALL = Scope(2024, 2025)
TOWNS = ("甲镇", "乙镇", "丙街道")
QUARTERS = [f"{y}-Q{q}" for y in (2024, 2025) for q in (1, 2, 3, 4)]
# what the fixture's staffing and venues files report (township, period); alumni (团区委) has 2024 and 2025
STAFFING_REPORTED = {
    ("甲镇", "2025-Q1"),
    ("甲镇", "2025-Q2"),
    ("乙镇", "2025-Q2"),
    ("丙街道", "2025-Q2"),
    ("丙街道", "2024-Q4"),
}
VENUES_REPORTED = {("甲镇", "2025"), ("乙镇", "2024"), ("乙镇", "2025")}


def matrix(store: Store, cfg: Config, today: date, scope: Scope = ALL):
    with store.reader() as q:
        return completeness.matrix(q, cfg, scope, today)


def test_missing_reports_are_exactly_the_known_gaps(small_store: Store, small_cfg: Config) -> None:
    frame = matrix(small_store, small_cfg, date(2026, 6, 1))
    expected = {(t, "staffing", p) for t in TOWNS for p in QUARTERS if (t, p) not in STAFFING_REPORTED}
    expected |= {(t, "venues", y) for t in TOWNS for y in ("2024", "2025") if (t, y) not in VENUES_REPORTED}
    found = set(
        completeness.missing(frame, date(2026, 6, 1))[["township", "dataset", "period"]].itertuples(
            index=False, name=None
        )
    )
    assert found == expected
    assert len(found) == 19 + 3


def test_not_yet_due_is_pending_not_missing(small_store: Store, small_cfg: Config) -> None:
    frame = matrix(small_store, small_cfg, date(2025, 12, 1)).set_index(["township", "dataset", "period"])
    assert frame.at[("甲镇", "staffing", "2025-Q3"), "status"] == "missing"  # due 2025-10-15
    assert frame.at[("甲镇", "staffing", "2025-Q4"), "status"] == "pending"  # due 2026-01-15
    assert frame.at[("丙街道", "venues", "2025"), "status"] == "pending"  # due 2026-01-31


def test_an_upload_after_the_due_date_is_late_and_a_yearly_report_covers_its_quarters(
    small_store: Store, small_cfg: Config
) -> None:
    frame = matrix(small_store, small_cfg, date(2027, 1, 1)).set_index(["township", "dataset", "period"])
    # the fixture was uploaded today, long after 2025-07-15
    assert frame.at[("甲镇", "staffing", "2025-Q2"), "status"] == "late"
    # shown on the district's calendar (stored UTC): between 16:00 and 24:00 UTC that is the machine's tomorrow
    assert frame.at[("甲镇", "staffing", "2025-Q2"), "submitted"].date() == small_cfg.today()
    # 团区委's alumni rows: the district owes them, not the townships
    assert frame.xs("alumni", level="dataset").index.get_level_values("township").unique().tolist() == ["团区委"]


def test_sample_batches_count_as_on_time(sample_db, cfg: Config) -> None:
    frame = matrix(Store(sample_db), cfg, date(2026, 11, 29), Scope(2021, 2025))
    assert completeness.summary(frame)["late"] == 0
    gaps = set(
        completeness.missing(frame, date(2026, 11, 29))[["township", "dataset", "period"]].itertuples(
            index=False, name=None
        )
    )
    assert gaps == {("华港镇", "staffing", "2025-Q4"), ("俞垛镇", "venues", "2025"), ("淤溪镇", "members", "2025")}


def test_reminder_names_every_late_township_and_report(small_store: Store, small_cfg: Config) -> None:
    frame = matrix(small_store, small_cfg, date(2026, 6, 1), Scope(2025, 2025, ("乙镇",)))
    text = completeness.reminder(frame, small_cfg, date(2026, 6, 1))
    assert text.splitlines()[0].startswith("各镇街团委：截至2026年6月1日")
    assert "乙镇：队伍配备（2025-Q1）、队伍配备（2025-Q3）、队伍配备（2025-Q4）" in text
    assert "甲镇" not in text


@pytest.mark.parametrize(
    ("frequency", "count", "first", "last"),
    [("year", 2, "2024", "2025"), ("quarter", 8, "2024-Q1", "2025-Q4"), ("month", 24, "2024-01", "2025-12")],
)
def test_periods(frequency: str, count: int, first: str, last: str) -> None:
    periods = completeness._periods(frequency, 2024, 2025)
    assert (len(periods), periods[0][0], periods[-1][0]) == (count, first, last)
    assert periods[-1][2] == date(2025, 12, 31)


def test_the_matrix_puts_gaps_top_left() -> None:
    """Newest period first, units with a missing report first, then late ones, others in their order."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "dataset": ["funding"] * 6,
            "township": ["甲镇", "甲镇", "乙镇", "乙镇", "丙镇", "丙镇"],
            "period": ["2024", "2025", "2024", "2025", "2024", "2025"],
            "status": ["on_time", "on_time", "on_time", "late", "missing", "on_time"],
        }
    )
    table = completeness.wide(frame, "funding", ["甲镇", "乙镇", "丙镇"])
    assert list(table.columns) == ["2025", "2024"]
    assert list(table.index) == ["丙镇", "乙镇", "甲镇"]
