"""The review loop, closed (issue: clerks see where their report stands, reviewers see the numbers,
nobody approves their own). On a copy of the sample store with review on and an account per role:

1. a returned report is owed again: 未报 on 报送情况, in the 催报, and on the clerk's pages with its reason;
   its 退回 message goes at once, once;
2. the reviewer sees every row with its values, against the returned version (a resubmission) or last period;
3. nobody approves or returns what they uploaded or submitted (unless the district allows it);
4. the lock holds when a key moves to another township; 5. the dry run says so before the button;
6. 保存并提交审核 is one step, and a submitted report's button says where it stands;
7. pre-filled templates carry the stock, not the flows, and every period still owed can be filled;
8. a header no dataset matches names the closest dataset and what it lacks; no "None" in the problems;
9. a clerk lands on what the unit owes.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from metrics import completeness
from metrics.base import Scope
from reform import actions, auth, ingest, notify, prefill, review
from reform.config import Config
from reform.review import ReviewError, Step
from reform.store import Store
from tests import cli
from tests.receivers import RobotServer

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Secret-pw-2026"
CLERK = auth.User("luotang", "township", "罗塘街道")
REVIEWER = auth.User("district", "district", None)
SECOND = auth.User("district2", "district", None)
ADMIN = auth.User("admin", "admin", None)
TODAY = date(2026, 12, 7)
HEAD = "镇街,统计期,岗位类型,核定数,在岗数\n"
Q1 = HEAD + "罗塘街道,2026年第一季度,专职团干部,3,2\n罗塘街道,2026年第一季度,青年助力官,2,1\n"
Q1_FIXED = HEAD + "罗塘街道,2026年第一季度,专职团干部,3,2\n罗塘街道,2026年第一季度,青年助力官,2,2\n"
Q1_SLICE = '{"township":"罗塘街道","period":"2026-Q1"}'


def config_file(tmp_path: Path, db: Path, url: str = "", **review_keys: object) -> Path:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["review"] = {"required": True, **review_keys}
    data["storage"]["sample_dir"] = str(ROOT / "data" / "sample")
    data["storage"]["database"] = str(db)
    if url:
        data["notify"].update(
            {"townships_channel": "townships", "backoff_seconds": 0.05, "channels": {"townships": {"type": "wecom"}}}
        )
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def setup(sample_db: Path, cfg: Config, tmp_path: Path) -> tuple[Store, Config]:
    db = tmp_path / "loop.duckdb"
    shutil.copy(sample_db, db)
    store = Store(db)
    for user in (CLERK, REVIEWER, SECOND, ADMIN):
        auth.add_user(store, cfg, user.name, user.role, PASSWORD, user.township)
    return store, replace(cfg.with_database(db), review_required=True)


def upload(store: Store, cfg: Config, text: str, user: auth.User = CLERK, name: str = "报表.csv") -> int:
    report = ingest.validate(text.encode("gbk"), name, cfg, store=store)
    assert report.ok, [p.to_dict() for p in report.errors]
    return int(actions.upload(store, cfg, user, report).batch_id)


def status(store: Store, cfg: Config, town: str, period: str) -> str:
    with store.reader() as q:
        frame = completeness.matrix(q, cfg, Scope(2026, 2026, (town,), today=TODAY), TODAY)
    found = frame[(frame["dataset"] == "staffing") & (frame["period"] == period)]
    return str(found["status"].iloc[0])


# ------------------------------------------------------------------ 1. a returned report is owed again
def test_a_returned_report_is_owed_again_and_its_township_is_told_at_once(
    setup: tuple[Store, Config], robots: tuple[RobotServer, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store, cfg = setup
    receiver, url = robots
    monkeypatch.setenv("REFORM_NOTIFY_TOWNSHIPS_URL", f"{url}/wecom?key=k")
    from reform import config as config_module

    cfg = config_module.load(config_file(tmp_path, store.path, url)).with_database(store.path)
    review.submit_batch(store, cfg, CLERK, upload(store, cfg, Q1))
    assert status(store, cfg, "罗塘街道", "2026-Q1") == "late"  # delivered (after its deadline)
    actions.review_steps(store, cfg, REVIEWER, [Step("staffing", Q1_SLICE, "return")], reason="青年助力官人数有误")
    assert status(store, cfg, "罗塘街道", "2026-Q1") == "missing"  # owed again until it is sent again
    said = [r.body["text"]["content"] for r in receiver.received]
    assert said == [
        "【退回】罗塘街道：报表需修改后重新提交\n队伍配备（2026-Q1）已被退回，审核人填写的原因：“青年助力官人数有误”。"
        "请修改后重新上传并提交审核。"
    ]  # at once, not at the next morning's run
    with store.reader() as q:
        frame = completeness.matrix(q, cfg, Scope(2026, 2026, today=TODAY), TODAY)
    text = completeness.reminder(frame, cfg, TODAY)
    assert "罗塘街道：队伍配备（2026-Q1）" in text
    outcome = notify.run(store, cfg, TODAY)  # the scheduled run: the return is not sent twice
    assert not any(key.startswith("returned:") for key in outcome.sent)
    assert any(key.startswith("remind_overdue:罗塘街道") for key in outcome.sent)


# ------------------------------------------------------------------ 2. the reviewer sees the numbers
def test_the_reviewer_sees_every_value_and_a_resubmission_against_the_returned_version(
    setup: tuple[Store, Config],
) -> None:
    store, cfg = setup
    first = upload(store, cfg, Q1)
    review.submit_batch(store, cfg, CLERK, first)
    basis, rows = review.submission(store, "staffing", Q1_SLICE, first)
    assert (basis.kind, basis.period) == ("previous", "2025-Q4")  # a new period: against last period's rows
    assert [(r.kind, r.key, r.values) for r in rows] == [
        ("changed", (("post_type", "full_time_cadre"),), (("authorized", 3), ("filled", 2))),  # 2025-Q4: 2/2
        ("changed", (("post_type", "youth_assistant_officer"),), (("authorized", 2), ("filled", 1))),  # was 2/2
        ("removed", (("post_type", "branch_secretary"),), ()),  # reported last period, not now
        ("removed", (("post_type", "student_volunteer"),), ()),
    ]
    review.take(store, cfg, REVIEWER, [Step("staffing", Q1_SLICE, "return")], reason="青年助力官应为 2 人")
    second = upload(store, cfg, Q1_FIXED)
    review.submit_batch(store, cfg, CLERK, second)
    basis, rows = review.submission(store, "staffing", Q1_SLICE, second)
    assert (basis.kind, basis.batch_id) == ("returned", first)
    assert [(r.kind, r.columns) for r in rows] == [("same", ()), ("changed", (("filled", 1, 2),))]  # 1 → 2


def test_a_figure_far_from_last_periods_is_pointed_out(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    text = "镇街,统计期,岗位类型,核定数,在岗数\n罗塘街道,2026年第一季度,团组织书记,18,5\n"  # 18 in 2025-Q4
    batch = upload(store, cfg, text)
    (row, *_) = review.submission(store, "staffing", Q1_SLICE, batch)[1]
    assert row.outliers == (("filled", 18, 5),)  # -72 %; 核定数 18 → 18 is not pointed out


# ------------------------------------------------------------------ 3. separation of duties
def test_nobody_approves_or_returns_what_they_uploaded_or_submitted(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    alumni = "城市,联谊会名称,会员人数,统计期\n上海,在沪联谊会,130,2026\n"
    batch = upload(store, cfg, alumni, REVIEWER)  # district staff upload the district's own programme
    review.submit_batch(store, cfg, REVIEWER, batch)
    key = '{"period":"2026"}'
    for step in ("approve", "return"):
        with pytest.raises(ReviewError, match="own_slice"):
            review.take(store, cfg, REVIEWER, [Step("alumni", key, step)], reason="自审")
    log = auth.audit_log(store)
    assert {"review_approve", "review_return"} <= set(log[log["outcome"] == "refused"]["action"])
    review.take(store, cfg, SECOND, [Step("alumni", key, "approve")])  # a second person may
    assert review.states(store, "alumni").at[0, "state"] == "approved"


def test_a_district_with_one_reviewer_may_allow_it_and_every_such_step_says_so(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    cfg = replace(cfg, review_allow_self_approval=True)
    batch = upload(store, cfg, "城市,联谊会名称,会员人数,统计期\n上海,在沪联谊会,130,2026\n", REVIEWER)
    review.submit_batch(store, cfg, REVIEWER, batch)
    review.take(store, cfg, REVIEWER, [Step("alumni", '{"period":"2026"}', "approve")])
    line = auth.audit_log(store).iloc[0]
    assert line["action"] == "review_approve" and "allowed by review.allow_self_approval" in line["detail"]


def test_the_command_line_refuses_to_approve_ones_own_submission(setup: tuple[Store, Config], tmp_path: Path) -> None:
    store, _ = setup
    path = config_file(tmp_path, store.path)
    csv = tmp_path / "联谊会.csv"
    csv.write_bytes("城市,联谊会名称,会员人数,统计期\n上海,在沪联谊会,130,2026\n".encode("gbk"))
    assert cli.run("--config", str(path), "ingest", str(csv), "--as", "district").returncode == 0
    assert (
        cli.run("--config", str(path), "review", "submit", str(store.data_version()), "--as", "district").returncode
        == 0
    )
    done = cli.run(
        "--config", str(path), "review", "approve", "--dataset", "alumni", "--slice", "period=2026", "--as", "district"
    )
    assert done.returncode == 1 and "不能由您本人通过" in done.stderr and "Traceback" not in done.stderr
    done = cli.run(
        "--config", str(path), "review", "approve", "--dataset", "alumni", "--slice", "period=2026", "--as", "district2"
    )
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ 4 and 5. the lock through a moved key
VENUES_2025 = '{"township":"罗塘街道","period":"2025"}'


def test_a_locked_slice_keeps_its_youth_home_when_another_upload_moves_it(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    with store.reader() as q:  # 罗塘街道's 2025 Youth Homes, as the sample has them
        homes = q.df("SELECT venue_name FROM current_venues WHERE township = '罗塘街道' AND period = '2025'")
    home = str(homes["venue_name"].iloc[0])
    batch = upload(store, cfg, "阵地名称,镇街,类型,启用日期,统计期\n" + f"{home},罗塘街道,专营店,2022-05-04,2025\n")
    review.submit_batch(store, cfg, CLERK, batch)
    review.take(store, cfg, REVIEWER, [Step("venues", VENUES_2025, "approve")])
    moved = f"阵地名称,镇街,类型,启用日期,统计期\n{home},团区委,专营店,2022-05-04,2025\n"
    report = ingest.validate(moved.encode("gbk"), "青年之家.csv", cfg, store=store)
    assert report.ok
    assert store.locked_slices(report) == [(VENUES_2025, "approved")]  # the dry run's verdict
    with pytest.raises(actions.RefusedError, match="slice_locked"):  # the commit's, inside its transaction
        actions.upload(store, cfg, ADMIN, report)
    with store.reader() as q:
        still = q.df(f"SELECT township FROM current_venues WHERE venue_name = '{home}' AND period = '2025'")
    assert list(still["township"]) == ["罗塘街道"]


def test_the_dry_run_offers_no_save_for_a_locked_slice(
    setup: tuple[Store, Config], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_auth import app, sign_in

    store, cfg = setup
    review.submit_batch(store, cfg, CLERK, upload(store, cfg, Q1))
    monkeypatch.setenv("REFORM_CONFIG", str(config_file(tmp_path, store.path)))
    at = sign_in(app(store.path, monkeypatch), "luotang", PASSWORD)
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload.file").upload("队伍.csv", Q1_FIXED.encode("gbk"), "text/csv").run()
    assert any("已提交审核或已审核通过，不能再修改" in e.value for e in at.error)
    keys = {b.key for b in at.button}
    assert "upload.commit" not in keys and "upload.commit_submit" not in keys
    assert {m.label: m.value for m in at.metric}["可保存行数"] == "0"


# ------------------------------------------------------------------ 6. one step, and a state, not an error
def test_save_and_submit_is_one_step_and_the_button_then_says_where_it_stands(
    setup: tuple[Store, Config], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_auth import app, sign_in

    store, _ = setup
    monkeypatch.setenv("REFORM_CONFIG", str(config_file(tmp_path, store.path)))
    at = sign_in(app(store.path, monkeypatch), "luotang", PASSWORD)
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload.file").upload("队伍.csv", Q1.encode("gbk"), "text/csv").run()
    at.button(key="upload.commit_submit").click().run()
    assert not at.exception, at.exception
    assert any("已提交审核（1 项）" in s.value for s in at.success)
    assert at.button(key="upload.submit").disabled and at.button(key="upload.submit").label == "待审核"
    assert review.states(store, "staffing").set_index("slice").at[Q1_SLICE, "state"] == "submitted"
    at.run()  # another run: still the state, never "没有可提交审核的数据"
    assert not at.error, [e.value for e in at.error]
    assert at.button(key="upload.submit").disabled


# ------------------------------------------------------------------ 7. pre-filled templates
def test_a_prefilled_template_carries_the_stock_and_leaves_the_flows_empty(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    members = prefill.prefill(store, cfg, "members", "罗塘街道")
    assert members is not None and (members.source, members.target) == ("2025", "2026")
    rows = members.rows.set_index("单位")
    assert rows.at["罗塘初级中学", "领域"] == "初中" and rows.at["罗塘初级中学", "团校分校"] == "是"  # the stock
    for flow in ("计划发展数", "实际发展数", "入团仪式场次"):  # 2025's 39, 41 and 3 are not 2026's
        assert rows[flow].isna().all(), flow
    money = prefill.prefill(store, cfg, "funding", "罗塘街道")
    assert money is not None and money.rows["金额（元）"].isna().all()
    staff = prefill.prefill(store, cfg, "staffing", "罗塘街道", target="2026-Q2")  # an overdue quarter
    assert staff is not None and (staff.source, staff.target) == ("2025-Q4", "2026-Q2")
    assert dict(zip(staff.rows["岗位类型"], staff.rows["在岗数"], strict=True))["青年助力官"] == 2  # posts carry


# ------------------------------------------------------------------ 8. recognition explains itself
def test_a_header_no_dataset_matches_names_the_closest_and_what_it_lacks(cfg: Config) -> None:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "队伍配备"
    sheet.append(["2026年第一季度队伍配备统计表"])
    sheet.append(["镇街", "统计期", "岗位类型", "核定数", "在岗人员数"])  # 在岗数 misnamed
    sheet.append(["罗塘街道", "2026年第一季度", "青年助力官", 2, 2])
    sheet.append(["合计", "", "", 2, 2])
    data = io.BytesIO()
    book.save(data)
    report = ingest.validate(data.getvalue(), "队伍.xlsx", cfg)
    (problem,) = report.errors
    said = problem.message("zh")
    assert said.startswith("无法根据表头识别是哪类数据。最接近“队伍配备”：缺少列 在岗数；无法识别的列 在岗人员数")
    frame = report.problems_frame("zh")
    assert "None" not in frame.astype(str).to_numpy().ravel().tolist()
    totals = ingest.validate(
        "镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,1\n合计,,,1\n".encode(), "f.csv", cfg
    )
    assert "None" not in totals.problems_frame("zh").astype(str).to_numpy().ravel().tolist()


# ------------------------------------------------------------------ 9. a clerk lands on what the unit owes
def test_a_clerk_lands_on_what_the_unit_owes_and_sees_a_return_and_its_reason(
    setup: tuple[Store, Config], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_auth import app, sign_in

    store, cfg = setup
    review.submit_batch(store, cfg, CLERK, upload(store, cfg, Q1))
    review.take(store, cfg, REVIEWER, [Step("staffing", Q1_SLICE, "return")], reason="青年助力官应为 2 人")
    monkeypatch.setenv("REFORM_CONFIG", str(config_file(tmp_path, store.path)))
    at = sign_in(app(store.path, monkeypatch), "luotang", PASSWORD)
    assert at.title[0].value == "我的报送"
    assert any(
        "队伍配备 2026年第一季度 已被退回（district" in e.value and "青年助力官应为 2 人" in e.value for e in at.error
    )
    owed = at.dataframe[0].value
    states = dict(zip(owed["报表"], owed["状态"], strict=True))
    assert states["队伍配备 2026年第一季度"] == "已退回，待重新报送"
    assert states["队伍配备 2026年第二季度"].startswith("逾期") and states["队伍配备 2026年第二季度"].endswith("天未报")
    review_table = at.dataframe[1].value
    assert list(review_table["状态"]) == ["已退回"] and list(review_table["原因"]) == ["青年助力官应为 2 人"]
    at.switch_page("app_pages/funding.py").run()  # the return follows the clerk to every page
    assert any("已被退回" in e.value for e in at.error)
    leader = sign_in(app(store.path, monkeypatch), "admin", PASSWORD)
    assert leader.title[0].value == "改革总览"  # everybody else still lands on the overview


def test_what_approving_a_new_periods_report_would_change_is_said(setup: tuple[Store, Config]) -> None:
    """The leaders' years end with the approved data (2025); the effect of approving a 2026 report is
    measured with the years the approval would give them (found looking at the reviewer's page)."""
    store, cfg = setup
    batch = upload(store, cfg, Q1)
    review.submit_batch(store, cfg, CLERK, batch)
    said = review.effect(store, cfg, "staffing", Q1_SLICE, batch, "zh")
    # 罗塘街道 3 posts, 2 filled, where 2025-Q4 had 2 of 2: 40/40 → 40/41; its officers 2 → 1 of 2
    assert "专职团干部配备率 100.0% → 97.6%" in said
