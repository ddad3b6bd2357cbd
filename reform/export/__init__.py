"""Spreadsheets we hand out: tables as .xlsx (and CSV) with formula-like cells made inert.

A cell that starts with ``= + - @`` (or a tab or carriage return) would run as a
formula when a colleague opens the file in Excel or WPS; it is written with a
leading apostrophe so it shows as the text the township typed.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="C8102E")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(color="5F6672")


def safe_cell(value: Any) -> Any:
    """The value to write: text that looks like a formula gets a leading apostrophe; NaN becomes empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value


def cell_text(value: Any) -> str:
    """A table cell as printed on a slide: inert text, money and rates to two decimals, empty for none."""
    value = safe_cell(value)
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def write_sheet(book: Workbook, title: str, frame: pd.DataFrame, heading: Sequence[str] = ()) -> None:
    """One table as a sheet; ``heading``: lines above it (the table's title, 数据截至 …), so a sheet
    forwarded on its own still says what it shows and of which period."""
    sheet = book.create_sheet(title[:31])
    for n, line in enumerate(heading, start=1):
        sheet.append([safe_cell(line)])
        sheet.cell(n, 1).font = TITLE_FONT if n == 1 else NOTE_FONT
    sheet.append([str(c) for c in frame.columns])
    header_row = len(heading) + 1
    for cell in sheet[header_row]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for row in frame.itertuples(index=False, name=None):
        sheet.append([safe_cell(v) for v in row])
    for i, column in enumerate(frame.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, width * 1.6 + 2))
    sheet.freeze_panes = f"A{header_row + 1}"


def xlsx(sheets: Mapping[str, pd.DataFrame], heading: Sequence[str] = ()) -> bytes:
    """Several tables as one .xlsx file, one sheet each, each under the ``heading`` lines."""
    book = Workbook()
    book.remove(book.active)
    for title, frame in sheets.items():
        write_sheet(book, title, frame, heading)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8-with-BOM CSV (what Excel on Windows opens correctly), formulas made inert."""
    safe = frame.map(safe_cell)
    return safe.to_csv(index=False).encode("utf-8-sig")
