"""Templates a clerk downloads: headers, notes, drop-down lists, and a filled template round-trips."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from reform import export, ingest, templates
from reform.config import Config
from reform.datasets import DATASETS
from reform.store import Store


def fill(data: bytes, dataset: str) -> bytes:
    """Type the guide's example row into the data sheet, as a clerk would."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    example = DATASETS[dataset].example
    book.worksheets[0].append([example.get(c.name) or None for c in DATASETS[dataset].columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_xlsx_template_layout(cfg: Config, dataset: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(templates.xlsx(dataset, cfg)))
    sheet = book.worksheets[0]
    assert sheet.title == DATASETS[dataset].zh
    headers = [c.value for c in sheet[2]]
    assert headers == [c.zh for c in DATASETS[dataset].columns]
    assert all(c.comment and c.comment.text for c in sheet[2])  # a note on every column
    assert sheet.max_row == 2  # no example row in the data sheet: it could be uploaded by mistake
    assert book["选项"].sheet_state == "hidden"
    guide = book["填写说明"]
    assert guide.max_row == 1 + len(DATASETS[dataset].columns)


def test_drop_down_lists_for_enumerations_and_townships(cfg: Config) -> None:
    book = openpyxl.load_workbook(io.BytesIO(templates.xlsx("venues", cfg)))
    rules = {str(r.sqref)[0]: r.formula1 for r in book.worksheets[0].data_validations.dataValidation}
    assert set(rules) == {"B", "C"}  # township, tier
    lists = book["选项"]
    values = {
        lists.cell(1, col).value: [
            lists.cell(r, col).value for r in range(2, lists.max_row + 1) if lists.cell(r, col).value
        ]
        for col in range(1, lists.max_column + 1)
    }
    assert values["类型"] == ["旗舰店", "专营店", "共营店"]
    assert values["镇街"][:2] == ["罗塘街道", "三水街道"] and values["镇街"][-1] == "团区委"


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_a_filled_template_round_trips(cfg: Config, store: Store, dataset: str) -> None:
    report = ingest.validate(fill(templates.xlsx(dataset, cfg), dataset), "filled.xlsx", cfg)
    assert report.ok, report.to_dict()
    assert (report.dataset, report.rows_valid, report.header_row) == (dataset, 1, 2)
    assert store.commit(report, "clerk").rows_stored == 1


def test_csv_template_is_the_header_row_with_a_bom(cfg: Config) -> None:
    data = templates.csv("funding")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip() == "镇街,年度,经费类型,金额（元）,青少年人数"
    filled = data + "罗塘,2025,青少年发展专项,5.2万,\n".encode()
    report = ingest.validate(filled, "funding.csv", cfg)
    assert report.ok and report.rows_valid == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("罗塘", "罗塘"),
        (3, 3),
        (None, None),
        (float("nan"), None),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert export.safe_cell(value) == expected


def test_exported_spreadsheet_shows_formulas_as_text() -> None:
    import pandas as pd

    data = export.xlsx({"问题": pd.DataFrame({"内容": ['=HYPERLINK("http://x")', "正常"], "行号": [2, 3]})})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")
    assert sheet["B3"].value == 3


def test_a_prefilled_template_carries_the_last_published_period_into_the_next(sample_db: Path, cfg: Config) -> None:
    """罗塘街道's staffing 2025-Q4 (as stored in the sample) becomes its 2026-Q1 template, marked as
    pre-filled, and reads back through the normal upload check without a single problem."""
    from reform import prefill

    filled = prefill.prefill(Store(sample_db), cfg, "staffing", "罗塘街道")
    assert (filled.source, filled.target) == ("2025-Q4", "2026-Q1")
    data = templates.xlsx("staffing", cfg, filled, "罗塘街道")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert "罗塘街道 · 2026-Q1（已按 2025-Q4 已发布的数据预填" in sheet.cell(1, 1).value
    rows = [tuple(c.value for c in r) for r in sheet.iter_rows(min_row=3, max_col=5) if r[0].value]
    assert sorted(rows) == sorted(
        [
            ("罗塘街道", "2026-Q1", "青年助力官", 2, 2),
            ("罗塘街道", "2026-Q1", "专职团干部", 2, 2),
            ("罗塘街道", "2026-Q1", "团组织书记", 18, 18),
            ("罗塘街道", "2026-Q1", "高校学生", 3, 2),
        ]
    )
    report = ingest.validate(data, "预填.xlsx", cfg, "staffing")
    assert report.ok and report.rows_valid == len(filled.rows) == len(rows) and not report.warnings
    assert prefill.next_period("2025-12") == "2026-01" and prefill.next_period("2025") == "2026"


def test_nothing_to_prefill_for_rounds_or_a_unit_without_data(sample_db: Path, cfg: Config, store: Store) -> None:
    from reform import prefill

    assert prefill.prefill(Store(sample_db), cfg, "inspections", "团区委") is None  # rounds are not periodic
    assert prefill.prefill(store, cfg, "funding", "罗塘街道") is None  # an empty store
