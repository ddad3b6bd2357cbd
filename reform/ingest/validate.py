"""Check a sheet against a dataset and build the rows that would be stored.

The work is per column and per distinct value: each sheet column is factorised once
(a code per cell into the column's distinct values), a cell reader runs once per
distinct value, and what holds for a cell is a numpy ``take`` over the codes. A
million-row file costs one reader call per distinct value and a few vector operations
per column; only rows with a problem are visited one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from reform.config import Config
from reform.datasets import AboveRule, Column, Dataset
from reform.ingest import cells
from reform.ingest.cells import CellError
from reform.ingest.header import HeaderMatch
from reform.ingest.readers import Sheet
from reform.ingest.report import ERROR, WARNING, Progress, Report

FACTORISE_THREADS = 2  # the sheet's columns are hashed this many at a time (a million-row file: ~0.2 s saved)


def cell_reader(column: Column, config: Config) -> Callable[[Any], Any]:
    """The function that reads one cell of this column."""
    kind, towns, cities = column.kind, config.township_names, config.city_names
    readers: dict[str, Callable[[Any], Any]] = {
        "text": lambda v: cells.read_text(v, column.max_length),
        "township": lambda v: cells.read_township(v, towns, config.committee),
        "city": lambda v: cells.read_city(v, cities),
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


@dataclass
class Factorised:
    """One sheet column as codes into its distinct values (code -1: an empty cell).

    A column DuckDB read as text also keeps its distinct values as an Arrow array (``arrow``):
    what holds for plain text (no outer space, no NUL) is then decided for all of them at once,
    and only the rest reach Python (a column of a million different names never does).
    """

    codes: np.ndarray
    _uniques: list[Any] | None = None
    arrow: Any = None  # pyarrow string array of the distinct values, when read as Arrow text
    _plain: np.ndarray | None = None  # plain() once computed (the row marks and the text reader both ask)

    @classmethod
    def of(cls, values: pd.Series) -> Factorised:
        if isinstance(values.array, pd.arrays.ArrowStringArray):
            column = pa.array(values.array)
            column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
            encoded = column.dictionary_encode()
            codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
            return cls(codes, None, encoded.dictionary)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return cls(np.asarray(codes, dtype=np.int64), list(uniques))

    @property
    def uniques(self) -> list[Any]:
        """The distinct values as Python objects (made from the Arrow array only when asked)."""
        if self._uniques is None:
            self._uniques = self.arrow.to_pylist() if self.arrow is not None else []
        return self._uniques

    def unique(self, code: int) -> Any:
        """One distinct value, without turning them all into Python objects."""
        if self._uniques is None and self.arrow is not None:
            return self.arrow[int(code)].as_py()
        return self.uniques[int(code)]

    def plain(self) -> np.ndarray | None:
        """Per distinct value: non-empty text that ``strip()`` and the text reader keep as it is
        (None when the column is not Arrow text)."""
        if self.arrow is None:
            return None
        if self._plain is None:
            edge = pc.match_substring_regex(self.arrow, cells.EDGE_OR_NUL_RE2).to_numpy(zero_copy_only=False)
            filled = pc.utf8_length(self.arrow).to_numpy(zero_copy_only=False) > 0
            self._plain = ~np.asarray(edge, dtype=bool) & filled
        return self._plain

    def per_value(self, values: Any, empty: Any, dtype: Any = object) -> np.ndarray:
        """One result per distinct value (in ``uniques`` order) spread to every cell; ``empty`` for -1."""
        table = np.empty(len(values) + 1, dtype=dtype)
        table[: len(values)] = values
        table[-1] = empty  # code -1 takes the last entry
        return table[self.codes]

    def rows(self, index: np.ndarray) -> Factorised:
        """The same column on the data rows only (no copy when every row holds data)."""
        every = len(index) == len(self.codes) and (not len(index) or int(index[-1]) == len(index) - 1)
        return Factorised(self.codes if every else self.codes[index], self._uniques, self.arrow, self.plain())

    def raw(self, row: int) -> Any:
        code = self.codes[row]
        return None if code < 0 else self.unique(code)

    def __len__(self) -> int:
        return len(self.arrow) if self.arrow is not None else len(self.uniques)


def _row_marks(column: Factorised) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: blank, a text cell (non-blank string), and a totals label; one pass over the distinct
    values (plain Arrow text decided at once: not blank, text, and a totals label only where a
    character of 合计/总计/小计/total could be)."""
    plain = column.plain()
    count = len(column)
    if plain is None:
        python = np.arange(count)
        blank, text, totals = np.zeros(count, bool), np.zeros(count, bool), np.zeros(count, bool)
    else:
        hint = pc.match_substring_regex(column.arrow, cells.TOTALS_HINT_RE2).to_numpy(zero_copy_only=False)
        python = np.flatnonzero(~plain | np.asarray(hint, dtype=bool))
        blank, text, totals = np.zeros(count, bool), plain.copy(), np.zeros(count, bool)
    for index in python:
        value = column.unique(index)
        empty = cells.is_blank(value)
        is_text = isinstance(value, str) and not empty
        blank[index], text[index] = empty, is_text
        totals[index] = is_text and cells.is_totals_label(value)
    return (
        column.per_value(blank, True, bool),
        column.per_value(text, False, bool),
        column.per_value(totals, False, bool),
    )


def _data_rows(sheet: list[Factorised], start: int, report: Report) -> np.ndarray:
    """Indices (into the sheet's body) of rows that hold data: blank and totals rows are skipped.

    A totals row is one whose first text cell reads 合计/总计/小计; blank rows at the end
    (formatting left in the file) are not counted as read.
    """
    marks = [_row_marks(c) for c in sheet]
    empty = np.logical_and.reduce([m[0] for m in marks])
    filled = np.flatnonzero(~empty)
    used = int(filled[-1]) + 1 if len(filled) else 0
    if not any(m[2][:used].any() for m in marks):  # no cell reads 合计/总计/小计: no totals row to find
        report.rows_read += used
        report.rows_skipped += int(empty[:used].sum())
        return np.flatnonzero(~empty[:used])
    text = np.column_stack([m[1][:used] for m in marks])
    first = text.argmax(axis=1)
    totals_cells = np.column_stack([m[2][:used] for m in marks])
    totals = text.any(axis=1) & totals_cells[np.arange(used), first]
    report.rows_read += used
    report.rows_skipped += int(empty[:used].sum() + totals.sum())
    for index in np.flatnonzero(totals):
        report.add(WARNING, "totals_row", start + int(index) + 1, None, sheet[first[index]].raw(int(index)))
    return np.flatnonzero(~(empty[:used] | totals))


@dataclass
class ColumnResult:
    """A dataset column read: its normalised value per distinct value and per row, and its bad rows."""

    column: Column
    cells: Factorised
    _values: list[Any] | None  # per distinct value: the normalised value, None when empty or unreadable
    bad: np.ndarray  # per row: an error was reported for this cell
    as_read: bool = False  # text kept exactly as read: the normalised values are the cells' Arrow values

    @property
    def values(self) -> list[Any]:
        if self._values is None:
            self._values = self.cells.uniques
        return self._values

    def stored(self) -> dict[str, Any]:
        """The column(s) as stored, typed so that the store takes them without a per-cell look."""
        kind, values = self.column.kind, [] if self.as_read else self.values
        if kind == "period":
            return {
                "period": self._categorical([v and v.label for v in values]),
                "period_kind": self._categorical([v and v.kind for v in values]),
                "period_start": self._dates([v and v.start for v in values]),
                "period_end": self._dates([v and v.end for v in values]),
            }
        if kind in ("integer", "year", "round"):
            numbers = self.cells.per_value([0 if v is None else v for v in values], 0, np.int64)
            missing = self.cells.per_value([v is None for v in values], True, bool)
            return {self.column.name: pd.arrays.IntegerArray(numbers, missing)}
        if kind == "amount":
            return {
                self.column.name: self.cells.per_value(
                    [np.nan if v is None else float(v) for v in values], np.nan, float
                )
            }
        if kind == "bool":
            flags = self.cells.per_value([bool(v) for v in values], False, bool)
            missing = self.cells.per_value([v is None for v in values], True, bool)
            return {self.column.name: pd.arrays.BooleanArray(flags, missing)}
        if kind == "date":
            return {self.column.name: self._dates(values)}
        return {self.column.name: self._as_read() if self.as_read else self._categorical(values)}

    def _as_read(self) -> pd.Series:
        """Text cells as read, gathered by Arrow (no Python string per row or per value)."""
        index = pa.array(self.cells.codes, mask=self.cells.codes < 0)
        return pd.Series(self.cells.arrow.take(index).to_pandas(types_mapper=pd.ArrowDtype))

    def _dates(self, values: list[Any]) -> pd.Series:
        """Dates per row as an Arrow date column (its cells read back as ``datetime.date``), built by a take."""
        per_value = pa.array([*values, None], type=pa.date32())
        codes = np.where(self.cells.codes < 0, len(values), self.cells.codes)
        return pd.Series(pd.arrays.ArrowExtensionArray(per_value.take(pa.array(codes))))

    def _categorical(self, values: list[Any]) -> pd.Categorical:
        """Text per row as a categorical over the distinct normalised values (罗塘 and 罗塘街道 are one)."""
        codes, categories = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        return pd.Categorical.from_codes(self.cells.per_value(list(codes), -1, np.int64), categories)

    def key_codes(self) -> np.ndarray:
        """Per row, a code of the normalised value (-1 when there is none), for duplicate keys."""
        if self.as_read:  # distinct cells are distinct values
            return self.cells.codes
        labels = [v.label if isinstance(v, cells.Period) else v for v in self.values]
        codes, _ = pd.factorize(pd.Series(labels, dtype=object), use_na_sentinel=True)
        return self.cells.per_value(list(codes), -1, np.int64)

    def value(self, row: int) -> Any:
        code = self.cells.codes[row]
        if self.as_read:
            return None if code < 0 else self.cells.unique(code)
        found = None if code < 0 else self.values[code]
        return found.label if isinstance(found, cells.Period) else found


def _plain_text_column(found: Factorised, column: Column, report: Report, numbers: np.ndarray) -> ColumnResult | None:
    """A text column whose every distinct value is plain text within its length, read at once.

    None when some value needs the cell reader (outer spaces, a NUL, an empty string, too long) or
    the column is not Arrow text: the general path below then reads it value by value."""
    plain = found.plain()
    if column.kind != "text" or plain is None or not plain.all():
        return None
    if len(found) and int(pc.max(pc.utf8_length(found.arrow)).as_py()) > column.max_length:
        return None
    bad = np.zeros(len(found.codes), dtype=bool)
    if column.required:
        missing = found.codes < 0
        for row in np.flatnonzero(missing):
            report.add(ERROR, "required", int(numbers[row]), column.name, "", label=column.zh)
        bad |= missing
    return ColumnResult(column, found, None, bad, as_read=True)


def _read_column(
    found: Factorised, column: Column, config: Config, report: Report, numbers: np.ndarray
) -> ColumnResult:
    """Read every cell of one column; record a problem per bad cell; bad cells become None."""
    fast = _plain_text_column(found, column, report, numbers)
    if fast is not None:
        return fast
    reader = cell_reader(column, config)
    blank = [cells.is_blank(u) for u in found.uniques]
    values: list[Any] = []
    errors: list[CellError | None] = []
    for value, empty in zip(found.uniques, blank, strict=True):
        try:
            values.append(None if empty else reader(value))
            errors.append(None)
        except CellError as exc:
            values.append(None)
            errors.append(exc)
    bad = np.zeros(len(found.codes), dtype=bool)
    if column.required:
        missing = found.per_value(blank, True, bool)
        for row in np.flatnonzero(missing):
            report.add(ERROR, "required", int(numbers[row]), column.name, "", label=column.zh)
        bad |= missing
    failed = found.per_value([e is not None for e in errors], False, bool)
    for row in np.flatnonzero(failed):
        exc = errors[found.codes[row]]
        report.add(ERROR, exc.code, int(numbers[row]), column.name, found.raw(row), label=column.zh, **exc.params)
    bad |= failed
    if column.no_future:
        today = config.today()
        future = found.per_value([isinstance(v, date) and v > today for v in values], False, bool)
        for row in np.flatnonzero(future):
            report.add(ERROR, "future_date", int(numbers[row]), column.name, found.raw(row), label=column.zh)
        bad |= future
    if column.kind in ("period", "year"):
        bad |= _future_periods(found, column, values, config, report, numbers)
    return ColumnResult(column, found, values, bad)


def _future_periods(
    found: Factorised, column: Column, values: list[Any], config: Config, report: Report, numbers: np.ndarray
) -> np.ndarray:
    """A period (or year) that starts after today (plus the configured lead, in the district's time
    zone) is an error of its row: a report of what has not happened yet would blank the figures."""
    latest = config.today() + timedelta(days=config.period_lead_days)
    starts = [v.start if isinstance(v, cells.Period) else date(v, 1, 1) if isinstance(v, int) else None for v in values]
    future = found.per_value([s is not None and s > latest for s in starts], False, bool)
    for row in np.flatnonzero(future):
        raw = found.raw(row)
        report.add(ERROR, "future_period", int(numbers[row]), column.name, raw, label=column.zh, period=raw)
    return future


def _header_problems(match: HeaderMatch, report: Report) -> None:
    row = match.row_index + 1
    for name in match.missing:
        column = match.dataset.column(name)
        report.add(ERROR, "missing_column", row, name, "", label=column.zh)
    for name in match.duplicates:
        report.add(ERROR, "duplicate_column", row, name, "", label=match.dataset.column(name).zh)
    for _, text in match.unknown:
        report.add(WARNING, "unknown_column", row, None, text, header=text)


def _clerk_headers(sheet: Sheet, match: HeaderMatch) -> dict[str, str]:
    """Each column's header as the clerk's file writes it (在岗数（人）): problems name it so."""
    row = sheet.grid.iloc[match.row_index + match.rows_used - 1]
    found = {}
    for name, position in match.positions.items():
        value = row.iloc[position] if position < len(row) else None
        text = "" if cells.is_blank(value) else " ".join(str(value).split())
        found[name] = text[:40] or match.dataset.column(name).zh
    return found


def _above_rule(rule: AboveRule, read: dict[str, ColumnResult], numbers: np.ndarray, report: Report) -> None:
    """A declared cross-field rule: ``column`` above ``limit`` (e.g. more posts filled than authorised,
    possible with a secondment but worth a second look)."""
    value, limit = read[rule.column].stored()[rule.column], read[rule.limit].stored()[rule.limit]
    over = np.asarray((value > limit).fillna(False), dtype=bool)
    for row in np.flatnonzero(over):
        report.add(
            rule.severity,
            rule.code,
            int(numbers[row]),
            rule.column,
            read[rule.column].value(row),
            **{rule.limit: read[rule.limit].value(row)},
        )


def _duplicate_keys(read: dict[str, ColumnResult], dataset: Dataset, numbers: np.ndarray, report: Report) -> np.ndarray:
    """Rows whose key an earlier row already has: an error naming the first row. Returns those rows."""
    combined = np.zeros(len(numbers), dtype=np.int64)
    complete = np.ones(len(numbers), dtype=bool)
    for name in dataset.key:  # one integer per key, kept dense so that it never overflows
        codes = read[name].key_codes()
        complete &= codes >= 0
        radix = int(codes.max(initial=0)) + 2
        if int(combined.max(initial=0)) >= 2**62 // radix:  # would overflow: renumber densely first
            combined = pd.factorize(combined)[0].astype(np.int64)
        combined = combined * radix + codes + 1
    keyed = pd.Series(combined[complete], index=np.flatnonzero(complete))
    repeated = keyed.index[keyed.duplicated(keep=False)]
    later = np.zeros(len(numbers), dtype=bool)
    firsts: dict[tuple[Any, ...], int] = {}
    for row in repeated:
        key = tuple(read[name].value(row) for name in dataset.key)
        if key in firsts:
            report.add(ERROR, "duplicate_key", int(numbers[row]), None, " / ".join(map(str, key)), first=firsts[key])
            later[row] = True
        else:
            firsts[key] = int(numbers[row])
    return later


def validate_sheet(sheet: Sheet, match: HeaderMatch, config: Config, report: Report, progress: Progress = None) -> None:
    """Fill ``report`` with the problems of the sheet and the rows as they would be stored (``frame``).

    ``progress(share)`` hears how far the check has come (0.4 to 1.0 of the whole dry run).
    """
    tell = progress or (lambda _share: None)
    dataset = match.dataset
    report.dataset = dataset.name
    report.header_row = match.row_index + 1
    _header_problems(match, report)
    if report.errors:
        return
    report.headers = _clerk_headers(sheet, match)
    start = match.row_index + match.rows_used
    body = sheet.grid.iloc[start:]
    with ThreadPoolExecutor(max_workers=FACTORISE_THREADS) as pool:  # Arrow hashes without Python's lock
        found = list(pool.map(Factorised.of, (body[position] for position in body.columns)))
    columns = dict(zip(body.columns, found, strict=True))
    kept = _data_rows(list(columns.values()), start, report) if columns else np.array([], dtype=np.int64)
    tell(0.55)
    if not len(kept):
        report.add(ERROR, "no_data_rows", start)
        return
    numbers = kept + start + 1
    empty = Factorised(np.full(len(kept), -1, dtype=np.int64), [])
    read: dict[str, ColumnResult] = {}
    for done, column in enumerate(dataset.columns, start=1):
        position = match.positions.get(column.name)
        found = columns[position].rows(kept) if position is not None else empty
        read[column.name] = _read_column(found, column, config, report, numbers)
        tell(0.55 + 0.35 * done / len(dataset.columns))
    for rule in dataset.rules:
        _above_rule(rule, read, numbers, report)
    bad = np.logical_or.reduce([r.bad for r in read.values()]) | _duplicate_keys(read, dataset, numbers, report)
    frame = pd.DataFrame({"source_row": numbers.astype(np.int64)})
    for result in read.values():
        for name, values in result.stored().items():
            frame[name] = values
    report.frame = frame[~bad].reset_index(drop=True)
    tell(1.0)
