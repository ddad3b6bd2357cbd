"""Figures right at every moment of the year (issue 13): a new year's first upload, a future period,
an unfinished period, changes in the KPI's own unit, and the district's time zone."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from metrics import overview, slides
from metrics.base import KpiResult, Scope
from reform import clock, ingest
from reform.audience import View
from reform.config import Config
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 30)
Q3 = "镇街,统计期,岗位类型,核定数,在岗数\n" + "".join(
    f"罗塘街道,2026年第三季度,{post},{n},{n}\n"
    for post, n in (("专职团干部", 2), ("青年助力官", 1), ("团组织书记", 10))
)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reform", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def kpis(db: Path) -> dict[str, dict]:
    return {k["key"]: k for k in json.loads(cli("--db", str(db), "kpis", "--json").stdout)["kpis"]}


def test_a_new_years_first_upload_blanks_no_figure(sample_copy: Path, cfg: Config, tmp_path: Path) -> None:
    """Finding 1: 罗塘街道's 2026-Q3 staffing made five KPIs 无数据 (their yearly datasets had no 2026 rows)."""
    before = kpis(sample_copy)
    store = Store(sample_copy)
    scope = Scope(2021, 2026, today=TODAY)
    columns = ["township", "funding_per_capita", "member_development_rate", "specialty_homes"]
    with store.reader() as q:
        league_before = overview.league_table(q, cfg, scope)[columns].sort_values("township")
    path = tmp_path / "q3.csv"
    path.write_text(Q3, encoding="utf-8")
    assert cli("--db", str(sample_copy), "ingest", str(path)).returncode == 0
    after = kpis(sample_copy)
    assert [k for k, v in after.items() if v["value"] is None] == []
    for key in ("member_development_rate", "league_school_coverage", "funding_per_capita", "funding_coverage"):
        assert after[key]["value"] == before[key]["value"] and after[key]["as_of"] == "2025", key
    assert after["reform_pilot_funds"]["value"] == 480000
    assert after["cadre_fill_rate"]["as_of"] == "2026-Q3"  # each figure names its own period
    with store.reader() as q:
        league = overview.league_table(q, cfg, scope)[columns].sort_values("township")
    pd.testing.assert_frame_equal(league.reset_index(drop=True), league_before.reset_index(drop=True))
    assert league["funding_per_capita"].notna().all()  # only the sample's own gap (淤溪镇's members) stays empty
    assert league["member_development_rate"].isna().sum() == 1
    deck = slides.build(store, cfg, View(store.data_version(), None, scope), "zh")
    shown = [k.display("zh") for s in deck.slides for k in s.kpis]
    assert shown and "无数据" not in shown
    said = " ".join(deck.slides[0].summary)  # the title slide's summary = the overview's
    assert "各项指标按各自报表最近一期统计：队伍配备 2026年第三季度 · 1/17 已报，其余沿用 2025年第四季度；" in said
    assert "经费保障 2025年 · 17/17 已报" in said and "青年之家 2025年 · 16/17 已报" in said


def test_a_period_that_has_not_started_is_refused(cfg: Config) -> None:
    """Finding 2: 罗塘街道,2027年第四季度 was accepted and blanked the district's figures for everyone."""
    data = "镇街,统计期,岗位类型,核定数,在岗数\n罗塘街道,2027年第四季度,专职团干部,1,1\n".encode()
    report = ingest.validate(data, "f.csv", cfg)
    assert [(p.code, p.row, p.column) for p in report.errors] == [("future_period", 2, "period")]
    assert "尚未开始" in report.errors[0].message("zh")
    members = "单位,领域,镇街,年度,计划发展数,实际发展数\n罗塘初中,初中,罗塘街道,2027,10,0\n".encode()
    assert ingest.validate(members, "m.csv", cfg).errors[0].code == "future_period"


def test_one_townships_early_report_does_not_move_a_yearly_figure(sample_copy: Path, tmp_path: Path) -> None:
    """Finding 2: a 2026 members file from one township turned 102.4% into 50.0% (0/8)."""
    rows = "".join(f"罗塘单位{i},初中,罗塘街道,2026,1,0\n" for i in range(8))
    path = tmp_path / "m.csv"
    path.write_text("单位,领域,镇街,年度,计划发展数,实际发展数\n" + rows, encoding="utf-8")
    assert cli("--db", str(sample_copy), "ingest", str(path)).returncode == 0
    figure = kpis(sample_copy)["member_development_rate"]
    assert (round(figure["value"], 3), figure["as_of"]) == (1.024, "2025")


def _result(unit: str, value: float, previous: float, numerator=None, previous_numerator=None, noun="") -> KpiResult:
    return KpiResult(
        "k",
        "people",
        unit,
        value,
        numerator,
        None,
        None,
        None,
        None,
        "info",
        previous,
        None,
        previous_numerator=previous_numerator,
        noun=noun,
    )


@pytest.mark.parametrize(
    ("result", "zh", "en"),
    [
        (_result("share", 16 / 17, 15 / 17, 16, 15, "noun.townships"), "+1 个镇街", "+1 townships"),
        (_result("share", 17 / 19, 13 / 17, 17, 13, "noun.schools"), "+4 所中学", "+4 schools"),
        (_result("ratio", 0.941, 1.0), "-5.9 个百分点", "-5.9 pp"),
        (_result("yuan_per_capita", 3.41, 3.2), "+0.21 元/人", "+0.21 yuan/person"),
        (_result("yuan", 480000, 500000), "-2 万元", "-2 × 10,000 yuan"),
        (_result("count", 320, 270, noun="noun.units"), "+50 个单位", "+50 units"),
    ],
)
def test_change_is_said_in_the_kpis_own_unit(result: KpiResult, zh: str, en: str) -> None:
    """Finding 4: 16/17 → "+0.0%", 17/19 → "+24.5%", a rectification rate "-5.9%"."""
    assert (result.display_change("zh"), result.display_change("en")) == (zh, en)


def test_times_are_stored_in_utc_and_shown_in_the_district_time_zone(cfg: Config) -> None:
    """Finding 7: on a UTC server every time shown was 8 hours off Beijing time."""
    assert cfg.timezone == "Asia/Shanghai"
    stored = clock.now()
    assert abs((datetime.now(clock.zone("UTC")).replace(tzinfo=None) - stored).total_seconds()) < 5
    assert clock.shown(datetime(2026, 1, 15, 17, 0), cfg.timezone) == datetime(2026, 1, 16, 1, 0)
    assert clock.shown(pd.Timestamp("2026-06-30 20:30"), cfg.timezone) == datetime(2026, 7, 1, 4, 30)


def test_a_report_on_time_by_beijing_calendar_counts_on_time(store: Store, small_cfg: Config) -> None:
    """Due 15 days after 2025-Q4 ends: a report sent at 23:30 Beijing time on the 15th (15:30 UTC) is on
    time; one at 00:30 Beijing time on the 16th (16:30 UTC on the 15th) is late."""
    from metrics import completeness

    ok = ingest.validate(
        "镇街,统计期,岗位类型,核定数,在岗数\n甲镇,2025-Q4,专职团干部,1,1\n".encode(), "a.csv", small_cfg
    )
    late = ingest.validate(
        "镇街,统计期,岗位类型,核定数,在岗数\n乙镇,2025-Q4,专职团干部,1,1\n".encode(), "b.csv", small_cfg
    )
    for report, utc in ((ok, "2026-01-15 15:30:00"), (late, "2026-01-15 16:30:00")):
        batch = store.commit(report, "t").batch_id
        with store.connect() as con:
            con.execute("UPDATE batches SET uploaded_at = ? WHERE batch_id = ?", [utc, batch])
    with store.reader() as q:
        frame = completeness.matrix(q, small_cfg, Scope(2025, 2025), date(2026, 2, 1))
    quarter = frame[(frame["dataset"] == "staffing") & (frame["period"] == "2025-Q4")].set_index("township")
    assert quarter.at["甲镇", "status"] == "on_time" and quarter.at["乙镇", "status"] == "late"


def test_sample_data_stays_labelled_while_any_is_current_and_goes_with_remove(
    sample_copy: Path, tmp_path: Path
) -> None:
    """Finding 6: after the first real upload the 示例数据 label went, while ~2,200 invented rows stayed."""
    store = Store(sample_copy)
    assert store.sample_share() == 1.0
    path = tmp_path / "f.csv"
    path.write_text("镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n", encoding="utf-8")
    assert cli("--db", str(sample_copy), "ingest", str(path)).returncode == 0
    share = store.sample_share()
    assert 0.99 < share < 1.0  # one real row among 2,199 current rows
    pack = tmp_path / "pack.html"
    assert cli("--db", str(sample_copy), "export", "--format", "html", "--out", str(pack)).returncode == 0
    assert "其中约 99% 为示例数据" in pack.read_text(encoding="utf-8")
    removed = cli("--db", str(sample_copy), "sample", "--remove")
    assert removed.returncode == 0, removed.stderr
    assert store.sample_share() == 0.0
    kinds = store.batches()["kind"]
    assert (kinds == "sample_remove").sum() == 6  # one recorded batch per sample batch; nothing deleted
    assert store.query("SELECT count(*) AS n FROM current_funding")["n"][0] == 1  # the real row stays
    again = cli("--db", str(sample_copy), "sample", "--remove")
    assert again.returncode == 0 and (store.batches()["kind"] == "sample_remove").sum() == 6


def test_an_unfinished_period_is_drawn_as_such_with_how_many_have_reported(sample_copy: Path, cfg: Config) -> None:
    """Finding 3: 2025-Q4 dipped from 40 to 38 only because 华港镇 had not reported, drawn as final."""
    from metrics import staffing

    with Store(sample_copy).reader() as q:
        data = staffing.tables(q, cfg, Scope(2021, 2025, today=TODAY))
    figure = staffing.figures(data, cfg, "zh")["trend"]
    finished = [t for t in figure.data if "未报齐" not in t.name]
    unfinished = [t for t in figure.data if "未报齐" in t.name]
    assert finished and unfinished
    assert all("2025-Q4" not in list(t.x) for t in finished)  # the solid line stops at the last full period
    assert list(unfinished[0].x) == ["2025-Q3", "2025-Q4"] and list(unfinished[0].text) == ["", "16/17 已报"]
    assert unfinished[0].line.dash == "dot"


def test_progress_against_the_calendar(sample_copy: Path, cfg: Config, tmp_path: Path) -> None:
    """时间进度: at the end of November 91.7 % of the year has gone; 82.0 % of this year's plan done is
    9.7 points behind, named per township in the summary and the league table."""
    from metrics import pathways, summary
    from metrics.progress import calendar_share

    assert calendar_share(TODAY) == pytest.approx(11 / 12)
    assert calendar_share(date(2026, 2, 14)) == pytest.approx((1 + 14 / 28) / 12)
    seasonal = (0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0)  # all the work in July and August
    assert calendar_share(date(2026, 7, 31), seasonal) == pytest.approx(0.5)
    rows = "".join(f"罗塘单位{i},初中,罗塘街道,2026,10,8\n" for i in range(4)) + "三水单位,初中,三水街道,2026,10,9\n"
    path = tmp_path / "m.csv"
    path.write_text("单位,领域,镇街,年度,计划发展数,实际发展数\n" + rows, encoding="utf-8")
    assert cli("--db", str(sample_copy), "ingest", str(path)).returncode == 0
    scope = Scope(2021, 2026, today=TODAY)
    with Store(sample_copy).reader() as q:
        tables = pathways.tables(q, cfg, scope)
        results = overview.kpis(q, cfg, scope)
        league = overview.league_table(q, cfg, scope).set_index("township")
    line = next(s for s in summary.sentences("pathways", results, tables, cfg, "zh") if "时间进度" in s)
    # 41/50 = 82.0 %, over the 2 of 17 townships that reported 2026 so far (said, never the district's as a whole)
    assert "时间进度 91.7%；已报送的 2/17 个镇街 2026 年团员发展计划已完成 82.0%，落后 9.7 个百分点" in line
    assert "罗塘街道（-11.7）、三水街道（-1.7）" in line
    assert league.at["罗塘街道", "calendar_gap"] == pytest.approx((0.8 - 11 / 12) * 100)
    assert pd.isna(league.at["华港镇", "calendar_gap"])  # nothing of 2026 reported yet


def test_one_period_for_every_figure_needs_no_note(sample_db: Path, cfg: Config) -> None:
    store = Store(sample_db)
    deck = slides.build(store, cfg, View(store.data_version(), None, Scope(2021, 2025, today=TODAY)), "zh")
    assert "各项指标按各自报表" not in " ".join(deck.slides[0].summary)


def test_an_administrator_removes_the_sample_from_the_history_page(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("REFORM_DB", str(sample_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert at.button(key="data.sample_remove").disabled  # not before the confirmation
    at.checkbox(key="data.sample_remove_sure").check().run()
    at.button(key="data.sample_remove").click().run()
    assert not at.exception
    assert Store(sample_copy).sample_share() == 0.0
    assert any("已移除示例数据：6 批" in s.value for s in at.success)
