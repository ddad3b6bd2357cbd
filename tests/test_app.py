"""The real Streamlit app through AppTest: every page runs, draws its charts, and an upload changes a figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "app_pages/overview.py": 1,
    "app_pages/township.py": 0,
    "app_pages/meeting.py": 0,
    "app_pages/staffing.py": 3,
    "app_pages/venues.py": 3,
    "app_pages/alumni.py": 1,
    "app_pages/pathways.py": 3,
    "app_pages/funding.py": 3,
    "app_pages/inspections.py": 3,
    "app_pages/upload.py": 0,
    "app_pages/completeness.py": 0,
    "app_pages/data.py": 0,
    "app_pages/notifications.py": 0,
}


@pytest.fixture
def app(sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("REFORM_DB", str(sample_copy))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("title", "subheader", "markdown", "caption", "warning", "info", "success", "error")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize(("page", "charts"), PAGES.items())
def test_every_page_runs_and_draws_its_charts(app: AppTest, page: str, charts: int) -> None:
    app.switch_page(page).run()
    assert not app.exception, app.exception
    plots = app.get("plotly_chart")
    assert len(plots) == charts
    for plot in plots:
        spec = json.loads(plot.proto.spec)
        words = [a["text"] for a in spec["layout"].get("annotations", [])]
        assert spec["data"] or words, page  # every chart has traces, or says in words why not
    assert "示例数据" in texts(app)  # the sample banner while only sample data is stored


def test_a_township_profile_shows_its_rank_indicators_and_trend(app: AppTest) -> None:
    app.query_params["name"] = "华港镇"
    app.switch_page("app_pages/township.py").run()
    assert not app.exception, app.exception
    assert app.selectbox(key="township.choice").value == "华港镇"
    values = {m.label: m.value for m in app.metric}
    assert values == {"排名": "第 17 名 / 17", "达标项": "4/6"}  # the sample's weakest township
    table = app.dataframe[0].value
    assert list(table.columns) == ["指标", "本镇街", "全区", "镇街目标", "是否达标"]
    officers = table.set_index("指标").loc["配齐青年助力官的镇街"]
    assert (officers["本镇街"], officers["全区"], officers["镇街目标"], officers["是否达标"]) == (
        "0",
        "16/17",
        "≥ 1",
        "未达标",
    )
    assert len(app.get("plotly_chart")) == 1


def test_the_overview_lists_both_ends_of_the_ranking_as_links_to_profiles(app: AppTest) -> None:
    from urllib.parse import parse_qs

    links = [e.proto for e in app.get("page_link") if e.proto.query_string]
    named = {parse_qs(link.query_string)["name"][0]: link.label.replace("\\", "") for link in links}
    # the ten tied at 6/6 lead, 华港镇 alone lags (the six tied at 5/6 do not fit beside it: a tie is never split)
    assert len(named) == 11 and named["华港镇"] == "17. 华港镇  4/6"  # the weakest on screen, not behind a scroll
    assert all(link.page == "township" for link in links)
    assert app.dataframe[0].value["镇街"].iloc[0] == "华港镇"  # the full ranking opens with the weakest


def test_area_pages_show_their_written_summary(app: AppTest) -> None:
    app.switch_page("app_pages/funding.py").run()
    assert "17 个镇街中 15 个达到每人 3 元标准，白米镇（2.50元）、溱潼镇（2.67元）未达标。" in [
        m.value.replace("\\", "") for m in app.markdown
    ]


def test_overview_shows_the_scorecard_in_chinese(app: AppTest) -> None:
    labels = [m.label for m in app.metric]
    assert "学子联谊会覆盖城市" in labels
    assert "已开展团务巡察单位" in labels
    values = {m.label: m.value for m in app.metric}
    assert values["学子联谊会覆盖城市"] == "10/10"
    assert values["已开展团务巡察单位"] == "320"
    assert "“四缺”攻坚记分卡" in texts(app)


def test_language_switch_to_english(app: AppTest) -> None:
    app.radio(key="global.lang").set_value("en").run()
    assert not app.exception
    assert "Cities with an alumni association" in [m.label for m in app.metric]
    assert "Four shortages scorecard" in texts(app)


def test_township_filter_changes_the_figures(app: AppTest) -> None:
    before = {m.label: m.value for m in app.metric}["配齐青年助力官的镇街"]
    app.multiselect(key="global.townships").set_value(["罗塘街道", "华港镇"]).run()
    after = {m.label: m.value for m in app.metric}["配齐青年助力官的镇街"]
    assert (before, after) == ("16/17", "1/2")  # 华港镇 is still recruiting in the sample


def test_an_upload_through_the_page_changes_a_figure(app: AppTest) -> None:
    app.switch_page("app_pages/funding.py").run()
    before = {m.label: m.value for m in app.metric}["人均经费达标的镇街"]
    assert before == "15/17"
    app.switch_page("app_pages/upload.py").run()
    csv = (
        "2025年经费报表\n镇街,年度,经费类型,金额（元）,青少年人数\n"
        '溱潼镇,2025年,青少年发展专项,1.5万,\n白米镇,2025,青少年发展专项,"18,000",\n合计,,,33000,\n'
    )
    app.file_uploader(key="upload.file").upload("经费.csv", csv.encode("gbk"), "text/csv").run()
    assert not app.exception, app.exception
    assert any("检查通过：可以保存 2 行" in s.value for s in app.success)
    app.button(key="upload.commit").click().run()
    assert not app.exception, app.exception
    assert any("已保存：第 7 批，2 行" in s.value for s in app.success)
    app.switch_page("app_pages/funding.py").run()
    after = {m.label: m.value for m in app.metric}["人均经费达标的镇街"]
    assert after == "17/17"  # 15000/4500 = 3.33 and 18000/5900 = 3.05 now meet ¥3


def test_a_file_with_errors_shows_rows_and_columns_and_offers_no_commit(app: AppTest) -> None:
    app.switch_page("app_pages/upload.py").run()
    csv = "镇街,年度,经费类型,金额（元）\n北京,2025,改革试点专项,很多\n"
    app.file_uploader(key="upload.file").upload("bad.csv", csv.encode("utf-8"), "text/csv").run()
    assert any("2 处错误" in e.value for e in app.error)
    table = app.dataframe[0].value
    assert list(table["行号"]) == [2, 2]
    assert list(table["列"]) == ["镇街", "金额（元）"]  # the clerk's own headers, not code names (issue 14)
    assert not [b for b in app.button if b.key == "upload.commit"]


def test_upload_shows_what_a_replacement_changes_before_commit(app: AppTest) -> None:
    app.switch_page("app_pages/upload.py").run()
    csv = "镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n"
    app.file_uploader(key="upload.file").upload("经费.csv", csv.encode("utf-8"), "text/csv").run()
    changes = next(d.value for d in app.dataframe if "统计范围" in d.value.columns)
    assert changes.to_dict("records") == [
        {"统计范围": "溱潼镇 · 2025", "现有行数": 1, "文件行数": 1, "新增": 0, "删除": 0, "修改": 1}
    ]
    assert any("将替换 1 个已有统计范围" in w.value for w in app.warning)


def test_history_page_rolls_back_a_batch(app: AppTest) -> None:
    app.switch_page("app_pages/upload.py").run()
    csv = "镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n"
    app.file_uploader(key="upload.file").upload("经费.csv", csv.encode("utf-8"), "text/csv").run()
    app.button(key="upload.commit").click().run()
    app.switch_page("app_pages/funding.py").run()
    assert {m.label: m.value for m in app.metric}["人均经费达标的镇街"] == "16/17"
    app.switch_page("app_pages/data.py").run()
    assert app.selectbox(key="data.batch").value == 7  # newest first
    assert app.button(key="data.undo_button").disabled  # one click alone does nothing: confirm first
    app.checkbox(key="data.undo_sure").check().run()
    app.button(key="data.undo_button").click().run()
    assert not app.exception, app.exception
    assert any("已撤销：记为第 8 批，恢复了 1 行旧数据" in s.value for s in app.success)
    app.switch_page("app_pages/funding.py").run()
    assert {m.label: m.value for m in app.metric}["人均经费达标的镇街"] == "15/17"


def test_completeness_page_lists_the_sample_gaps_and_a_reminder(app: AppTest) -> None:
    """The sample's three gaps of 2025, and — though the sample's data end in 2025 — what this year owes
    already: every township's staffing for each quarter of this year whose deadline (15 days) has passed."""
    from datetime import date, timedelta

    from reform import clock

    app.switch_page("app_pages/completeness.py").run()
    missing = next(d.value for d in app.dataframe if "逾期天数" in d.value.columns)
    before = missing[missing["统计期"].str.startswith("2025")]
    assert set(before["镇街"]) == {"华港镇", "俞垛镇", "淤溪镇"} and len(before) == 3
    today = clock.today()
    ends = [date(today.year, 3 * q + 1, 1) - timedelta(days=1) for q in (1, 2, 3)] + [date(today.year, 12, 31)]
    quarters = [end for end in ends if end + timedelta(days=15) < today]  # due 15 days after the quarter
    assert len(missing) == 3 + 17 * len(quarters)  # the sample has nothing of this year yet
    assert {m.label: m.value for m in app.metric}["未报"] == str(len(missing))
    reminder = app.code[0].value
    assert "华港镇：队伍配备（2025-Q4）" in reminder


def test_area_details_are_drawn_only_when_asked_for(app: AppTest) -> None:
    app.switch_page("app_pages/venues.py").run()
    assert [t.label for t in app.toggle if "行）" in t.label]  # the switch names its row count
    before = len(app.dataframe)
    app.toggle(key="venues.details_shown").set_value(True).run()
    assert not app.exception, app.exception
    assert len(app.dataframe) == before + 1
    table = app.dataframe[-1]
    assert "阵地名称" in table.value.columns and len(table.value) > 0
    shown_as = json.loads(table.proto.columns)["启用日期"]  # a day, not a timestamp with 00:00:00
    assert shown_as["type_config"] == {"type": "date", "format": "YYYY-MM-DD"}


def test_no_table_header_or_cell_word_is_english_on_a_chinese_screen(app: AppTest) -> None:
    """Tables are drawn on a canvas the browser scan cannot read: their headers and words are checked here."""
    import re

    allowed = {"CSV", "XLSX", "GBK", "Q1", "Q2", "Q3", "Q4"}
    found = {}
    for page in [*PAGES, "app_pages/audit.py", "app_pages/users.py"]:
        app.switch_page(page).run()
        for frame in app.dataframe:
            table = frame.value
            words = {w for c in table.columns for w in re.findall(r"[A-Za-z]{2,}", str(c))}
            for column in table.columns:
                if table[column].dtype == object:
                    cells = " ".join(str(v) for v in table[column].dropna().unique()[:200])
                    words |= {w for w in re.findall(r"[A-Za-z]{2,}", cells) if w.isascii()}
            words -= allowed
            if words:
                found[page] = sorted(words)
    assert not found, found
