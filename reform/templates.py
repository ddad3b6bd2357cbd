"""Blank report templates: what a township clerk downloads, fills in and uploads.

The .xlsx has the data sheet named after the dataset (the reader picks it), a
title row, the Chinese headers with a note on each column, drop-down lists for
enumerations, townships and cities, and a second sheet with the rules and one
example row. The example stays out of the data sheet so that it is never uploaded
by mistake. The .csv is the header row alone, UTF-8 with BOM.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reform.config import Config
from reform.datasets import DATASETS, Column, Dataset
from reform.export import HEADER_FILL, HEADER_FONT, csv_bytes, safe_cell
from reform.prefill import Prefill

TEMPLATE_ROWS = 500  # rows below the header that get the drop-down lists
LISTS_SHEET = "选项"


def _note(column: Column) -> str:
    need = "必填" if column.required else "选填"
    choices = f"；可选：{'、'.join(label for _, label in column.choices)}" if column.choices else ""
    return f"{column.zh}：{need}。{column.doc_zh or column.doc}{choices}"


def _choices(column: Column, cfg: Config) -> list[str]:
    if column.choices:
        return [label for _, label in column.choices]
    if column.kind == "township":
        return [*cfg.township_names, cfg.committee]
    if column.kind == "city":
        return list(cfg.city_names)
    if column.kind == "bool":
        return ["是", "否"]
    return []


def _add_lists(book: Workbook, dataset: Dataset, cfg: Config) -> dict[str, str]:
    """A hidden sheet of choices; returns column name -> range formula for its drop-down."""
    sheet = book.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    ranges = {}
    for i, column in enumerate(c for c in dataset.columns if _choices(c, cfg)):
        letter = get_column_letter(i + 1)
        values = _choices(column, cfg)
        sheet.cell(1, i + 1, column.zh)
        for j, value in enumerate(values, start=2):
            sheet.cell(j, i + 1, value)
        ranges[column.name] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _data_sheet(book: Workbook, dataset: Dataset, cfg: Config, title: str = "") -> None:
    sheet = book.active
    sheet.title = dataset.zh
    heading = title or f"{cfg.district_name}{dataset.zh}报表（{dataset.doc_zh or dataset.doc}；请从第 3 行起填写）"
    sheet.cell(1, 1, heading).font = Font(bold=True, size=13)
    ranges = _add_lists(book, dataset, cfg)
    for i, column in enumerate(dataset.columns, start=1):
        cell = sheet.cell(2, i, column.zh)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.comment = Comment(_note(column), "团区委")
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(12, len(column.zh) * 2.6 + 4)
        if column.name in ranges:
            rule = DataValidation(type="list", formula1=ranges[column.name], allow_blank=not column.required)
            rule.error, rule.errorTitle = f"请从下拉列表中选择{column.zh}", "输入有误"
            sheet.add_data_validation(rule)
            rule.add(f"{letter}3:{letter}{TEMPLATE_ROWS + 2}")
    sheet.freeze_panes = "A3"


def _guide_sheet(book: Workbook, dataset: Dataset) -> None:
    sheet = book.create_sheet("填写说明")
    sheet.append(["列名", "代码", "是否必填", "填写规则", "示例"])
    for cell in sheet[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    example = dataset.example
    for column in dataset.columns:
        choices = "、".join(label for _, label in column.choices)
        rule = (column.doc_zh or column.doc) + (f"（{choices}）" if choices else "")
        sheet.append(
            [column.zh, column.name, "必填" if column.required else "选填", rule, str(example.get(column.name, ""))]
        )
    for letter, width in zip("ABCDE", (16, 20, 10, 60, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True)


def xlsx(dataset_name: str, cfg: Config, filled: Prefill | None = None, unit: str = "") -> bytes:
    """The Excel template of one dataset; with ``filled``, ``unit``'s last published period copied
    into the next one, the title saying so (the clerk types only what changed)."""
    dataset = DATASETS[dataset_name]
    book = Workbook()
    title = ""
    if filled is not None:
        title = (
            f"{cfg.district_name}{dataset.zh}报表 · {unit} · {filled.target}"
            f"（已按 {filled.source} 已发布的数据预填，请只修改有变化的项，核对后上传）"
        )
    _data_sheet(book, dataset, cfg, title)
    if filled is not None:
        sheet = book.active
        for r, row in enumerate(filled.rows.itertuples(index=False), start=3):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, safe_cell(value))
    _guide_sheet(book, dataset)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv(dataset_name: str) -> bytes:
    """The CSV template of one dataset: the header row, UTF-8 with BOM."""
    return csv_bytes(pd.DataFrame(columns=[c.zh for c in DATASETS[dataset_name].columns]))


def file_name(dataset_name: str, suffix: str) -> str:
    return f"{DATASETS[dataset_name].zh}模板.{suffix}"
