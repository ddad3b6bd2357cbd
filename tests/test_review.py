"""Review before publishing, on a real store: submit → return with a reason → resubmit → approve;
an approved slice is locked; leaders' figures change only at approval; every step is audited."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from metrics import overview
from metrics.base import Scope
from reform import actions, auth, ingest, review
from reform.audience import View
from reform.config import Config
from reform.review import ReviewError, Step
from reform.store import Store
from tests.test_auth import accounts_db  # noqa: F401 - fixture: the sample store with one account per role

CLERK = auth.User("luotang", "township", "罗塘街道")
OTHER = auth.User("sanshui", "township", "三水街道")
REVIEWER = auth.User("district", "district", None)
LEADER = auth.User("leader", "leader", None)
FIRST = "镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,9万\n"  # 16,800 young people: 5.36 元/人
FIXED = "镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,1万\n"  # 0.60 元/人: below the 3 元 target
SLICE = '{"township":"罗塘街道","year":2025}'


@pytest.fixture
def signed_db(accounts_db: Path, tmp_path: Path) -> Path:  # noqa: F811 - the imported fixture, used
    path = tmp_path / "accounts.duckdb"
    shutil.copy(accounts_db, path)
    return path


@pytest.fixture
def setup(sample_db: Path, cfg: Config, tmp_path: Path) -> tuple[Store, Config]:
    db = tmp_path / "review.duckdb"
    shutil.copy(sample_db, db)
    return Store(db), replace(cfg.with_database(db), review_required=True)


def per_capita(store: Store, cfg: Config, published: bool) -> float:
    """罗塘街道's funding per young person as a leader (published) or a reviewer sees it."""
    view = View(store.data_version(), store.review_version() if published else None, Scope(2021, 2025))
    with view.reading(store) as q:
        table = overview.league_table(q, cfg, view.scope)
    return round(float(table.set_index("township").at["罗塘街道", "funding_per_capita"]), 2)


def upload(store: Store, cfg: Config, text: str, user: auth.User = CLERK) -> int:
    report = ingest.validate(text.encode("gbk"), "经费.csv", cfg)
    return int(actions.upload(store, cfg, user, report).batch_id)


def test_submit_return_resubmit_approve_lock_and_audit(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    before = per_capita(store, cfg, published=True)
    first = upload(store, cfg, FIRST)
    assert per_capita(store, cfg, published=False) == 5.36  # the reviewer sees the upload …
    assert per_capita(store, cfg, published=True) == before  # … leaders do not, until it is approved
    with pytest.raises(ReviewError, match="not_yours"):
        review.submit_batch(store, cfg, OTHER, first)
    assert review.submit_batch(store, cfg, CLERK, first) == 1
    assert list(review.queue(store)["slice"]) == [SLICE]
    with pytest.raises(actions.RefusedError, match="slice_locked"):  # submitted: no edits meanwhile
        upload(store, cfg, FIXED)
    with pytest.raises(ReviewError, match="needs_reason"):
        review.take(store, cfg, REVIEWER, [Step("funding", SLICE, "return")])
    with pytest.raises(ReviewError, match="forbidden"):
        review.take(store, cfg, LEADER, [Step("funding", SLICE, "approve")])
    review.take(store, cfg, REVIEWER, [Step("funding", SLICE, "return")], reason="金额单位应为元，请核对")
    state = review.states(store, "funding").set_index("slice").loc[SLICE]
    assert (state["state"], state["reason"], state["by_user"]) == ("returned", "金额单位应为元，请核对", "district")
    second = upload(store, cfg, FIXED)  # returned: the township may upload again
    assert review.submit_batch(store, cfg, CLERK, second) == 1
    assert per_capita(store, cfg, published=True) == before
    review.take(store, cfg, REVIEWER, [Step("funding", SLICE, "approve")])
    assert per_capita(store, cfg, published=True) == 0.6  # leaders' figure changes at approval
    with pytest.raises(actions.RefusedError, match="slice_locked"):  # approved: locked
        upload(store, cfg, FIRST)
    with pytest.raises(actions.RefusedError, match="slice_locked"):  # rollback cannot reach into it either
        actions.rollback(store, auth.User("admin", "admin", None), second)
    log = auth.audit_log(store).iloc[::-1]
    done = log[log["action"].str.startswith("review_") & (log["outcome"] == "ok")]
    assert list(done["action"]) == ["review_submit", "review_return", "review_submit", "review_approve"]
    refused = log[log["action"].str.startswith("review_") & (log["outcome"] == "refused")]
    assert list(refused["user_name"]) == ["leader"]
    assert any("金额单位应为元" in d for d in log["detail"])


def test_reopen_keeps_leaders_on_the_approved_figures_until_the_next_approval(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    first = upload(store, cfg, FIRST)
    review.submit_batch(store, cfg, CLERK, first)
    review.take(store, cfg, REVIEWER, [Step("funding", SLICE, "approve")])
    assert per_capita(store, cfg, published=True) == 5.36
    with pytest.raises(ReviewError, match="needs_reason"):
        review.take(store, cfg, REVIEWER, [Step("funding", SLICE, "reopen")])
    review.take(store, cfg, REVIEWER, [Step("funding", SLICE, "reopen")], reason="年中调整预算")
    second = upload(store, cfg, FIXED)
    assert per_capita(store, cfg, published=True) == 5.36  # reopened and re-uploaded: still the approved
    review.submit_batch(store, cfg, CLERK, second)
    review.take(store, cfg, REVIEWER, [Step("funding", SLICE, "approve")])
    assert per_capita(store, cfg, published=True) == 0.6


def test_steps_are_all_or_nothing(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    first = upload(store, cfg, FIRST)
    review.submit_batch(store, cfg, CLERK, first)
    steps = [Step("funding", SLICE, "approve"), Step("funding", '{"township":"三水街道","year":2025}', "approve")]
    with pytest.raises(ReviewError, match="wrong_state"):  # the second slice was never submitted
        review.take(store, cfg, REVIEWER, steps)
    assert review.states(store, "funding").set_index("slice").at[SLICE, "state"] == "submitted"


def test_without_review_an_upload_is_published_at_once(sample_db: Path, cfg: Config, tmp_path: Path) -> None:
    db = tmp_path / "open.duckdb"
    shutil.copy(sample_db, db)
    store = Store(db)
    upload(store, cfg.with_database(db), FIRST)
    assert per_capita(store, cfg, published=True) == per_capita(store, cfg, published=False) == 5.36
    assert review.states(store).empty


def test_through_the_pages_a_clerk_submits_the_district_returns_and_approves_and_the_leader_sees_it(
    signed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same scenario as three people at their own screens (AppTest, real accounts)."""
    db = signed_db
    import yaml

    from tests.test_auth import ROOT, app, sign_in

    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["review"] = {"required": True}
    data["storage"]["sample_dir"] = str(ROOT / "data" / "sample")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("REFORM_CONFIG", str(path))

    def funding_card(user: str) -> str:
        at = sign_in(app(db, monkeypatch), user)
        at.switch_page("app_pages/funding.py").run()
        return {m.label: m.value for m in at.metric}["人均经费达标的镇街"]

    before = funding_card("leader")
    clerk = sign_in(app(db, monkeypatch), "luotang")
    clerk.switch_page("app_pages/upload.py").run()
    clerk.file_uploader(key="upload.file").upload("经费.csv", FIXED.encode("gbk"), "text/csv").run()
    assert clerk.button(key="upload.commit").disabled  # 0.60 元/人 against 2.95 last year: a soft rule asks why
    explain(clerk, "上级专项今年改为年底拨付")
    clerk.button(key="upload.commit").click().run()
    clerk.button(key="upload.submit").click().run()
    assert any("已提交审核（1 项）" in s.value for s in clerk.success)
    assert funding_card("leader") == before  # 罗塘街道's 0.60 元/人 is not published

    district = sign_in(app(db, monkeypatch), "district")
    district.switch_page("app_pages/review.py").run()
    assert not district.exception, district.exception
    (name,) = district.multiselect(key="review.chosen").options
    assert name == "罗塘街道 · 2025 · 经费保障"
    assert district.multiselect(key="review.chosen").proto.placeholder == "请选择"  # not Streamlit's English
    (details,) = district.expander
    assert details.label.startswith("罗塘街道 · 2025 · 经费保障：与上次通过的版本相比，新增 0 行、删除 0 行、修改 1 行")
    (effect,) = [m.value for m in details.markdown if m.value.startswith("通过后：")]
    assert effect.endswith("人均经费达标的镇街 15/17 → 14/17")  # and the district's per-head figure
    far, said = details.warning  # a figure far from last period's, then the clerk's explanation
    assert "1 个数值较上期变化超过一半" in far.value
    shown = said.value.replace("\\", "")  # Markdown escapes
    assert shown.endswith("\n\n说明：上级专项今年改为年底拨付") and "上期人均经费 2.95" in shown
    (diff,) = details.dataframe
    table = diff.value
    assert table[["变化", "行", "改动（原 → 新）"]].values.tolist() == [
        ["修改", "青少年发展专项", "金额（元） 53760 → 10000"]
    ]
    assert table["报送的数值"].iloc[0] == "金额（元） 10000；青少年人数 空"  # every value reported
    assert table["较上期变化较大"].iloc[0] == "金额（元） 49560 → 10000（-80%）"  # against 2024's row
    district.multiselect(key="review.chosen").set_value([name]).run()
    district.button(key="review.return").click().run()
    assert any("退回或重新开放时请填写原因" in e.value for e in district.error)
    district.text_input(key="review.reason").input("请核对金额").run()
    district.button(key="review.return").click().run()
    assert any("已退回 1 项" in s.value for s in district.success)

    corrected = "镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,8000\n"  # 0.48 元/人
    clerk = sign_in(app(db, monkeypatch), "luotang")  # the clerk corrects the file and submits again
    clerk.switch_page("app_pages/upload.py").run()
    clerk.file_uploader(key="upload.file").upload("经费-更正.csv", corrected.encode("gbk"), "text/csv").run()
    explain(clerk, "已按元核对")
    clerk.button(key="upload.commit").click().run()
    clerk.button(key="upload.submit").click().run()
    assert any("已提交审核（1 项）" in s.value for s in clerk.success)
    district.switch_page("app_pages/review.py").run()
    district.multiselect(key="review.chosen").set_value([name]).run()
    district.button(key="review.approve").click().run()
    assert any("已通过 1 项" in s.value for s in district.success)
    after = funding_card("leader")
    assert (before, after) == ("15/17", "14/17")  # 罗塘街道 now below 3 元/人, for leaders too
    banner = sign_in(app(db, monkeypatch), "district")
    banner.toggle(key="global.show_pending").set_value(True).run()
    assert not any("待审核" in w.value for w in banner.warning)  # nothing pending now


def explain(at: object, text: str) -> None:
    """Write the explanation the upload page asks for (one text box per soft rule broken)."""
    (box,) = [t for t in at.text_area if str(t.key).startswith("upload.explain.")]  # type: ignore[attr-defined]
    box.input(text).run()


def test_review_steps_from_the_command_line(setup: tuple[Store, Config], tmp_path: Path) -> None:
    """``review submit|approve|return|reopen|list`` with --as, as the data contract's CLI promises."""
    import json
    import subprocess
    import sys

    import yaml

    from tests.test_auth import ROOT

    store, cfg = setup
    auth.add_user(store, cfg, "luotang", "township", "Luotang-secret-pw", township="罗塘街道")
    auth.add_user(store, cfg, "district", "district", "D1strict-secret-pw")
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["review"] = {"required": True}
    data["storage"]["sample_dir"] = str(ROOT / "data" / "sample")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    batch = upload(store, cfg, FIXED)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "reform", "--db", str(store.path), "--config", str(path), "review", *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)

    refused = cli("submit", str(batch), "--as", "district")
    assert refused.returncode == 1 and "只能提交本镇街的数据" in refused.stderr
    assert cli("submit", str(batch), "--as", "luotang").stdout.strip() == "已提交审核 1 项。"
    slice_ = ["--dataset", "funding", "--slice", "township=罗塘街道,year=2025"]
    wrong = cli("approve", *slice_, "--as", "luotang")
    assert wrong.returncode == 1 and "当前账户无权进行此审核操作" in wrong.stderr
    assert cli("approve", *slice_, "--as", "district").stdout.strip() == "已通过 1 项。"
    again = cli("approve", *slice_, "--as", "district")
    assert again.returncode == 1 and "罗塘街道 2025 当前状态为“已通过”，不能通过" in again.stderr
    assert cli("reopen", *slice_, "--reason", "年中调整", "--as", "district").returncode == 0
    listed = json.loads(cli("list", "--json").stdout)
    assert [(r["state"], r["reason"], r["by_user"]) for r in listed] == [("reopened", "年中调整", "district")]


def test_the_queue_says_what_each_approval_would_change_for_leaders(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    first = upload(store, cfg, FIXED)  # 罗塘街道 2025: 0.60 元/人, below the 3 元 standard
    review.submit_batch(store, cfg, CLERK, first)
    change = review.effect(store, cfg, "funding", SLICE, first, "zh")
    assert "人均经费达标的镇街 15/17 → 14/17" in change
    assert not any(c.startswith("专职团干部配备率") for c in change)  # staffing is untouched
    assert per_capita(store, cfg, published=True) == 3.2  # asking changed nothing
    review.take(store, cfg, REVIEWER, [Step("funding", SLICE, "approve")])
    assert per_capita(store, cfg, published=True) == 0.6


def test_the_queue_shows_rows_added_removed_and_changed_against_the_approved_version(
    setup: tuple[Store, Config],
) -> None:
    store, cfg = setup
    head = "镇街,统计期,岗位类型,核定数,在岗数\n"
    key = '{"township":"罗塘街道","period":"2026"}'

    def submit(text: str) -> int:
        report = ingest.validate(text.encode("utf-8"), "队伍.csv", cfg, "staffing", store=store)
        assert report.ok, report.to_dict()
        batch = int(actions.upload(store, cfg, CLERK, report).batch_id)
        review.submit_batch(store, cfg, CLERK, batch)
        return batch

    first = submit(head + "罗塘街道,2026,专职团干部,5,4\n罗塘街道,2026,青年助力官,3,3\n罗塘街道,2026,兼职团干部,2,2\n")
    assert [(c.kind, c.key) for c in review.changes(store, "staffing", key, first)] == [
        ("added", (("post_type", "full_time_cadre"),)),  # nothing approved yet: every row is new
        ("added", (("post_type", "youth_assistant_officer"),)),
        ("added", (("post_type", "part_time_cadre"),)),
    ]
    review.take(store, cfg, REVIEWER, [Step("staffing", key, "approve")])
    review.take(store, cfg, REVIEWER, [Step("staffing", key, "reopen")], reason="年中调整")
    second = submit(head + "罗塘街道,2026,专职团干部,5,5\n罗塘街道,2026,兼职团干部,2,2\n罗塘街道,2026,挂职团干部,1,1\n")
    found = review.changes(store, "staffing", key, second)
    assert [(c.kind, c.key[0][1], c.columns) for c in found] == [
        ("changed", "full_time_cadre", (("filled", 4, 5),)),  # 在岗数 4 → 5; 兼职团干部 unchanged: not listed
        ("added", "seconded_cadre", ()),
        ("removed", "youth_assistant_officer", ()),
    ]
    assert review.explanations(store, "staffing", key, second).empty
