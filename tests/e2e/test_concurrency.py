"""Twenty browser sessions viewing while two clerks upload at once, against the real server:
no error on any page, no mixed rows, and the same figures everywhere afterwards."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reform.store import Store
from tests.e2e.conftest import ARTIFACTS, serve

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
VIEWERS = 20
UPLOADS = {  # the same two slices (溱潼镇 and 白米镇 2025 funding) from two clerks at once
    "a.csv": "镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n白米镇,2025,青少年发展专项,2万\n",
    "b.csv": "镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.6万\n白米镇,2025,青少年发展专项,2.1万\n",
}


def coverage(page) -> str:
    """The 人均经费达标的镇街 figure as the page shows it."""
    card = page.locator("[data-testid='stMetric']").filter(has_text="人均经费达标的镇街")
    card.first.wait_for(timeout=120_000)
    return card.first.locator("[data-testid='stMetricValue']").inner_text()


def test_twenty_viewers_while_two_upload(browser, sample_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    shutil.copy(sample_db, db)
    files = {}
    for name, text in UPLOADS.items():
        files[name] = tmp_path / name
        files[name].write_bytes(text.encode("gbk"))
    process, url = serve(db)
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        clerks = {name: context.new_page() for name in UPLOADS}
        for name, page in clerks.items():
            page.goto(f"{url}/upload")
            page.locator("input[type='file']").set_input_files(str(files[name]))
            page.get_by_text("检查通过").wait_for(timeout=120_000)
        viewers = [context.new_page() for _ in range(VIEWERS)]
        for page in viewers:  # every session starts loading at once
            page.goto(f"{url}/funding", wait_until="commit")
        for page in clerks.values():  # both commits while the viewers' pages are being computed
            page.get_by_role("button", name="确认保存").click()
        seen = {coverage(page) for page in viewers}
        for name, page in clerks.items():
            page.screenshot(path=str(ARTIFACTS / f"concurrency-{name}.png"), full_page=True)
        assert seen <= {"15/17", "17/17"}  # the figures before or after: never a half-written state
        for name, page in clerks.items():
            page.screenshot(path=str(ARTIFACTS / f"concurrency-{name}.png"), full_page=True)
            page.get_by_text("已保存：第").wait_for(timeout=240_000)
        for page in viewers:  # afterwards every session shows the same, final figure
            page.get_by_role("link", name="经费保障（缺政策）").click()
        finals = [coverage(page) for page in viewers]
        assert set(finals) == {"17/17"}
        for page in [*viewers, *clerks.values()]:
            assert page.locator("[data-testid='stException']").count() == 0
        viewers[0].screenshot(path=str(ARTIFACTS / "concurrency.png"))
    finally:
        context.close()
        process.terminate()
        process.wait(timeout=20)
    store = Store(db)
    assert store.data_version() == 8  # both uploads stored, one after the other
    slices = store.query(
        "SELECT township, count(DISTINCT batch_id) AS batches, count(*) AS n FROM current_funding "
        "WHERE year = 2025 AND township IN ('溱潼镇', '白米镇') GROUP BY township ORDER BY township"
    )
    assert list(slices["batches"]) == [1, 1] and list(slices["n"]) == [1, 1]  # each slice whole from one upload
    last = store.batches().iloc[0]["file_name"]
    current = store.query("SELECT batch_id FROM current_funding WHERE year = 2025 AND township IN ('溱潼镇', '白米镇')")
    assert set(current["batch_id"]) == {8}, f"both slices from the later upload ({last})"
