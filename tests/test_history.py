"""History and rollback on a real DuckDB file and a real PostgreSQL database: previews, slice restores,
undo, nothing deleted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from reform import history, ingest
from reform.config import Config
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent
HEADER = "镇街,统计期,岗位类型,核定数,在岗数\n"
V1 = HEADER + "罗塘,2024,专职团干部,2,1\n罗塘,2024,青年助力官,1,0\n三水,2024,专职团干部,3,3\n"
V2 = HEADER + "罗塘,2024,专职团干部,2,2\n罗塘,2024,团组织书记,10,9\n张甸,2024,专职团干部,2,2\n"


def commit(store: Store, cfg: Config, text: str, name: str) -> ingest.Report:
    report = ingest.validate(text.encode(), name, cfg, "staffing")
    assert report.ok
    store.commit(report, "clerk")
    return report


def current(store: Store, township: str | None = None) -> pd.DataFrame:
    where = f"WHERE township = '{township}'" if township else ""
    return store.query(
        f"SELECT township, period, post_type, authorized, filled, source_row FROM current_staffing {where} "
        "ORDER BY township, post_type"
    )


def test_preview_counts_added_removed_and_changed_per_slice(store: Store, cfg: Config) -> None:
    commit(store, cfg, V1, "v1.csv")
    report = ingest.validate(V2.encode(), "v2.csv", cfg, "staffing")
    preview = history.preview(store, report).set_index("slice")
    # 罗塘: cadres 1 -> 2 (changed), officer gone (removed), secretary new (added); 张甸: new slice
    assert preview.loc["罗塘街道 · 2024"].to_dict() == {
        "rows_now": 2,
        "rows_new": 2,
        "added": 1,
        "removed": 1,
        "changed": 1,
    }
    assert preview.loc["张甸镇 · 2024"].to_dict() == {
        "rows_now": 0,
        "rows_new": 1,
        "added": 1,
        "removed": 0,
        "changed": 0,
    }
    assert "三水街道 · 2024" not in preview.index  # a slice the file does not cover is untouched


def test_a_replaced_slice_restored_equals_its_earlier_rows_exactly(store: Store, cfg: Config) -> None:
    commit(store, cfg, V1, "v1.csv")
    before = current(store, "罗塘街道")
    commit(store, cfg, V2, "v2.csv")
    assert not current(store, "罗塘街道").equals(before)
    result = store.restore(1, "admin", slices=[{"township": "罗塘街道", "period": "2024"}])
    assert result.rows_stored == 2
    pd.testing.assert_frame_equal(current(store, "罗塘街道"), before)
    assert len(current(store, "张甸镇")) == 1  # other slices of the later batch stay as they are


def test_undo_brings_back_what_a_batch_replaced_and_empties_what_it_added(store: Store, cfg: Config) -> None:
    commit(store, cfg, V1, "v1.csv")
    before = current(store)
    commit(store, cfg, V2, "v2.csv")
    result = store.undo(2, "admin")
    pd.testing.assert_frame_equal(current(store), before)
    kinds = store.batches().set_index("batch_id")
    assert (kinds.at[result.batch_id, "kind"], kinds.at[result.batch_id, "restored_from"]) == ("rollback", 2)
    total = store.query("SELECT count(*) AS n FROM staffing").at[0, "n"]
    assert total == 3 + 3 + 2  # every version is still in the table


def test_slice_versions_list_every_batch_of_a_slice(store: Store, cfg: Config) -> None:
    commit(store, cfg, V1, "v1.csv")
    commit(store, cfg, V2, "v2.csv")
    versions = history.slice_versions(store, "staffing", {"township": "罗塘街道", "period": "2024"})
    assert list(versions["batch_id"]) == [2, 1]
    assert list(versions["is_current"]) == [True, False]


def test_history_lists_slices_per_batch(store: Store, cfg: Config) -> None:
    commit(store, cfg, V1, "v1.csv")
    frame = history.batches(store)
    assert frame.at[0, "slices"] == "三水街道 · 2024、罗塘街道 · 2024"
    assert history.summarise("a、b、c、d、e") == "a、b、c …（共 5 个）"
    rows = history.batch_rows(store, 1)
    assert list(rows["source_row"]) == [2, 3, 4]


def test_restoring_a_missing_batch_or_slice_is_refused(store: Store, cfg: Config) -> None:
    commit(store, cfg, V1, "v1.csv")
    with pytest.raises(KeyError):
        store.restore(99)
    with pytest.raises(KeyError):
        store.restore(1, slices=[{"township": "张甸镇", "period": "2024"}])
    assert store.data_version() == 1


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reform", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_history_rollback_and_restore_on_the_command_line(target: str | Path, tmp_path: Path) -> None:
    db = str(target)
    for name, text in (("v1.csv", V1), ("v2.csv", V2)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert cli("--db", db, "ingest", str(tmp_path / name)).returncode == 0
    listing = cli("--db", db, "history")
    assert "v2.csv" in listing.stdout and "v1.csv" in listing.stdout
    assert cli("--db", db, "rollback", "2").returncode == 0
    assert cli("--db", db, "restore", "2", "--slice", "township=张甸镇,period=2024").returncode == 0
    assert cli("--db", db, "restore", "42").returncode == 1
    store = Store(db)
    assert list(store.batches()["kind"]) == ["restore", "rollback", "upload", "upload"]
    assert set(current(store)["township"]) == {"罗塘街道", "三水街道", "张甸镇"}
