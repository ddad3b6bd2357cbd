"""Check a sheet against a dataset and build the rows that would be stored.

Cells are read column by column over the distinct values of that column, so a
million-row file costs one reader call per distinct cell text, not per cell.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from reform.config import Config
from reform.datasets import Column, Dataset
from reform.ingest import cells
from reform.ingest.cells import CellError
from reform.ingest.header import HeaderMatch
from reform.ingest.report import ERROR, WARNING, Report

MISSING = object()


def cell_reader(column: Column, config: Config) -> Callable[[Any], Any]:
    """The function that reads one cell of this column."""
    kind = column.kind
    readers: dict[str, Callable[[Any], Any]] = {
        "text": lambda v: cells.read_text(v, column.max_length),
        "township": lambda v: cells.read_township(v, config.township_names, config.committee),
        "city": lambda v: cells.read_city(v, config.city_names),
        "period": cells.read_period,
        "date": cells.read_date,
        "integer": lambda v: cells.read_integer(v, column.minimum),
        "amount": lambda v: cells.read_amount(v, column.minimum),
        "year": cells.read_year,
        "round": cells.read_round,
        "bool": cells.read_bool,
        "enum": lambda v: cells.read_choice(v, column.choices),
    }
    return readers[kind]


def _read_column(raw: pd.Series, column: Column, config: Config, report: Report, row_numbers: pd.Series) -> pd.Series:
    """Read every cell of one column; record a problem per bad cell; bad cells become MISSING."""
    reader = cell_reader(column, config)
    blank = raw.map(cells.is_blank)
    results: dict[Any, Any] = {}
    for value in raw[~blank].unique():
        try:
            results[value] = reader(value)
        except CellError as exc:
            results[value] = exc
    values = raw.map(results.get)
    values[blank] = None
    for index in raw.index[blank] if column.required else []:
        report.add(ERROR, "required", int(row_numbers[index]), column.name, "", label=column.zh)
    failed = values.map(lambda v: isinstance(v, CellError))
    for index in raw.index[failed]:
        exc = values[index]
        report.add(ERROR, exc.code, int(row_numbers[index]), column.name, raw[index], label=column.zh, **exc.params)
    values[failed] = None
    if column.no_future:
        today = date.today()
        future = values.map(lambda v: isinstance(v, date) and v > today)
        for index in raw.index[future]:
            report.add(ERROR, "future_date", int(row_numbers[index]), column.name, raw[index], label=column.zh)
    return values


def _data_rows(rows: list[list[Any]], start: int, report: Report) -> tuple[list[list[Any]], list[int]]:
    """Rows after the header, without blank and totals rows; with the user's row numbers."""
    kept, numbers = [], []
    for index in range(start, len(rows)):
        row = rows[index]
        report.rows_read += 1
        texts = [c for c in row if not cells.is_blank(c)]
        if not texts:
            report.rows_skipped += 1
            continue
        first_text = next((c for c in texts if isinstance(c, str)), None)
        if first_text is not None and cells.is_totals_label(first_text):
            report.rows_skipped += 1
            report.add(WARNING, "totals_row", index + 1, None, first_text)
            continue
        kept.append(row)
        numbers.append(index + 1)
    return kept, numbers


def _header_problems(match: HeaderMatch, report: Report) -> None:
    row = match.row_index + 1
    for name in match.missing:
        column = match.dataset.column(name)
        report.add(ERROR, "missing_column", row, name, "", label=column.zh)
    for name in match.duplicates:
        report.add(ERROR, "duplicate_column", row, name, "", label=match.dataset.column(name).zh)
    for _, text in match.unknown:
        report.add(WARNING, "unknown_column", row, None, text, header=text)


def _row_rules(frame: pd.DataFrame, dataset: Dataset, report: Report) -> None:
    """Rules across cells of a row, and duplicate keys across rows."""
    if dataset.name == "staffing":
        over = frame["filled"].notna() & frame["authorized"].notna()
        over &= frame["filled"].where(over, 0) > frame["authorized"].where(over, 0)
        for _, r in frame[over].iterrows():
            report.add(
                WARNING,
                "filled_above_authorized",
                int(r["source_row"]),
                "filled",
                r["filled"],
                authorized=r["authorized"],
            )
    keyed = frame.dropna(subset=list(dataset.key))
    key_frame = keyed[list(dataset.key)].map(lambda v: v.label if isinstance(v, cells.Period) else v)
    dup = key_frame.duplicated(keep=False)
    firsts: dict[tuple[Any, ...], int] = {}
    for index in keyed.index[dup]:
        key = tuple(key_frame.loc[index])
        row = int(keyed.at[index, "source_row"])
        if key in firsts:
            report.add(ERROR, "duplicate_key", row, None, " / ".join(map(str, key)), first=firsts[key])
        else:
            firsts[key] = row


def validate_sheet(rows: list[list[Any]], match: HeaderMatch, config: Config, report: Report) -> None:
    """Fill ``report`` with the problems of the sheet and the normalised rows (``frame``)."""
    dataset = match.dataset
    report.dataset = dataset.name
    report.header_row = match.row_index + 1
    _header_problems(match, report)
    if report.errors:
        return
    data, numbers = _data_rows(rows, match.row_index + match.rows_used, report)
    if not data:
        report.add(ERROR, "no_data_rows", match.row_index + match.rows_used)
        return
    row_numbers = pd.Series(numbers, dtype="int64")
    frame = pd.DataFrame({"source_row": row_numbers})
    before = len(report.errors)
    for column in dataset.columns:
        position = match.positions.get(column.name)
        raw = pd.Series(
            [r[position] if position is not None and position < len(r) else None for r in data],
            dtype=object,
        )
        frame[column.name] = _read_column(raw, column, config, report, row_numbers)
    _row_rules(frame, dataset, report)
    bad_rows = {p.row for p in report.errors[before:]}
    frame = frame[~frame["source_row"].isin(bad_rows)].reset_index(drop=True)
    report.frame = frame
