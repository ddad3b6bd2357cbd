"""Reading whole files: encodings, title rows, headers, totals, row numbers, the report."""

from __future__ import annotations

from datetime import date

import pytest

from reform import ingest
from reform.config import Config

STAFFING_GBK = (
    "姜堰区2025年第一季度队伍配备统计表\n"
    "填报单位：各镇街团委,,,,\n"
    "镇街,统计期,岗位类型,核定数（人）,在岗数\n"
    "罗塘,2025年第一季度,专职团干部,2,2\n"
    "三水街道,2025-Q1,青年助力官,1,1\n"
    "\n"
    '张甸镇,2025Q1,团组织书记,"1,234",１２００\n'
    "合计,,,1237,1203\n"
)


def test_gbk_csv_with_title_and_totals_row_validates_with_exactly_its_data_rows(cfg: Config) -> None:
    report = ingest.validate(STAFFING_GBK.encode("gbk"), "队伍配备.csv", cfg)
    assert report.ok, report.to_dict()
    assert report.dataset == "staffing"
    assert report.encoding == "gb18030"
    assert report.header_row == 3
    assert report.rows_valid == 3
    assert report.rows_read == 5  # three data rows, one blank row, one totals row
    assert report.rows_skipped == 2
    assert [p.to_dict() for p in report.warnings] == [
        {"row": 8, "column": None, "value": "合计", "message": "合计行，已跳过（不会保存）"}
    ]
    frame = report.frame
    assert list(frame["source_row"]) == [4, 5, 7]
    assert list(frame["township"]) == ["罗塘街道", "三水街道", "张甸镇"]
    assert list(frame["period"]) == ["2025-Q1"] * 3
    assert list(frame["period_kind"]) == ["quarter"] * 3
    assert list(frame["period_start"]) == [date(2025, 1, 1)] * 3
    assert list(frame["period_end"]) == [date(2025, 3, 31)] * 3
    assert list(frame["authorized"]) == [2, 1, 1234]
    assert list(frame["filled"]) == [2, 1, 1200]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_every_text_encoding_reads_the_same(cfg: Config, encoding: str) -> None:
    report = ingest.validate(STAFFING_GBK.encode(encoding), "a.csv", cfg, "staffing")
    assert report.ok
    assert list(report.frame["township"]) == ["罗塘街道", "三水街道", "张甸镇"]


@pytest.mark.parametrize("separator", ["\t", ";"])
def test_tab_and_semicolon_separators(cfg: Config, separator: str) -> None:
    text = STAFFING_GBK.replace(",", separator).replace(f'"1{separator}234"', "1234")
    report = ingest.validate(text.encode("utf-8"), "a.txt", cfg, "staffing")
    assert report.ok, report.to_dict()
    assert list(report.frame["authorized"]) == [2, 1, 1234]


def test_headers_match_ignoring_case_width_spaces_units_and_by_english_name(cfg: Config) -> None:
    text = "TOWNSHIP, 年 度 ,Fund_Type,金额(元),青少年人数（人）\n罗塘,2022,改革试点专项,25万,\n"
    report = ingest.validate(text.encode(), "f.csv", cfg)
    assert report.ok, report.to_dict()
    assert report.dataset == "funding"
    assert float(report.frame["amount_yuan"][0]) == 250000
    assert report.frame["youth_population"].isna().tolist() == [True]  # empty optional cell is NULL, never 0


def test_unknown_column_is_a_warning_and_ignored(cfg: Config) -> None:
    text = "镇街,年度,经费类型,金额（元）,备注\n罗塘,2022,改革试点专项,25万,按时拨付\n"
    report = ingest.validate(text.encode(), "f.csv", cfg)
    assert report.ok
    assert [(p.row, p.column, p.value) for p in report.warnings] == [(1, None, "备注")]
    assert "备注" not in report.frame.columns


def test_missing_required_column_is_an_error_on_the_header_row(cfg: Config) -> None:
    text = "镇街,统计期,岗位类型,核定数\n罗塘,2022,专职团干部,2\n"
    report = ingest.validate(text.encode(), "s.csv", cfg, "staffing")
    assert not report.ok
    assert [p.to_dict() for p in report.errors] == [
        {"row": 1, "column": "filled", "value": "", "message": "缺少必填列“在岗数”"}
    ]


def test_dataset_not_recognised_says_so(cfg: Config) -> None:
    report = ingest.validate("甲,乙\n1,2\n".encode(), "x.csv", cfg)
    assert not report.ok
    assert report.dataset is None
    assert report.errors[0].code == "dataset_unknown"


def test_header_not_found_for_a_chosen_dataset_lists_its_columns(cfg: Config) -> None:
    report = ingest.validate("甲,乙\n1,2\n".encode(), "x.csv", cfg, "funding")
    assert report.errors[0].code == "header_not_found"
    assert "镇街、年度、经费类型、金额（元）" in report.errors[0].message()


def test_every_bad_cell_is_reported_with_row_column_value_and_nothing_is_valid_twice(cfg: Config) -> None:
    text = (
        "被巡察单位,单位类型,镇街,巡察轮次,巡察日期,发现问题数,整改状态,新建团组织\n"
        "区市场监管局,机关,,第一轮,2022-03-01,3,已整改,否\n"
        "区应急管理局,衙门,北京,第零轮,03/04/2022,-2,好了,也许\n"
        ",机关,,第一轮,2099-01-01,1.5,已整改,\n"
        "区市场监管局,机关,,1,2022-03-02,0,已整改,否\n"
    )
    report = ingest.validate(text.encode(), "i.csv", cfg)
    assert report.dataset == "inspections"
    found = {(p.row, p.column) for p in report.errors}
    assert found == {
        (3, "unit_type"),
        (3, "township"),
        (3, "round"),
        (3, "inspected_on"),
        (3, "issues_found"),
        (3, "rectification"),
        (3, "org_established"),
        (4, "unit_name"),
        (4, "inspected_on"),
        (4, "issues_found"),
        (5, None),  # same unit and round as row 2: a duplicate key, a whole-row problem
    }
    duplicate = next(p for p in report.errors if p.column is None)
    assert duplicate.message() == "与第 2 行重复"
    assert report.rows_valid == 1  # row 2 only; nothing is stored anyway while there are errors
    assert not report.ok


def test_messages_in_english_name_the_column(cfg: Config) -> None:
    text = "镇街,年度,经费类型,金额（元）\n罗塘,2022,改革试点专项,abc\n"
    report = ingest.validate(text.encode(), "f.csv", cfg)
    assert report.to_dict("en")["errors"] == [
        {
            "row": 2,
            "column": "amount_yuan",
            "value": "abc",
            "message": "'amount_yuan' must be an amount such as 250000, 25万 or ¥250,000",
        }
    ]


def test_future_dates_are_refused(cfg: Config) -> None:
    # the district's tomorrow (Asia/Shanghai), not the machine's: between 16:00 and 24:00 UTC they differ
    tomorrow = date.fromordinal(cfg.today().toordinal() + 1).isoformat()
    text = f"阵地名称,镇街,类型,启用日期,统计期\n某之家,罗塘,专营店,{tomorrow},2025\n"
    report = ingest.validate(text.encode(), "v.csv", cfg)
    assert [(p.row, p.column, p.code) for p in report.errors] == [(2, "opened_on", "future_date")]


def test_filled_above_authorized_is_a_warning_not_an_error(cfg: Config) -> None:
    text = "镇街,统计期,岗位类型,核定数,在岗数\n罗塘,2022,青年助力官,1,2\n"
    report = ingest.validate(text.encode(), "s.csv", cfg)
    assert report.ok
    assert [(p.row, p.column, p.code) for p in report.warnings] == [(2, "filled", "filled_above_authorized")]


def test_json_report_has_the_contract_shape(cfg: Config) -> None:
    report = ingest.validate(STAFFING_GBK.encode("gbk"), "a.csv", cfg)
    data = report.to_dict()
    assert list(data) == ["dataset", "ok", "rows_read", "rows_valid", "rows_skipped", "errors", "warnings"]
    assert all(set(p) == {"row", "column", "value", "message"} for p in data["warnings"])


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.csv", "empty_file"),
        (b"abc", "a.pdf", "unsupported_type"),
        (b"\x00\x01\x02" * 50, "a.csv", "binary_file"),
    ],
)
def test_unreadable_files_get_a_file_level_error(cfg: Config, data: bytes, name: str, code: str) -> None:
    report = ingest.validate(data, name, cfg)
    assert [p.code for p in report.errors] == [code]
    assert report.errors[0].row is None


def test_file_over_the_size_limit_is_refused_before_reading(cfg: Config) -> None:
    data = b"x" * (cfg.max_file_mb * 1024 * 1024 + 1)
    report = ingest.validate(data, "big.csv", cfg)
    assert [p.code for p in report.errors] == ["file_too_large"]


def test_same_bytes_same_hash(cfg: Config) -> None:
    a = ingest.validate(STAFFING_GBK.encode("gbk"), "a.csv", cfg)
    b = ingest.validate(STAFFING_GBK.encode("gbk"), "renamed.csv", cfg)
    assert a.content_hash == b.content_hash
    assert a.content_hash != ingest.validate(STAFFING_GBK.encode("utf-8"), "a.csv", cfg).content_hash


VENUE_HEAD = "阵地名称,镇街,类型,启用日期,统计期,活动场次,服务人次\n"


def _venues(names: list[str]) -> bytes:
    return (VENUE_HEAD + "".join(f"{n},罗塘街道,专营店,2020-01-01,2025-Q1,1,1\n" for n in names)).encode("utf-8")


def test_plain_text_read_at_once_keeps_every_name_and_finds_repeats(cfg: Config) -> None:
    """Text DuckDB read as Arrow is checked for all distinct names at once (a million different
    Youth Homes cost no Python per name); the result is what the cell reader gives."""
    report = ingest.validate(_venues(["甲之家", "乙之家", "甲之家", "丙之家"]), "v.csv", cfg, "venues")
    (problem,) = report.errors
    assert (problem.code, problem.row, problem.params["first"]) == ("duplicate_key", 4, 2)
    assert report.frame["venue_name"].tolist() == ["甲之家", "乙之家", "丙之家"]


@pytest.mark.parametrize(
    ("names", "stored", "errors"),
    [
        (["甲之家", " 甲之家"], ["甲之家"], ["duplicate_key"]),  # outer spaces stripped: the same home twice
        (["甲之家", "乙之家\u3000"], ["甲之家", "乙之家"], []),  # an ideographic space is a space
        (["甲之家", "合计"], ["甲之家"], []),  # a totals row: skipped with a warning
        (["甲之家", "x" * 101], ["甲之家"], ["too_long"]),  # over 100 characters
        (["甲之家", '""'], ["甲之家"], ["required"]),  # an empty quoted name
    ],
)
def test_text_that_needs_the_cell_reader_still_gets_it(
    cfg: Config, names: list[str], stored: list[str], errors: list[str]
) -> None:
    report = ingest.validate(_venues(names), "v.csv", cfg, "venues")
    assert [p.code for p in report.errors] == errors
    assert report.frame["venue_name"].tolist() == stored
