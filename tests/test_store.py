"""The store on a real DuckDB file: batches, slice replacement, history, restore, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reform import ingest
from reform.config import Config
from reform.ingest.report import Report
from reform.store import Store

HEADER = "阵地名称,镇街,类型,启用日期,统计期,活动场次\n"
FIRST = (
    HEADER
    + "甲之家,罗塘,专营店,2022-01-01,2024,10\n"
    + "乙之家,罗塘,共营店,2022-01-01,2024,5\n"
    + "丙之家,三水,专营店,2022-01-01,2024,7\n"
)
SECOND = HEADER + "甲之家,罗塘,专营店,2022-01-01,2024,12\n"  # 乙之家 left out of 罗塘's 2024 re-upload


def commit(store: Store, cfg: Config, text: str, name: str = "v.csv", user: str = "clerk") -> tuple[Report, object]:
    report = ingest.validate(text.encode(), name, cfg, "venues")
    assert report.ok
    return report, store.commit(report, user)


def current(store: Store) -> list[tuple[str, str, int]]:
    frame = store.query("SELECT venue_name, township, activities FROM current_venues ORDER BY venue_name")
    return list(frame.itertuples(index=False, name=None))


def test_commit_records_a_batch_traceable_to_its_file(store: Store, cfg: Config) -> None:
    report, result = commit(store, cfg, FIRST, "罗塘2024.csv", "张三")
    assert (result.batch_id, result.rows_stored, result.rows_replaced) == (1, 3, 0)
    batch = store.batches().iloc[0]
    assert (batch["file_name"], batch["content_hash"], batch["uploaded_by"], batch["rows_stored"]) == (
        "罗塘2024.csv",
        report.content_hash,
        "张三",
        3,
    )
    assert batch["uploaded_at"] is not pd.NaT
    rows = store.query("SELECT DISTINCT batch_id, source_row FROM venues ORDER BY source_row")
    assert list(rows["source_row"]) == [2, 3, 4]
    assert store.data_version() == 1


def test_replacing_a_slice_keeps_the_old_rows_as_history(store: Store, cfg: Config) -> None:
    commit(store, cfg, FIRST)
    _, result = commit(store, cfg, SECOND, "v2.csv")
    assert (result.rows_stored, result.rows_replaced) == (1, 2)  # 罗塘's two rows replaced, 三水 untouched
    assert current(store) == [("丙之家", "三水街道", 7), ("甲之家", "罗塘街道", 12)]
    history = store.query(
        "SELECT venue_name, replaced_by FROM venues WHERE replaced_by IS NOT NULL ORDER BY venue_name"
    )
    assert list(history.itertuples(index=False, name=None)) == [("乙之家", 2), ("甲之家", 2)]
    assert store.data_version() == 2


def test_the_same_file_twice_stores_nothing_new(store: Store, cfg: Config) -> None:
    commit(store, cfg, FIRST)
    _, again = commit(store, cfg, FIRST, "copy-of-v.csv")
    assert again.duplicate_of == 1
    assert again.batch_id is None
    assert store.data_version() == 1
    assert len(store.query("SELECT * FROM venues")) == 3


def test_the_same_file_after_its_rollback_is_stored_again(store: Store, cfg: Config) -> None:
    """A clerk rolls an upload back, then sends the same file again: it is stored (the rollback carries
    the file's hash, but the file's rows are no longer current), and the figures come back."""
    commit(store, cfg, FIRST)
    before = current(store)
    store.undo(1, "admin")
    assert current(store) == []
    _, again = commit(store, cfg, FIRST, "v-again.csv")
    assert (again.batch_id, again.duplicate_of, again.rows_stored) == (3, None, 3)
    assert current(store) == before
    _, third = commit(store, cfg, FIRST, "v-third.csv")  # now it is current: the same file is recognised
    assert (third.batch_id, third.duplicate_of) == (None, 3)


def test_restore_brings_back_an_earlier_batch_as_a_new_recorded_batch(store: Store, cfg: Config) -> None:
    commit(store, cfg, FIRST)
    before = current(store)
    commit(store, cfg, SECOND, "v2.csv")
    result = store.restore(1, "admin")
    assert result.batch_id == 3
    assert current(store) == before
    batch = store.batches().iloc[0]
    assert (batch["kind"], batch["restored_from"], batch["uploaded_by"]) == ("restore", 1, "admin")
    assert len(store.query("SELECT * FROM venues")) == 3 + 1 + 3  # nothing physically deleted


def test_a_report_with_errors_cannot_be_committed(store: Store, cfg: Config) -> None:
    report = ingest.validate((HEADER + "甲之家,北京,专营店,2022-01-01,2024,1\n").encode(), "bad.csv", cfg, "venues")
    assert not report.ok
    with pytest.raises(ValueError, match="without errors"):
        store.commit(report)
    assert store.data_version() == 0


def test_a_failure_inside_the_transaction_leaves_nothing_behind(store: Store, cfg: Config) -> None:
    commit(store, cfg, FIRST)
    report = ingest.validate(SECOND.encode(), "v2.csv", cfg, "venues")
    report.frame["activities"] = report.frame["activities"].astype(object)
    report.frame.loc[0, "activities"] = "not a number"  # fails the INSERT's cast, after the UPDATE ran
    with pytest.raises(Exception, match="not a number"):
        store.commit(report, "clerk")
    assert store.data_version() == 1
    assert current(store) == [("丙之家", "三水街道", 7), ("乙之家", "罗塘街道", 5), ("甲之家", "罗塘街道", 10)]
    assert store.query("SELECT count(*) AS n FROM venues WHERE replaced_by IS NOT NULL").at[0, "n"] == 0


def test_a_key_moved_to_another_slice_is_not_counted_twice(store: Store, cfg: Config) -> None:
    commit(store, cfg, FIRST)
    commit(store, cfg, HEADER + "丙之家,罗塘,专营店,2022-01-01,2024,9\n", "moved.csv")
    names = [r[0] for r in current(store)]
    assert names.count("丙之家") == 1


def test_only_sample_is_true_until_a_real_upload(store: Store, cfg: Config) -> None:
    report = ingest.validate(FIRST.encode(), "s.csv", cfg, "venues")
    store.commit(report, "sample", is_sample=True)
    assert store.only_sample()
    commit(store, cfg, SECOND)
    assert not store.only_sample()


def test_store_survives_reopening(target: str | Path, cfg: Config) -> None:
    s = Store(target)
    s.init()
    commit(s, cfg, FIRST)
    if hasattr(s, "close"):
        s.close()  # PostgreSQL: this process's connections and replica gone, as after a restart
    again = Store(target)
    again.init()
    assert again.data_version() == 1
    assert len(again.batches()) == 1


def test_a_reader_runs_a_repeated_statement_once_and_hands_out_independent_copies(sample_target: str | Path) -> None:
    sql = "SELECT township, sum(filled) AS filled FROM current_staffing WHERE township IN (SELECT unnest(?)) GROUP BY 1"
    with Store(sample_target).reader() as q:
        first = q.df(sql, [["罗塘街道", "张甸镇"]])
        first["filled"] = -1  # a caller changing its answer changes nobody else's
        second = q.df(sql, [["罗塘街道", "张甸镇"]])
        other = q.df(sql, [["罗塘街道"]])
        assert len(q.executed) == 2  # the repeat was answered from memory; other parameters ran
        assert (second["filled"] > 0).all() and len(other) == 1
        with q.table("chosen", pd.DataFrame({"t": ["罗塘街道"]})):
            q.df(sql, [["罗塘街道", "张甸镇"]])  # a registered table may change any answer: asked again
        assert len(q.executed) == 3
