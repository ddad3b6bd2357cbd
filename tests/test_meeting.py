"""Meeting mode's deck: slides of a frozen version, and summaries whose numbers are the metrics'."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import AREA_MODULES, overview, slides, summary
from metrics.base import Scope
from reform import ingest
from reform.audience import View
from reform.config import Config
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent
ALL = Scope(2024, 2025)


def sentences(store: Store, cfg: Config, area: str, lang: str = "zh", scope: Scope = ALL) -> list[str]:
    with store.reader() as q:
        results = overview.kpis(q, cfg, scope)
        tables = AREA_MODULES[area].tables(q, cfg, scope) if area in AREA_MODULES else {}
    return summary.sentences(area, results, tables, cfg, lang)


# ------------------------------------------------------------------ summaries, hand-computed from tests/fixtures/small
def test_funding_summary(small_store: Store, small_cfg: Config) -> None:
    # funding is of 2025 (the last year with data; no reporting duty in the fixture): 甲 and 乙 reported it
    assert sentences(small_store, small_cfg, "funding") == [
        "统计期：2025年 · 2/3 已报，丙街道未报。",
        "3 个镇街中 1 个达到每人 3 元标准，乙镇（2.00元）未达标，丙街道尚未报送。",
        "2025 年改革试点专项经费 50 万元，较上年 +100.0%。",
    ]
    assert sentences(small_store, small_cfg, "funding", "en") == [
        "Period: 2025 · 2 of 3 reported; not reported: 丙街道.",
        "1 of 3 townships meet the ¥3 per person standard; below it: 乙镇 (¥2.00); not reported: 丙街道.",
        "Reform pilot special funds in 2025: ¥500,000, +100.0% on the year before.",
    ]


def test_staffing_summary(small_store: Store, small_cfg: Config) -> None:
    # a stock: each township's latest report, all three of 2025-Q2 (丙街道's officer row of 2024-Q4 carries)
    assert sentences(small_store, small_cfg, "staffing") == [
        "统计期：2025年第二季度 · 3/3 已报。",
        "3 个镇街中 2 个已配备专职青年助力官，乙镇尚未配备。",
        "专职团干部配备率 54.5%（在岗 6 人 / 核定 11 人）。",
        "团组织书记空缺 5 个，主要在丙街道（3）、甲镇（2）。",
    ]


def test_venues_alumni_pathways_inspections_summaries(small_store: Store, small_cfg: Config) -> None:
    assert sentences(small_store, small_cfg, "venues") == [
        "统计期：2025年 · 2/3 已报，丙街道未报。",
        "全区共有青年之家 4 个：旗舰店 1 个、专营店 1 个、共营店 2 个。",
        "3 个镇街中 1 个建有专营店，乙镇、丙街道尚未建立。",
    ]
    assert sentences(small_store, small_cfg, "alumni") == [
        "统计期：2025年 · 全区。",
        "3 个城市中 2 个已建立学子联谊会，会员共 150 人，开展活动 7 场；杭州尚未建立。",
    ]
    assert sentences(small_store, small_cfg, "pathways") == [
        "统计期：2025年 · 2/3 已报，丙街道未报。",
        "2025 年计划发展团员 65 名，实际发展 57 名，完成率 87.7%。",
        "未完成计划的镇街：乙镇（50.0%）。",
        "3 所中学中 2 所已建团校分校，乙镇初中尚未建立。",
    ]
    assert sentences(small_store, small_cfg, "inspections") == [
        "统计期：2025年4月2日 · 全区。",
        "已对 3 个单位开展团务巡察（目标 320 个），共 2 轮。",
        "发现问题 10 个，已整改 5 个，整改率 50.0%；整改中 2 个，未整改 3 个。",
        "巡察后 1 个单位新建团组织：区应急管理局。",
    ]


def test_overview_summary_counts_statuses(small_store: Store, small_cfg: Config) -> None:
    with small_store.reader() as q:
        results = overview.kpis(q, small_cfg, ALL)
    lines = summary.sentences("overview", results, {}, small_cfg)
    scored = [r for r in results if r.target is not None]
    counts = [sum(r.status == s for r in scored) for s in ("green", "amber", "red")]
    assert (
        lines[0]
        == f"“四缺”{len(scored)} 项考核指标中，{counts[0]} 项达标，{counts[1]} 项接近目标，{counts[2]} 项未达标。"
    )


def test_every_number_in_the_sample_summaries_is_a_metric_result(sample_db: Path, cfg: Config) -> None:
    store, scope = Store(sample_db), Scope(2021, 2025)
    with store.reader() as q:
        results = {r.key: r for r in overview.kpis(q, cfg, scope)}
        per_capita = AREA_MODULES["funding"].tables(q, cfg, scope)["per_capita"].set_index("township")["per_capita"]
    period, line = sentences(store, cfg, "funding", scope=scope)[:2]
    coverage = results["funding_coverage"]
    reports = coverage.coverage
    assert period == f"统计期：{reports.period}年 · {reports.reported}/{reports.expected} 已报。"
    assert line.startswith(f"{coverage.denominator:.0f} 个镇街中 {coverage.numerator:.0f} 个达到每人 3 元标准")
    for town, value in re.findall(r"(\w+镇|\w+街道)（(\d+\.\d\d)元）", line):
        assert float(value) == pytest.approx(per_capita[town], abs=0.005)
    assert "溱潼镇（2.67元）" in line and "白米镇（2.50元）" in line


# ------------------------------------------------------------------ the deck and the frozen version
def test_deck_has_the_configured_slides_and_a_version_footnote(small_store: Store, small_cfg: Config) -> None:
    deck = slides.build(small_store, small_cfg, View(small_store.data_version(), None, ALL))
    assert [s.key for s in deck.slides] == list(small_cfg.slides)
    assert [s.kind for s in deck.slides] == ["title", "kpis", "chart", "table"]
    assert deck.slides[1].title == "破解“缺政策”：主要指标"
    assert all(f"数据版本 {deck.version}" in s.footnote for s in deck.slides)
    league = deck.slides[3].table  # weakest first: what a meeting must see
    assert list(league.columns[:3]) == ["名次", "镇街", "达标项"]
    assert list(league["达标项"]) == ["1/6", "1/6", "5/6"] and list(league["名次"]) == [2, 2, 1]


def test_the_league_runs_to_pages_weakest_first_and_the_ranking_shows_both_ends(sample_db: Path, cfg: Config) -> None:
    deck = slides.build(
        Store(sample_db),
        cfg,
        View(Store(sample_db).data_version(), None, Scope(2021, 2025)),
        keys=("ranking", "league"),
    )
    ranking, *pages = deck.slides
    assert [s.key for s in pages] == ["league", "league.2"] and {s.source for s in deck.slides} == {"ranking", "league"}
    assert [len(p.table) for p in pages] == [9, 8] and [p.title for p in pages] == [
        "镇街排行（1/2）",
        "镇街排行（2/2）",
    ]
    assert pages[0].table["镇街"].iloc[0] == "华港镇"  # the one township at 4/6 opens the table
    (red, best), (black, worst) = ranking.sides
    assert (red, black) == ("红榜 · 达标项最多", "黑榜 · 达标项最少")
    # ties are never split: all ten townships at 6/6 lead; 华港镇 alone lags (the six tied at 5/6 do not fit
    # within five next to it, and a list does not take some of a tie and leave the others off)
    assert len(best) == 10 and set(best["达标项"]) == {"6/6"} and set(best["名次"]) == {1}
    assert list(worst.columns) == ["名次", "镇街", "达标项"]
    assert list(worst["镇街"]) == ["华港镇"] and list(worst["达标项"]) == ["4/6"]
    assert not set(best["镇街"]) & set(worst["镇街"])
    said = " ".join(ranking.summary)
    assert "达标项最多的 10 个镇街并列：" in said and all(name in said for name in best["镇街"])
    assert "达标项最少：华港镇（4/6 项）" in said


def test_a_frozen_deck_ignores_later_uploads(sample_copy: Path, cfg: Config) -> None:
    store, scope = Store(sample_copy), Scope(2021, 2025)
    frozen = store.data_version()
    before = slides.build(store, cfg, View(frozen, None, scope), keys=("kpis:policy",)).slides[0]
    text = "镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n白米镇,2025,青少年发展专项,2万\n"
    store.commit(ingest.validate(text.encode(), "f.csv", cfg), "clerk")
    again = slides.build(store, cfg, View(frozen, None, scope), keys=("kpis:policy",)).slides[0]
    newest = slides.build(store, cfg, View(store.data_version(), None, scope), keys=("kpis:policy",)).slides[0]
    coverage = {
        s: next(k for k in d.kpis if k.key == "funding_coverage").display()
        for s, d in (("before", before), ("again", again), ("newest", newest))
    }
    assert coverage == {"before": "15/17", "again": "15/17", "newest": "17/17"}
    assert again.summary == before.summary


def test_meeting_page_turns_slides_and_keeps_its_version(
    sample_copy: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFORM_DB", str(sample_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/meeting.py").run()
    assert not at.exception, at.exception
    assert at.markdown[0].value.endswith("基层团组织改革进展汇报")
    at.button(key="meeting.next").click().run()
    assert "破解“缺人员”：主要指标" in [m.value.lstrip("# ").replace("\\", "") for m in at.markdown]
    assert {m.label for m in at.metric} >= {"配齐青年助力官的镇街", "专职团干部配备率", "团组织书记空缺"}
    at.button(key="meeting.next").click().run()
    assert len(at.get("plotly_chart")) == 1
    at.button(key="meeting.previous").click().run()
    assert not at.get("plotly_chart")
    store = Store(sample_copy)
    store.commit(
        ingest.validate("镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n".encode(), "f.csv", cfg),
        "clerk",
    )
    at.run()
    assert any("数据已更新到版本 7" in i.value for i in at.info)
    assert any("会议使用数据版本 6" in c.value for c in at.caption)


def test_two_big_screens_with_the_same_slides_each_poll_their_own_link(sample_copy: Path, cfg: Config) -> None:
    """The deck cache must not hand one browser's page, naming its link's version check, to another."""
    from reform import auth
    from ui import present

    store = Store(sample_copy)
    showing = present.showing_for(
        auth.LOCAL_USER, None, "screen", version=0, keys=("title",), lang="zh", first_year=2021, last_year=2025,
        townships=(),
    )  # fmt: skip
    first = present.render(cfg.with_database(sample_copy), store, showing, "tokenA/version").decode()
    second = present.render(cfg.with_database(sample_copy), store, showing, "tokenB/version").decode()
    assert '"versionUrl": "tokenA/version"' in first and '"versionUrl": "tokenB/version"' in second
