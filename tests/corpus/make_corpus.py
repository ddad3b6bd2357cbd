"""Write the upload corpus: township files good and bad, with the report each one must get.

Every file's expectation is declared here by hand (dataset, ok, rows to store, and the
(row, column) of each error and warning), never copied from the validator's output.
The .xlsx files are written by openpyxl and, for a few, by LibreOffice headless
(``apt-get install libreoffice-calc``), as township staff's WPS/LibreOffice would.

Run: ``python tests/corpus/make_corpus.py`` (rewrites tests/corpus/files and expected.json).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
EXPECTED: dict[str, dict[str, Any]] = {}

STAFFING = "镇街,统计期,岗位类型,核定数,在岗数\n"
VENUES = "阵地名称,镇街,类型,启用日期,统计期,活动场次,服务人次\n"
FUNDING = "镇街,年度,经费类型,金额（元）,青少年人数\n"
ALUMNI = "城市,联谊会名称,成立日期,会员人数,活动场次,统计期\n"
INSPECTIONS = "被巡察单位,单位类型,镇街,巡察轮次,巡察日期,发现问题数,整改状态,新建团组织\n"
MEMBERS = "单位,领域,镇街,年度,计划发展数,实际发展数,入团仪式场次,团校分校\n"
GOOD_STAFFING = (
    STAFFING + "罗塘街道,2025-Q1,专职团干部,2,2\n三水,2025-Q1,青年助力官,1,1\n张甸镇,2025-Q1,团组织书记,20,18\n"
)


def expect(
    name: str,
    dataset: str | None,
    ok: bool,
    rows_valid: int,
    errors: list[tuple[int | None, str | None]] = (),
    warnings: list[tuple[int | None, str | None]] = (),
    given: str | None = None,
) -> None:
    EXPECTED[name] = {
        "dataset": dataset,
        "ok": ok,
        "rows_valid": rows_valid,
        "errors": sorted([list(e) for e in errors], key=str),
        "warnings": sorted([list(w) for w in warnings], key=str),
        "given_dataset": given,
    }


def text_file(name: str, text: str, encoding: str = "utf-8", **expectation: Any) -> None:
    (FILES / name).write_bytes(text.encode(encoding))
    expect(name, **expectation)


def good_text_files() -> None:
    text_file("staffing_utf8.csv", GOOD_STAFFING, dataset="staffing", ok=True, rows_valid=3)
    text_file("staffing_utf8_bom.csv", GOOD_STAFFING, "utf-8-sig", dataset="staffing", ok=True, rows_valid=3)
    gbk = "姜堰区2025年第一季度队伍配备统计表\n" + GOOD_STAFFING + "合计,,,23,21\n"
    text_file(
        "staffing_gbk_title_totals.csv", gbk, "gbk", dataset="staffing", ok=True, rows_valid=3, warnings=[(6, None)]
    )
    text_file(
        "staffing_gb18030.csv",
        GOOD_STAFFING.replace("三水", "三水街道"),
        "gb18030",
        dataset="staffing",
        ok=True,
        rows_valid=3,
    )
    text_file(
        "staffing_utf16_tab.txt", GOOD_STAFFING.replace(",", "\t"), "utf-16", dataset="staffing", ok=True, rows_valid=3
    )
    text_file(
        "staffing_utf16le_nobom.txt",
        GOOD_STAFFING.replace(",", "\t"),
        "utf-16-le",
        dataset="staffing",
        ok=True,
        rows_valid=3,
    )
    periods = STAFFING + "".join(
        f"罗塘,{p},{post},1,1\n"
        for p, post in zip(
            [
                "2025",
                "2024年",
                "2023-Q1",
                "2023Q2",
                "2023年第三季度",
                "2023年四季度",
                "2022-03",
                "2022/4",
                "2022.05",
                "2022年6月",
            ],
            ["专职团干部"] * 10,
            strict=True,
        )
    )
    text_file("staffing_every_period_form.csv", periods, dataset="staffing", ok=True, rows_valid=10)
    venues = (
        VENUES
        + "甲之家,罗塘,专营店,2022-03-15,2025,10,100\n乙之家,罗塘,共营店,2022/3/15,2025,,\n丙之家,罗塘,shared,2022.3.15,2025,1,\n丁之家,三水,specialty,2022年3月15日,2025,0,0\n"
    )
    text_file("venues_semicolon.csv", venues.replace(",", ";"), dataset="venues", ok=True, rows_valid=4)
    text_file("venues_tab.tsv", venues.replace(",", "\t"), dataset="venues", ok=True, rows_valid=4)
    amounts = (
        FUNDING
        + '团区委,2021,改革试点专项,25万,\n团区委,2022,reform_pilot,"¥500,000",\n罗塘,2022,青少年发展专项,5.2万元,16800\n三水,2022,青少年发展专项,"28,800元",\n张甸,2022,青少年发展专项,２００００,\n'
    )
    text_file("funding_every_amount_form.csv", amounts, dataset="funding", ok=True, rows_valid=5)
    alumni = (
        ALUMNI + "上海市,沪联谊会,2021-04-10,100,5,2025\n杭州,,,30,,2025年\n南京市,宁联谊会,2021年5月1日,50,2,2025\n"
    )
    text_file("alumni_city_suffix.csv", alumni, dataset="alumni", ok=True, rows_valid=3)
    rounds = (
        INSPECTIONS
        + "区市场监管局,机关,,第一轮,2021-04-12,3,已整改,否\n区市场监管局,agency,,第2轮,2022-05-09,1,done,N\n罗塘街道,镇街,罗塘,3,2023-04-17,0,整改中,\n区应急管理局,机关,,第十二轮,2024-04-15,2,未整改,是\n"
    )
    text_file("inspections_every_round_form.csv", rounds, dataset="inspections", ok=True, rows_valid=4)
    members = MEMBERS + "".join(
        f"学校{i},初中,罗塘,2025,10,10,1,{b}\n"
        for i, b in enumerate(["是", "否", "有", "无", "Y", "n", "√", "×", "true", "0"])
    )
    text_file("members_every_yes_no_form.csv", members, dataset="members", ok=True, rows_valid=10)
    english = "township,period,post_type,authorized,filled\n罗塘,2025,full_time_cadre,2,2\n"
    text_file("headers_english_codes.csv", english, dataset="staffing", ok=True, rows_valid=1)
    fullwidth = (
        "ＴＯＷＮＳＨＩＰ, 年　度 ,经费类型,金额(元),青少年人数（人）\n罗塘,２０２５,青少年发展专项,１，０００,\n"
    )
    text_file("headers_fullwidth_and_units.csv", fullwidth, dataset="funding", ok=True, rows_valid=1)
    text_file(
        "unknown_column_warning.csv",
        STAFFING.replace("\n", ",备注\n") + "罗塘,2025,专职团干部,2,2,按时\n",
        dataset="staffing",
        ok=True,
        rows_valid=1,
        warnings=[(1, None)],
    )
    blanks = STAFFING + "\n,,,,\n罗塘,2025,专职团干部,2,2\n  ,  ,,,\n合 计,,,2,2\n小计,,,2,2\n总计,,,2,2\n"
    text_file(
        "blank_and_totals_rows.csv",
        blanks,
        dataset="staffing",
        ok=True,
        rows_valid=1,
        warnings=[(6, None), (7, None), (8, None)],
    )
    nul = STAFFING + "罗\x00塘,2025,专职团干部,2,2\n"
    text_file("nul_bytes_in_cells.csv", nul, dataset="staffing", ok=True, rows_valid=1)
    tricky = (
        VENUES
        + '"=HYPERLINK(""http://x"",""点我"")",罗塘,专营店,2022-01-01,2025,1,1\n<script>alert(1)</script>,罗塘,共营店,2022-01-01,2025,1,1\n'
    )
    text_file("formula_and_html_as_text.csv", tricky, dataset="venues", ok=True, rows_valid=2)
    text_file(
        "filled_above_authorized_warning.csv",
        STAFFING + "罗塘,2025,青年助力官,1,2\n",
        dataset="staffing",
        ok=True,
        rows_valid=1,
        warnings=[(2, "filled")],
    )
    text_file(
        "dataset_given_by_uploader.csv",
        FUNDING + "罗塘,2025,青少年发展专项,100,\n",
        dataset="funding",
        ok=True,
        rows_valid=1,
        given="funding",
    )


def bad_text_files() -> None:
    text_file("empty.csv", "", dataset=None, ok=False, rows_valid=0, errors=[(None, None)])
    text_file("header_only.csv", STAFFING, dataset="staffing", ok=False, rows_valid=0, errors=[(1, None)])
    (FILES / "png_renamed.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    expect("png_renamed.csv", None, False, 0, [(None, None)])
    text_file(
        "unclosed_quote.csv",
        STAFFING + '罗塘,2025,"专职团干部,2,2\n三水,2025,青年助力官,1,1\n',
        dataset=None,
        ok=False,
        rows_valid=0,
        errors=[(2, None)],
    )
    text_file(
        "huge_cell.csv",
        STAFFING + "罗塘,2025," + "长" * 100_001 + ",2,2\n",
        dataset=None,
        ok=False,
        rows_valid=0,
        errors=[(2, None)],
    )
    text_file(
        "long_text_cell.csv",
        VENUES + "青" * 101 + ",罗塘,专营店,2022-01-01,2025,1,1\n",
        dataset="venues",
        ok=False,
        rows_valid=0,
        errors=[(2, "venue_name")],
    )
    dup = STAFFING + "罗塘,2025,专职团干部,2,2\n罗塘街道,2025年,full_time_cadre,2,1\n"
    text_file("duplicate_keys.csv", dup, dataset="staffing", ok=False, rows_valid=1, errors=[(3, None)])
    text_file(
        "missing_required_column.csv",
        "镇街,统计期,岗位类型,核定数\n罗塘,2025,专职团干部,2\n",
        dataset="staffing",
        ok=False,
        rows_valid=0,
        errors=[(1, "filled")],
        given="staffing",
    )
    text_file(
        "unknown_township.csv",
        STAFFING + "北京,2025,专职团干部,2,2\n张甸,2025,专职团干部,2,2\n",
        dataset="staffing",
        ok=False,
        rows_valid=1,
        errors=[(2, "township")],
    )
    text_file(
        "negative_and_fraction.csv",
        STAFFING + "罗塘,2025,专职团干部,-1,1.5\n",
        dataset="staffing",
        ok=False,
        rows_valid=0,
        errors=[(2, "authorized"), (2, "filled")],
    )
    text_file(
        "ambiguous_and_bad_dates.csv",
        VENUES + "甲,罗塘,专营店,03/04/2022,2025,1,1\n乙,罗塘,专营店,2022-02-30,2025,1,1\n",
        dataset="venues",
        ok=False,
        rows_valid=0,
        errors=[(2, "opened_on"), (3, "opened_on")],
    )
    text_file(
        "future_date.csv",
        VENUES + "甲,罗塘,专营店,2099-01-01,2025,1,1\n",
        dataset="venues",
        ok=False,
        rows_valid=0,
        errors=[(2, "opened_on")],
    )
    text_file(
        "bad_enumerations.csv",
        INSPECTIONS + "区某局,衙门,,第一轮,2021-04-12,1,好了,也许\n",
        dataset="inspections",
        ok=False,
        rows_valid=0,
        errors=[(2, "unit_type"), (2, "rectification"), (2, "org_established")],
    )
    text_file(
        "headers_not_recognised.csv",
        "姓名,年龄\n张三,20\n",
        dataset=None,
        ok=False,
        rows_valid=0,
        errors=[(None, None)],
    )
    text_file(
        "wrong_dataset_given.csv",
        GOOD_STAFFING,
        dataset="funding",
        ok=False,
        rows_valid=0,
        errors=[(None, None)],
        given="funding",
    )
    gbk = "2025年经费\n" + FUNDING + "罗塘,2025,青少年发展专项,很多,\n溱潼,2035,青少年发展专项,100,0\n"
    text_file(
        "gbk_with_bad_cells.csv",
        gbk,
        "gbk",
        dataset="funding",
        ok=False,
        rows_valid=0,
        errors=[(3, "amount_yuan"), (4, "year"), (4, "youth_population")],
    )
    text_file(
        "required_cells_empty.csv",
        STAFFING + ",2025,专职团干部,,2\n",
        dataset="staffing",
        ok=False,
        rows_valid=0,
        errors=[(2, "township"), (2, "authorized")],
    )
    text_file("report.pdf", "%PDF-1.4", dataset=None, ok=False, rows_valid=0, errors=[(None, None)])


def _save(book: openpyxl.Workbook, name: str) -> None:
    book.save(FILES / name)


def openpyxl_files() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "队伍配备"
    sheet.append(["2025年第一季度队伍配备统计表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["镇街", "统计期", "岗位类型", "核定数", "在岗数"])
    sheet.append(["罗塘", "2025年第一季度", "专职团干部", 2, 2])
    sheet.append(["三水街道", "2025-Q1", "青年助力官", 1.0, 1])
    sheet.append(["合计", None, None, 3, 3])
    _save(book, "openpyxl_title_merged_totals.xlsx")
    expect("openpyxl_title_merged_totals.xlsx", "staffing", True, 2, warnings=[(5, None)])

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["镇街", "统计期", "岗位类型", "人数", None])
    sheet.append([None, None, None, "核定数", "在岗数"])
    for column in "ABC":
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.merge_cells("D1:E1")
    sheet.append(["罗塘", "2025", "专职团干部", 2, 1])
    _save(book, "openpyxl_two_row_merged_header.xlsx")
    expect("openpyxl_two_row_merged_header.xlsx", "staffing", True, 1)

    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["请在“青年之家”表中填写"])
    sheet = book.create_sheet("青年之家")
    sheet.append(["阵地名称", "镇街", "类型", "启用日期", "统计期", "活动场次", "服务人次"])
    sheet.append(["甲之家", "罗塘", "专营店", datetime(2022, 3, 15), 2025, 12, 300])
    sheet.append(["乙之家", "罗塘", "共营店", date(2023, 1, 2), "2025年", None, None])
    _save(book, "openpyxl_sheet_named_after_dataset.xlsx")
    expect("openpyxl_sheet_named_after_dataset.xlsx", "venues", True, 2)

    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "旧数据"
    hidden.append(["镇街", "年度", "经费类型", "金额（元）"])
    hidden.append(["北京", 1990, "x", "y"])
    hidden.sheet_state = "hidden"
    sheet = book.create_sheet("Sheet2")
    sheet.append(["镇街", "年度", "经费类型", "金额（元）", "青少年人数"])
    sheet.append(["罗塘", 2025, "青少年发展专项", 52000, 16800])
    _save(book, "openpyxl_first_sheet_hidden.xlsx")
    expect("openpyxl_first_sheet_hidden.xlsx", "funding", True, 1)

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["镇街", "统计期", "岗位类型", "核定数", "在岗数"])
    sheet.append(["罗塘", datetime(2025, 3, 1), "专职团干部", 2, 2])  # Excel turned "2025-03" into a date
    sheet.append(["罗塘", datetime(2025, 3, 15), "青年助力官", 1, 1])  # a day is not a period
    _save(book, "openpyxl_period_as_excel_date.xlsx")
    expect("openpyxl_period_as_excel_date.xlsx", "staffing", False, 1, errors=[(3, "period")])

    (FILES / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    expect("corrupt.xlsx", None, False, 0, errors=[(None, None)])

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(300):  # 300 MB of zeros, a few hundred KB packed
                member.write(block)
    (FILES / "zip_bomb.xlsx").write_bytes(buffer.getvalue())
    expect("zip_bomb.xlsx", None, False, 0, errors=[(None, None)])


def libreoffice_files() -> None:
    """Convert a few CSVs with LibreOffice, as WPS/LibreOffice users' files are written."""
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("LibreOffice is needed to write the corpus: apt-get install libreoffice-calc")
    jobs = [
        ("libreoffice_staffing.xlsx", "xlsx", "Calc MS Excel 2007 XML", GOOD_STAFFING, ("staffing", True, 3, [], [])),
        (
            "libreoffice_funding.xls",
            "xls",
            "MS Excel 97",
            FUNDING + "罗塘,2025,青少年发展专项,52000,16800\n三水,2025,青少年发展专项,28800,\n",
            ("funding", True, 2, [], []),
        ),
        (
            "libreoffice_members_bad.xlsx",
            "xlsx",
            "Calc MS Excel 2007 XML",
            MEMBERS + "初中甲,初中,罗塘,2025,10,-3,,是\n",
            ("members", False, 0, [(2, "admitted")], []),
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, suffix, filter_name, text, (dataset, ok, rows, errors, warnings) in jobs:
            source = Path(tmp) / (Path(name).stem + ".csv")
            source.write_text(text, encoding="utf-8")
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    "--infilter=CSV:44,34,76,1",
                    "--convert-to",
                    f"{suffix}:{filter_name}",
                    "--outdir",
                    tmp,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            shutil.copy(Path(tmp) / f"{source.stem}.{suffix}", FILES / name)
            expect(name, dataset, ok, rows, errors, warnings)


def main() -> int:
    shutil.rmtree(FILES, ignore_errors=True)
    FILES.mkdir(parents=True)
    good_text_files()
    bad_text_files()
    openpyxl_files()
    libreoffice_files()
    (HERE / "expected.json").write_text(
        json.dumps(EXPECTED, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"{len(EXPECTED)} files in {FILES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
