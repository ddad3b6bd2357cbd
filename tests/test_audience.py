"""Figures a leader can trust in every state of the review workflow (issue: one audience, decided once).

Each numbered finding of the issue, on a copy of the sample store with review on, on 2026-12-07:
1. an upload awaiting review moves nothing a leader sees (years, 较上年, sparklines, 数据截至);
2. the command line, the meeting pack and the digest show what leaders see;
3. one township's approval says so (1/17 已报，其余沿用) and keeps the district's denominator;
4. 时间进度 is stated over the townships that reported (n/N);
5. every figure says how old it is, and overdue reports are said plainly;
6. ties on the 红黑榜 are ties, 团区委 is not ranked;
7. who has not reported is named, and 团区委 is not drawn as a township.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from metrics import AREA_MODULES, freshness, overview, pathways, slides, staffing, summary
from metrics.base import KpiResult
from reform import actions, audience, auth, ingest, review
from reform.audience import Audience, Scope, View
from reform.config import Config
from reform.export import deck_html
from reform.notify import messages
from reform.review import Step
from reform.store import Store
from tests import cli

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 7)
CLERK = auth.User("luotang", "township", "罗塘街道")
REVIEWER = auth.User("district", "district", None)
LEADER = auth.User("leader", "leader", None)
PASSWORD = "Secret-pw-2026"
# 罗塘街道's first report of 2026: its full-time cadres 2/3 (2/2 in 2025-Q4), 28 of 30 branches with a secretary
Q1 = (
    "镇街,统计期,岗位类型,核定数,在岗数\n"
    "罗塘街道,2026年第一季度,专职团干部,3,2\n"
    "罗塘街道,2026年第一季度,青年助力官,2,2\n"
    "罗塘街道,2026年第一季度,团组织书记,30,28\n"
)
Q1_SLICE = '{"township":"罗塘街道","period":"2026-Q1"}'
MEMBERS_2026 = (  # 45 of 60 planned so far: 75.0 %
    "单位,领域,镇街,年度,计划发展数,实际发展数\n罗塘初级中学,初中,罗塘街道,2026,40,30\n罗塘镇街团委,镇街,罗塘街道,2026,20,15\n"
)
MEMBERS_SLICE = '{"township":"罗塘街道","year":2026}'


@pytest.fixture
def setup(sample_db: Path, cfg: Config, tmp_path: Path) -> tuple[Store, Config]:
    """A copy of the sample store with review on and an account per role (for the command line)."""
    db = tmp_path / "review.duckdb"
    shutil.copy(sample_db, db)
    store = Store(db)
    for user in (CLERK, REVIEWER, LEADER):
        auth.add_user(store, cfg, user.name, user.role, PASSWORD, user.township)
    return store, replace(cfg.with_database(db), review_required=True)


def config_file(tmp_path: Path, db: Path) -> Path:
    """The shipped configuration with review on, on ``db`` (for the command line and the pages)."""
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["review"] = {"required": True}
    data["storage"]["sample_dir"] = str(ROOT / "data" / "sample")
    data["storage"]["database"] = str(db)
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def upload(store: Store, cfg: Config, text: str, name: str, user: auth.User = CLERK) -> int:
    report = ingest.validate(text.encode("gbk"), name, cfg)
    assert report.ok, [p.to_dict() for p in report.errors]
    return int(actions.upload(store, cfg, user, report).batch_id)


def leaders(store: Store, cfg: Config) -> Audience:
    return audience.decide(store, cfg, LEADER, today=TODAY)


def figures(store: Store, cfg: Config, seen: Audience) -> dict[str, KpiResult]:
    with seen.view.reading(store) as q:
        return {r.key: r for r in overview.kpis(q, cfg, seen.scope)}


def submitted_q1(store: Store, cfg: Config) -> int:
    batch = upload(store, cfg, Q1, "队伍配备2026一季度.csv")
    review.submit_batch(store, cfg, CLERK, batch)
    return batch


# ------------------------------------------------------------------ 1. awaiting review moves nothing
def test_an_upload_awaiting_review_moves_nothing_a_leader_sees(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    before = leaders(store, cfg)
    shown = figures(store, cfg, before)
    submitted_q1(store, cfg)
    after = leaders(store, cfg)
    assert (after.scope.first_year, after.scope.last_year) == (2021, 2025)  # not widened to 2026
    now = figures(store, cfg, after)
    assert {k: r.to_dict() for k, r in now.items()} == {k: r.to_dict() for k, r in shown.items()}
    assert now["units_inspected"].display_change("zh") == "+50 个单位"  # 320 − 270, not "+0"
    assert now["rectification_rate"].display_change("zh") == "-5.9 个百分点"
    assert list(now["cadre_fill_rate"].trend) == [2021, 2022, 2023, 2024, 2025]  # no flat 2026 point
    assert freshness.as_of_line(list(now.values())) == freshness.as_of_line(list(shown.values()))
    # a reviewer who asks sees them, and the view says so
    pending = audience.decide(store, cfg, REVIEWER, pending=True, today=TODAY)
    assert pending.pending and not pending.view.published and pending.scope.last_year == 2026
    assert figures(store, cfg, pending)["cadre_fill_rate"].coverage.period == "2026-Q1"
    with pytest.raises(audience.PendingNotAllowedError):
        audience.decide(store, cfg, LEADER, pending=True)
    with pytest.raises(audience.PendingNotAllowedError):
        audience.decide(store, cfg, CLERK, pending=True)


def test_an_approved_new_year_leaves_a_figure_of_last_year_compared_with_the_year_before(
    setup: tuple[Store, Config],
) -> None:
    """Inspections are not owed per period: their figure stays as of the last year with data (2025), so
    widening the years to 2026 (an approved report) never compares 2025 with itself (+0)."""
    store, cfg = setup
    submitted_q1(store, cfg)
    review.take(store, cfg, REVIEWER, [Step("staffing", Q1_SLICE, "approve")])
    seen = leaders(store, cfg)
    assert seen.scope.last_year == 2026
    now = figures(store, cfg, seen)
    assert now["units_inspected"].display_change("zh") == "+50 个单位"
    assert now["units_inspected"].as_of == "2025-04-14" and list(now["units_inspected"].trend)[-1] == 2025
    assert now["member_development_rate"].as_of == "2025"  # a flow: 2026 is not reported by anyone


# ------------------------------------------------------------------ 2. every road shows what leaders see
def test_the_command_line_and_the_pack_show_what_leaders_see(setup: tuple[Store, Config], tmp_path: Path) -> None:
    store, cfg = setup
    path = config_file(tmp_path, store.path)

    def kpis(*extra: str) -> dict:
        done = cli.run("--config", str(path), "kpis", "--json", *extra)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    before = kpis()
    submitted_q1(store, cfg)
    after = kpis()
    assert after["kpis"] == before["kpis"] and after["approved_only"] is True
    assert {k["key"]: k["value"] for k in after["kpis"]}["cadre_fill_rate"] == 1.0
    pending = kpis("--pending", "--as", "district")
    assert pending["approved_only"] is False
    assert {k["key"]: k["value"] for k in pending["kpis"]}["cadre_fill_rate"] == pytest.approx(40 / 41)
    refused = cli.run("--config", str(path), "kpis", "--pending", "--as", "leader")
    assert refused.returncode == 1 and "只有审核人员" in refused.stderr and "Traceback" not in refused.stderr
    pack = tmp_path / "pack.html"
    done = cli.run("--config", str(path), "export", "--format", "html", "--out", str(pack))
    assert done.returncode == 0, done.stderr
    text = pack.read_text(encoding="utf-8")
    assert "100.0%" in text and "97.6%" not in text and "含待审核" not in text
    reviewer_pack = tmp_path / "pending.html"
    done = cli.run("--config", str(path), "export", "--format", "html", "--out", str(reviewer_pack), "--pending")
    assert done.returncode == 0 and "97.6%" in reviewer_pack.read_text(encoding="utf-8")
    assert "【含待审核数据】" in reviewer_pack.read_text(encoding="utf-8")
    digest = messages.kpi_results(store, cfg, messages.leaders_of(store, cfg, TODAY))
    assert {k: r.value for k, r in digest.items()} == {k["key"]: k["value"] for k in after["kpis"]}


# ------------------------------------------------------------------ 3. one township's approval
def test_one_townships_approval_says_so_and_keeps_the_district(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    submitted_q1(store, cfg)
    review.take(store, cfg, REVIEWER, [Step("staffing", Q1_SLICE, "approve")])
    seen = leaders(store, cfg)
    now = figures(store, cfg, seen)
    cadres = now["cadre_fill_rate"]
    # 40 posts filled of 40 before; 罗塘街道 2/2 → 2/3: 40/41, over every township and 团区委
    assert (cadres.numerator, cadres.denominator) == (40, 41)
    cover = cadres.coverage
    assert (cover.period, cover.reported, cover.expected, cover.earlier) == ("2026-Q1", 1, 17, "2025-Q4")
    assert cadres.display_coverage("zh") == "2026年第一季度 · 1/17 已报，其余沿用 2025年第四季度"
    assert now["secretary_vacancies"].value == 2  # 罗塘街道's 30 − 28; the others' 2025-Q4 figures carry
    with seen.view.reading(store) as q:
        trend = staffing.trend_by_period(q, cfg, seen.scope)
    cadre_q = trend[trend["post_type"] == "full_time_cadre"].set_index("period")
    assert cadre_q.at["2026-Q1", "filled"] == 40 and cadre_q.at["2025-Q4", "filled"] == 40  # not 2 people
    assert cadre_q.at["2026-Q1", "reported"] == 1 and cadre_q.at["2026-Q1", "expected"] == 17
    notify = replace(cfg.notify, leaders_channel="leaders", digest_weekday=TODAY.isoweekday())
    (digest,) = messages.digest(store, replace(cfg, notify=notify), now, TODAY)
    assert "队伍配备 2026年第一季度 · 1/17 已报，其余沿用 2025年第四季度" in digest.text
    assert "队伍配备 2026-Q1" not in digest.text


# ------------------------------------------------------------------ 4. 时间进度 over those who reported
def test_calendar_progress_is_stated_over_the_townships_that_reported(setup: tuple[Store, Config]) -> None:
    store, cfg = setup
    batch = upload(store, cfg, MEMBERS_2026, "团员发展2026.csv")
    review.submit_batch(store, cfg, CLERK, batch)
    review.take(store, cfg, REVIEWER, [Step("members", MEMBERS_SLICE, "approve")])
    seen = leaders(store, cfg)
    with seen.view.reading(store) as q:
        results = overview.kpis(q, cfg, seen.scope)
        tables = pathways.tables(q, cfg, seen.scope)
    said = summary.sentences("pathways", results, tables, cfg, "zh")
    # 2026-12-07: (11 + 7/31) / 12 = 93.5 % of the year; 罗塘街道 45/60 = 75.0 %, 18.5 points behind
    line = next(s for s in said if "时间进度" in s)
    assert "时间进度 93.5%；已报送的 1/17 个镇街 2026 年团员发展计划已完成 75.0%，落后 18.5 个百分点" in line
    rate = next(r for r in results if r.key == "member_development_rate")
    assert rate.as_of == "2025" and rate.coverage.reported == 16  # the district's rate stays on 2025


# ------------------------------------------------------------------ 5. how old the figures are
def test_the_figures_say_how_old_they_are(sample_db: Path, cfg: Config) -> None:
    store = Store(sample_db)
    view = View(store.data_version(), None, Scope(2021, 2025, today=TODAY))
    with view.reading(store) as q:
        results = overview.kpis(q, cfg, view.scope)
        late = freshness.overdue(q, cfg, TODAY)
    assert freshness.as_of_line(results) == (
        "数据截至：队伍配备 2025年第四季度（16/17 已报）；青年之家、团员发展 2025年（16/17 已报）；"
        "学子联谊会、经费保障 2025年；团务巡察 2025年4月14日"
    )
    # 17 townships × 2026-Q1..Q3 staffing, and the sample's three gaps of 2025 (华港镇 Q4 staffing,
    # 俞垛镇's Youth Homes, 淤溪镇's member development)
    assert (
        freshness.overdue_line(late) == "2026年第一至三季度报表尚有 51 份未报；2025年第四季度及年度报表尚有 3 份未报。"
    )
    deck = slides.build(store, cfg, view, "zh", keys=("kpis:policy",), day=TODAY)
    (slide,) = deck.slides
    assert slide.footnote.startswith("数据截至：队伍配备 2025年第四季度（16/17 已报）；")
    assert "2026年第一至三季度报表尚有 51 份未报" in slide.footnote
    page = deck_html.write(deck, "zh").decode()
    assert "较上年 +50 个单位" in page and "2025年4月14日 · 全区" in page and "2025年 · 17/17 已报" in page


def test_exports_and_the_phone_list_carry_the_period(sample_db: Path, tmp_path: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "s.duckdb"
    shutil.copy(sample_db, db)
    monkeypatch.setenv("REFORM_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("数据截至：队伍配备 2025年第四季度") and "数据版本 6" in c for c in captions)
    assert not any("截至 20" in c and ":" in c.split("截至")[-1] for c in captions)  # no upload time as "as of"
    assert any("报表尚有" in w.value and "份未报" in w.value for w in at.warning)
    cards = [c.value for c in at.caption if "已报" in c.value or "全区" in c.value]
    assert "2025年第四季度 · 16/17 已报，其余沿用 2025年第三季度" in cards
    phone = at.get("page_link")  # the phone's list: each figure a link, its period on the line below
    (row,) = [i for i, link in enumerate(phone) if "配齐青年助力官" in link.proto.label]
    staffing = "2025年第四季度 · 16/17 已报，其余沿用 2025年第三季度"
    assert row >= 0 and sum(staffing in c.value for c in at.caption) == 6  # 3 cards and 3 rows of the list


def test_an_exported_table_says_what_and_of_which_period() -> None:
    from reform.export import xlsx

    data = xlsx({"数据": pd.DataFrame({"镇街": ["罗塘街道"], "达标项": ["6/6"]})}, heading=["镇街排行", "数据截至：…"])
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(data))["数据"]
    assert [sheet.cell(r, 1).value for r in (1, 2, 3, 4)] == ["镇街排行", "数据截至：…", "镇街", "罗塘街道"]
    assert sheet.freeze_panes == "A4"


# ------------------------------------------------------------------ 6. fair rankings
def test_red_and_black_lists_never_split_a_tie() -> None:
    table = pd.DataFrame(
        {"township": list("ABCDEFGHIJ"), "met": [6, 6, 6, 6, 6, 6, 5, 5, 4, 3], "of": 6, "rank": 0}
    )  # best first, as the league table is
    best, worst = overview.red_black(table)
    assert list(best["township"]) == list("ABCDEF")  # six tied at the top: all of them, not five
    assert list(worst["township"]) == ["J", "I", "G", "H"]  # 3, 4, then both 5s (4 ≤ 5)
    tied = pd.DataFrame({"township": list("ABCD"), "met": [5, 5, 5, 5], "of": 6, "rank": 1})
    best, worst = overview.red_black(tied)
    assert len(best) == 4 and worst.empty  # everyone tied: nobody lags behind anyone


def test_the_district_committee_is_never_ranked(sample_db: Path, cfg: Config) -> None:
    store = Store(sample_db)
    with store.reader() as q:
        league = overview.league_table(q, cfg, Scope(2021, 2025, today=TODAY))
    assert sorted(league["township"]) == sorted(cfg.township_names) and cfg.committee not in set(league["township"])
    assert list(league["rank"]) == sorted(league["rank"])  # ties share a rank
    tied = league[league["met"] == league["met"].max()]
    assert list(tied["township"]) == [t for t in cfg.township_names if t in set(tied["township"])]  # no tie-break


# ------------------------------------------------------------------ 7. who has not reported is named
def test_who_has_not_reported_is_named_and_the_committee_is_not_a_township(sample_db: Path, cfg: Config) -> None:
    store = Store(sample_db)
    scope = Scope(2021, 2025, today=TODAY)
    with store.reader() as q:
        results = overview.kpis(q, cfg, scope)
        tables = AREA_MODULES["pathways"].tables(q, cfg, scope)
    towns = tables["by_township"]
    assert list(towns["township"]) == list(cfg.township_names)  # 淤溪镇 included, 团区委 not
    assert pd.isna(towns.set_index("township").at["淤溪镇", "rate"])
    chart = AREA_MODULES["pathways"].figures(tables, cfg, "zh")["by_township"]
    (bars,) = chart.data
    assert cfg.committee not in list(bars.y) and "淤溪镇" in list(bars.y)
    assert dict(zip(bars.y, bars.text, strict=True))["淤溪镇"] == "未报"
    rate = next(r for r in results if r.key == "member_development_rate")
    assert rate.coverage.missing == ("淤溪镇",) and rate.denominator == 1310  # the plan of those who reported
    said = summary.sentences("pathways", results, tables, cfg, "zh")
    assert said[0] == "统计期：2025年 · 16/17 已报，淤溪镇未报。"


# ------------------------------------------------------------------ the scenario, command line
def test_scenario_through_the_command_line(setup: tuple[Store, Config], tmp_path: Path) -> None:
    """sample → 罗塘街道 uploads and submits 2026-Q1 staffing → the leaders' kpis unchanged → the district
    approves → staffing still covers 17 townships and says 1 of 17 reported a later period."""
    store, _ = setup
    path = config_file(tmp_path, store.path)
    run = lambda *a: cli.run("--config", str(path), *a)  # noqa: E731 - a short alias for the steps below
    before = json.loads(run("kpis", "--json").stdout)
    csv = tmp_path / "罗塘一季度.csv"
    csv.write_bytes(Q1.encode("gbk"))
    assert run("ingest", str(csv), "--as", "luotang").returncode == 0
    batch = str(store.data_version())
    assert run("review", "submit", batch, "--as", "luotang").returncode == 0
    assert json.loads(run("kpis", "--json").stdout)["kpis"] == before["kpis"]
    done = run(
        "review", "approve", "--dataset", "staffing", "--slice", "township=罗塘街道,period=2026-Q1", "--as", "district"
    )
    assert done.returncode == 0, done.stderr
    after = {k["key"]: k for k in json.loads(run("kpis", "--json").stdout)["kpis"]}
    cadres = after["cadre_fill_rate"]
    assert (cadres["as_of"], cadres["reported"], cadres["expected"], cadres["earlier"]) == ("2026-Q1", 1, 17, "2025-Q4")
    assert cadres["denominator"] == 41 and cadres["value"] == pytest.approx(40 / 41)
    words = run("kpis").stdout
    assert "专职团干部配备率: 97.6% (目标 100.0%) [接近] · 2026年第一季度 · 1/17 已报，其余沿用 2025年第四季度" in words


def test_a_flow_below_the_share_is_compared_like_for_like(sample_db: Path, cfg: Config, tmp_path: Path) -> None:
    """Years limited to 2026, where only 罗塘街道 and 三水街道 have reported members: the figure is theirs
    (2/17, partial), and 较上年 compares them with their own 2025, not with the whole district's."""
    db = tmp_path / "m.duckdb"
    shutil.copy(sample_db, db)
    store = Store(db)
    rows = "".join(f"罗塘单位{i},初中,罗塘街道,2026,10,8\n" for i in range(4)) + "三水单位,初中,三水街道,2026,10,9\n"
    report = ingest.validate(("单位,领域,镇街,年度,计划发展数,实际发展数\n" + rows).encode(), "m.csv", cfg)
    store.commit(report, "test")
    view = View(store.data_version(), None, Scope(2026, 2026, today=TODAY))
    with view.reading(store) as q:
        rate = next(r for r in overview.kpis(q, cfg, view.scope) if r.key == "member_development_rate")
    assert rate.value == pytest.approx(41 / 50)  # 4 × 8 + 9 of 4 × 10 + 10
    cover = rate.coverage
    assert (cover.partial, cover.reported, cover.expected, cover.units) == (True, 2, 17, ("罗塘街道", "三水街道"))
    # their 2025: 罗塘 41 + 17 + 12 of 39 + 17 + 12, 三水 36 + 14 of 35 + 13 -> 120 / 116 (the district: 1341 / 1310)
    assert rate.previous == pytest.approx(120 / 116)


def test_the_untouched_samples_figures_are_unchanged(sample_db: Path) -> None:
    """kpis --json of the untouched sample, field by field, against what the code before this change printed
    (tests/fixtures/sample_kpis.json): saying periods and coverage changed no figure."""
    golden = json.loads((ROOT / "tests" / "fixtures" / "sample_kpis.json").read_text(encoding="utf-8"))
    done = cli.run("--db", str(sample_db), "kpis", "--json")
    assert done.returncode == 0, done.stderr
    now = json.loads(done.stdout)
    assert {k: now["scope"][k] for k in golden["scope"]} == golden["scope"]
    assert [k["key"] for k in now["kpis"]] == [k["key"] for k in golden["kpis"]]
    for before, after in zip(golden["kpis"], now["kpis"], strict=True):
        for field, value in before.items():
            expected = pytest.approx(value) if isinstance(value, float) else value
            if field == "trend":
                expected = {y: pytest.approx(v) if isinstance(v, float) else v for y, v in value.items()}
            assert after[field] == expected, (before["key"], field)


def test_a_provinces_large_tie_is_said_with_its_count() -> None:
    """1,200 townships, 30 of them at the top score: the list and the sentence show ten by name (township
    order) and say how many tie; the data behind them keeps the whole tie."""
    towns = [f"镇{i:02d}" for i in range(40)]
    table = pd.DataFrame({"township": towns, "met": [6] * 30 + [5] * 9 + [3], "of": 6, "rank": 1})
    best, worst = overview.red_black(table)
    assert len(best) == 30 and list(worst["township"]) == ["镇39"]
    best_line, worst_line = slides.league_lines(table, "zh")
    assert best_line == ("达标项最多的 30 个镇街并列（均为 6/6 项），按镇街顺序如：" + "、".join(towns[:10]) + "等。")
    assert worst_line == "达标项最少：镇39（3/6 项）。"
    assert slides.league_lines(table.assign(met=4), "zh") == ["40 个镇街达标项相同，均为 4/6 项。"]
