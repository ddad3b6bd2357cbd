"""Find the header row, match its cells to a dataset's columns, recognise the dataset.

Headers match the Chinese or English column name ignoring case, spaces,
full-width forms and a unit in brackets: ``专项经费（元）`` = ``专项经费(元)`` = ``专项经费``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reform.datasets import DATASETS, Dataset
from reform.ingest.cells import clean

HEADER_SEARCH_ROWS = 30  # title rows above the header are skipped, up to this many rows
_UNIT = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]$")


def header_key(value: Any) -> str:
    """Canonical form of a header cell for matching."""
    text = clean(value)
    text = _UNIT.sub("", text)
    return re.sub(r"[\s_\-]+", "", text).lower()


def _aliases(dataset: Dataset) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for column in dataset.columns:
        aliases[header_key(column.zh)] = column.name
        aliases[header_key(column.name)] = column.name
    return aliases


@dataclass
class HeaderMatch:
    """A header row matched to a dataset: which sheet column holds which dataset column."""

    dataset: Dataset
    row_index: int  # 0-based index into the sheet's rows
    positions: dict[str, int]  # column code name -> sheet column index
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (sheet column, header text)
    duplicates: list[str] = field(default_factory=list)  # column code names given twice
    rows_used: int = 1  # 2 when a merged two-row header (group titles above column names) was read

    @property
    def missing(self) -> list[str]:
        return [c.name for c in self.dataset.required if c.name not in self.positions]


def match_row(row: list[Any], dataset: Dataset) -> HeaderMatch:
    """Match one row's cells against a dataset's column names."""
    aliases = _aliases(dataset)
    match = HeaderMatch(dataset, -1, {})
    for index, cell in enumerate(row):
        key = header_key(cell)
        if not key:
            continue
        name = aliases.get(key)
        if name is None:
            match.unknown.append((index, clean(cell)))
        elif name in match.positions:
            match.duplicates.append(name)
        else:
            match.positions[name] = index
    return match


def _two_rows(rows: list[list[Any]], index: int, dataset: Dataset, match: HeaderMatch) -> HeaderMatch:
    """A header split over two rows (merged group cells above, column names below) read as one."""
    if index + 1 >= len(rows) or not match.positions:  # a title row names no column
        return match
    aliases = _aliases(dataset)
    below = rows[index + 1]
    width = max(len(rows[index]), len(below))
    combined = [
        below[j]
        if j < len(below) and header_key(below[j]) in aliases
        else (rows[index][j] if j < len(rows[index]) else "")
        for j in range(width)
    ]
    merged = match_row(combined, dataset)
    alone = match_row(below, dataset)
    if len(merged.positions) > max(len(match.positions), len(alone.positions)):
        merged.unknown = [u for u in merged.unknown if u not in _group_titles(rows[index], below)]
        merged.rows_used = 2
        return merged
    return match


def _group_titles(row: list[Any], below: list[Any]) -> list[tuple[int, str]]:
    """Cells of the upper row that stand above column names: group titles, not unknown columns."""
    return [(j, clean(c)) for j, c in enumerate(row) if clean(c) and j < len(below) and clean(below[j])]


def _is_header(match: HeaderMatch) -> bool:
    """A row names the dataset's columns when it names at least half of its required ones."""
    found = sum(1 for c in match.dataset.required if c.name in match.positions)
    return found >= max(2, (len(match.dataset.required) + 1) // 2)


def find_header(rows: list[list[Any]], dataset: Dataset) -> HeaderMatch | None:
    """The first row (within HEADER_SEARCH_ROWS) that names the dataset's columns."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        match = _two_rows(rows, index, dataset, match_row(row, dataset))
        if _is_header(match):
            match.row_index = index
            return match
    return None


def recognise(rows: list[list[Any]]) -> list[HeaderMatch]:
    """Datasets whose full set of required columns appears in one header row.

    The first row that fully names any dataset decides; among several candidates
    the ones with fewest unknown columns remain. One result means recognised.
    """
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        candidates = []
        for dataset in DATASETS.values():
            match = _two_rows(rows, index, dataset, match_row(row, dataset))
            if not match.missing:
                match.row_index = index
                candidates.append(match)
        if candidates:
            fewest = min(len(m.unknown) for m in candidates)
            return [m for m in candidates if len(m.unknown) == fewest]
    return []


@dataclass(frozen=True)
class Nearest:
    """The dataset a file most looks like when its headers name none whole: why, and what to change."""

    dataset: Dataset
    missing: tuple[str, ...]  # required columns (Chinese) the header row lacks
    unknown: tuple[str, ...]  # the header row's cells that name none of its columns
    named_by: str  # "sheet" or "title" when the sheet's name or a title row names it, else ""


def nearest(rows: list[list[Any]], sheet_name: str | None = None) -> Nearest | None:
    """The closest dataset to a header that matches none exactly: most of its required columns in one row,
    then one named by the sheet or a title row (a workbook saved from our template keeps both)."""
    words = " ".join(clean(c) for row in rows[:HEADER_SEARCH_ROWS] for c in row if clean(c))
    best: tuple[tuple[int, int], Nearest] | None = None
    for dataset in DATASETS.values():
        named_by = "sheet" if sheet_name and dataset.zh in sheet_name else "title" if dataset.zh in words else ""
        for row in rows[:HEADER_SEARCH_ROWS]:
            match = match_row(row, dataset)
            found = sum(1 for c in dataset.required if c.name in match.positions)
            score = (found + (2 if named_by else 0), -len(match.unknown))
            if found and (best is None or score > best[0]):
                missing = tuple(c.zh for c in dataset.required if c.name not in match.positions)
                unknown = tuple(str(text) for _, text in match.unknown)
                best = (score, Nearest(dataset, missing, unknown, named_by))
    return None if best is None else best[1]
