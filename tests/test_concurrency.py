"""Twenty sessions viewing while two upload at once: no exception, no mixed rows, consistent figures.

Each session is a real Streamlit script run (AppTest) in its own thread, as the server runs
sessions; they share the process's caches and the DuckDB file, never a connection.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import overview
from metrics.base import Scope
from reform.config import Config
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent
VIEWERS, RUNS = int(os.environ.get("REFORM_VIEWERS", "20")), 3
# 溱潼镇 and 白米镇 2025 funding from two clerks at once, into the same slices
UPLOADS = {
    "a.csv": "镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n白米镇,2025,青少年发展专项,2万\n",
    "b.csv": "镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.6万\n白米镇,2025,青少年发展专项,2.1万\n",
}
COVERAGE = "人均经费达标的镇街"


def session(db: Path) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.run()
    return at


def test_twenty_viewers_and_two_uploaders(sample_copy: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFORM_DB", str(sample_copy))
    errors: list[str] = []
    seen: list[str] = []
    start = threading.Barrier(VIEWERS + len(UPLOADS), timeout=300)

    def viewer() -> None:
        try:
            at = session(sample_copy)
            start.wait()
            for _ in range(RUNS):
                at.switch_page("app_pages/funding.py").run()
                if at.exception:
                    errors.append(str(at.exception))
                seen.append({m.label: m.value for m in at.metric}[COVERAGE])
                at.switch_page("app_pages/overview.py").run()
                if at.exception:
                    errors.append(str(at.exception))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))

    def uploader(name: str) -> None:
        try:
            at = session(sample_copy)
            at.switch_page("app_pages/upload.py").run()
            at.file_uploader(key="upload.file").upload(name, UPLOADS[name].encode("gbk"), "text/csv").run()
            start.wait()
            at.button(key="upload.commit").click().run()
            if at.exception or not any("已保存" in s.value for s in at.success):
                errors.append(f"{name}: {at.exception or [s.value for s in at.success]}")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=viewer) for _ in range(VIEWERS)]
    threads += [threading.Thread(target=uploader, args=(name,)) for name in UPLOADS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors[:3]
    assert len(seen) == VIEWERS * RUNS
    assert set(seen) <= {"15/17", "17/17"}  # before either upload, or after one or both: never a half
    store = Store(sample_copy)
    assert store.data_version() == 8
    slices = store.query(
        "SELECT township, count(DISTINCT batch_id) AS batches, count(*) AS rows FROM current_funding "
        "WHERE year = 2025 AND township IN ('溱潼镇', '白米镇') GROUP BY township"
    )
    assert set(slices["batches"]) == {1} and set(slices["rows"]) == {1}  # each slice from one upload, no mix
    assert slices["township"].count() == 2
    last = store.batches().iloc[0]["file_name"]
    amounts = store.query("SELECT township, CAST(amount_yuan AS DOUBLE) AS a FROM current_funding WHERE year = 2025 AND township = '溱潼镇'")
    assert amounts.at[0, "a"] == (15000.0 if last == "a.csv" else 16000.0)  # the later upload won, whole
    with store.reader() as q:
        final = {r.key: r.display() for r in overview.kpis(q, cfg, Scope(2021, 2025))}
    at = session(sample_copy)
    at.switch_page("app_pages/funding.py").run()
    assert {m.label: m.value for m in at.metric}[COVERAGE] == final["funding_coverage"] == "17/17"
