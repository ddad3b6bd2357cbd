"""Rollback is exact (issue 13, finding 5): rolling back batch N right after it gives exactly the state
before N, for any history of uploads, restores and rollbacks, shared keys across townships included."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reform import ingest
from reform.config import Config
from reform.store import NothingToDoError, Store

HEADER = "阵地名称,镇街,类型,启用日期,统计期,活动场次\n"
NAMES = ("甲之家", "乙之家", "丙之家", "丁之家")
TOWNS = ("罗塘街道", "三水街道", "华港镇")
PERIODS = ("2024年", "2025年")

row = st.tuples(st.sampled_from(NAMES), st.sampled_from(TOWNS), st.sampled_from(PERIODS), st.integers(0, 9))
upload = st.lists(row, min_size=1, max_size=5, unique_by=lambda r: (r[0], r[2])).map(lambda rows: ("upload", rows))
restore = st.integers(1, 12).map(lambda b: ("restore", b))
rollback = st.integers(1, 12).map(lambda b: ("rollback", b))
action = st.one_of(upload, upload, restore, rollback)


def current(store: Store) -> list[tuple]:
    frame = store.query(
        "SELECT venue_name, township, tier, opened_on, period, activities FROM current_venues ORDER BY ALL"
    )
    return [tuple(r) for r in frame.itertuples(index=False)]


def apply(store: Store, cfg: Config, step: tuple, count: list[int]) -> int | None:
    """Do one step; the new batch, or None when the step did nothing (an unknown batch, nothing to undo)."""
    kind, arg = step
    try:
        if kind == "upload":
            count[0] += 1
            text = HEADER + "".join(f"{n},{t},专营店,2022-01-0{a % 9 + 1},{p},{a}\n" for n, t, p, a in arg)
            report = ingest.validate(text.encode(), f"f{count[0]}.csv", cfg, "venues")
            assert report.ok, [p.to_dict() for p in report.errors]
            return store.commit(report, "t").batch_id
        if kind == "restore":
            return store.restore(arg, "t").batch_id
        return store.undo(arg, "t").batch_id
    except (KeyError, NothingToDoError):
        return None


def fresh(request: pytest.FixtureRequest, backend: str) -> Store:
    """An empty store for one example: a new DuckDB file or a new PostgreSQL database."""
    if backend == "duckdb":
        path = request.getfixturevalue("tmp_path_factory").mktemp("rb") / "rb.duckdb"
    else:
        path = request.getfixturevalue("postgres").database()
    store = Store(path)
    store.init()
    return store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(action, max_size=6), last=action)
def test_rolling_back_a_batch_right_after_it_restores_the_state_before(
    history: list[tuple], last: tuple, cfg: Config, backend: str, request: pytest.FixtureRequest
) -> None:
    store = fresh(request, backend)
    try:
        check_rollback(store, cfg, history, last)
    finally:
        if hasattr(store, "close"):
            store.close()  # PostgreSQL: each example's connections and replica go with it


def check_rollback(store: Store, cfg: Config, history: list[tuple], last: tuple) -> None:
    count = [0]
    for step in history:
        apply(store, cfg, step, count)
    before = current(store)
    batch = apply(store, cfg, last, count)
    if batch is None:
        return
    if current(store) == before:  # the step changed nothing current (the same file again): nothing to undo
        return
    store.undo(batch, "t")
    assert current(store) == before


def test_a_venue_moved_to_another_township_comes_back_on_rollback(cfg: Config, store: Store) -> None:
    """The issue's case: 华港镇's Youth Home stored again under 罗塘街道; rolling back brings 华港镇's back."""
    first = HEADER + "甲之家,华港镇,专营店,2022-01-01,2025年,3\n乙之家,华港镇,共营店,2022-01-01,2025年,2\n"
    store.commit(ingest.validate(first.encode(), "a.csv", cfg, "venues"), "t")
    moved = HEADER + "甲之家,罗塘街道,专营店,2022-01-01,2025年,3\n"
    batch = store.commit(ingest.validate(moved.encode(), "b.csv", cfg, "venues"), "t").batch_id
    assert ("甲之家", "华港镇") not in {(r[0], r[1]) for r in current(store)}
    store.undo(batch, "t")
    assert {(r[0], r[1]) for r in current(store)} == {("甲之家", "华港镇"), ("乙之家", "华港镇")}
