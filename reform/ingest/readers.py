"""Turn an uploaded file's bytes into a grid of cells, whatever its form.

A reader returns a ``Sheet``: rows of raw cells, where ``rows[i]`` is what the user
sees as row ``i + 1`` in Excel or a text editor. Readers are registered by file
ending in ``READERS``; a new form (``.xls``, ``.ods``) is one more entry there.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import pandas as pd

from reform import csvscan, readahead
from reform.csvscan import MAX_CELL_CHARS, looks_binary, sniff_delimiter
from reform.ingest.cells import CellError
from reform.limits import Limits

EXCEL_CHILD = Path(__file__).with_name("excel_child.py")


@dataclass
class Sheet:
    """The cells of one sheet, and how they were read.

    ``grid`` has one column per sheet column (labelled 0, 1, …) and one row per sheet
    row: ``grid.iloc[i]`` is what the user sees as row ``i + 1``. A missing cell is NA.
    """

    grid: pd.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    sheet_name: str | None = None
    notes: list[str] = field(default_factory=list)

    def head(self, count: int) -> list[list[Any]]:
        """The first rows as lists of cells (None for a missing cell), for finding the header."""
        top = self.grid.iloc[:count].astype(object)
        return top.where(top.notna(), None).values.tolist()


def grid_of(rows: list[list[Any]]) -> pd.DataFrame:
    """A grid from rows of Python cells, shorter rows padded with None; cells kept as they are."""
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], columns=range(width), dtype=object)


class FileError(CellError):
    """The file as a whole cannot be read (no row or column to point at)."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode text the way Chinese Excel/WPS may have written it; return (text, encoding)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise FileError("bad_encoding") from exc
    head = data[:4096]
    if head and head.count(b"\x00") > len(head) // 4:  # UTF-16 without a BOM
        odd_zeros, even_zeros = head[1::2].count(0), head[0::2].count(0)  # ASCII in LE: 'a\x00'
        encoding = "utf-16-le" if odd_zeros >= even_zeros else "utf-16-be"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise FileError("binary_file") from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is None or best.encoding is None:
        raise FileError("bad_encoding")
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise FileError("bad_encoding") from exc


def _check_extent(text: str, data: bytes, delimiter: str, limits: Limits) -> int:
    """Refuse a CSV far wider or larger than any report before it is parsed; return the width of its head."""
    width = 0
    for number, columns in enumerate(csvscan.head_widths(text, delimiter), start=1):
        if columns > limits.max_columns:
            raise FileError("too_many_columns", line=number, columns=columns, limit=limits.max_columns)
        width = max(width, columns)
    cells = csvscan.cells(data, width)
    if cells > limits.max_cells:
        raise FileError("sheet_too_large", cells=cells, limit=limits.max_cells)
    return width


def read_csv(data: bytes, dataset_names: tuple[str, ...] = (), limits: Limits | None = None) -> Sheet:
    """CSV or tab/semicolon text in UTF-8 (BOM or not), GBK/GB18030 or UTF-16."""
    limits = limits or Limits()
    if data[:4] in csvscan.WORKBOOK_MAGIC:
        raise FileError("binary_file")
    head = csvscan.utf8_head(data)
    if head is not None and not looks_binary(head):  # plain UTF-8: DuckDB reads the bytes as they are
        delimiter = sniff_delimiter(head)
        width = _check_extent(head, data, delimiter, limits)
        grid = _duckdb_grid(data, delimiter, width)  # DuckDB refuses a later non-UTF-8 byte
        if grid is not None:
            return Sheet(grid, encoding="utf-8", delimiter=delimiter)
    text, encoding = decode(data)
    if looks_binary(text):
        raise FileError("binary_file")
    delimiter = sniff_delimiter(text)
    width = _check_extent(text, data, delimiter, limits)
    payload = data if encoding == "utf-8" else text.encode("utf-8")
    if b"\x00" in payload:
        payload = payload.replace(b"\x00", b"")
    tried = head is not None and encoding == "utf-8"  # the same bytes DuckDB has just refused
    grid = None if tried else _duckdb_grid(payload, delimiter, width)
    if grid is None:  # DuckDB could not vouch for every row: the exact reader, with the row of any fault
        grid = grid_of(_records(text.replace("\x00", ""), delimiter, limits.max_columns))
    return Sheet(grid, encoding=encoding, delimiter=delimiter)


def _duckdb_grid(payload: bytes, delimiter: str, width: int) -> pd.DataFrame | None:
    """DuckDB's grid of well-formed UTF-8 CSV (``csvscan.arrow_grid``), or None where it cannot be
    trusted; the command line's read-ahead may have parsed these very bytes already."""
    found, table = readahead.grid(payload, delimiter, width)
    if not found:
        table = csvscan.arrow_grid(payload, delimiter, width)
    if table is None:
        return None
    grid = table.to_pandas()
    grid.columns = range(width)
    return grid


def _records(text: str, delimiter: str, max_columns: int) -> list[list[str]]:
    """Parse CSV records; a broken or too wide one is reported with the row where it starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    while True:
        try:
            record = next(reader)
            if len(record) > max_columns and any(record[max_columns:]):  # empty trailing cells are no column
                raise FileError("too_many_columns", line=len(rows) + 1, columns=len(record), limit=max_columns)
            if len(record) > max_columns:
                del record[max_columns:]  # as DuckDB's reader does: the same grid on both paths
            rows.append(record)
        except StopIteration:
            return rows
        except csv.Error as exc:
            row = len(rows) + 1
            if "field larger than field limit" in str(exc):
                raise FileError("cell_too_large", line=row, limit=MAX_CELL_CHARS) from exc
            raise FileError(
                "unclosed_quote" if "quote" in str(exc) or "end of data" in str(exc) else "bad_csv", line=row
            ) from exc


def _restricted_load(payload: bytes) -> Any:
    """Unpickle the child's answer allowing plain values and dates only (never arbitrary classes)."""
    import datetime as dt
    import pickle

    allowed = {("datetime", n): getattr(dt, n) for n in ("date", "datetime", "time", "timedelta", "timezone")}

    class Plain(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) in allowed:
                return allowed[(module, name)]
            raise pickle.UnpicklingError(f"{module}.{name} is not a plain value")

    return Plain(io.BytesIO(payload)).load()


def run_confined(command: list[str], data: bytes, limits: Limits) -> Any:
    """Run a reader process on ``data``: stopped after ``limits.seconds`` of wall-clock time (its own
    limits stop it sooner on CPU or memory); a process that failed is a refusal, never the caller's crash."""
    import subprocess

    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=limits.seconds + 2, check=False)
    except subprocess.TimeoutExpired as exc:
        raise FileError("excel_timeout", seconds=limits.seconds) from exc
    if done.returncode != 0 or not done.stdout:
        raise FileError("excel_too_demanding", megabytes=limits.memory_mb, seconds=limits.seconds)
    return done


_turns: dict[int, threading.BoundedSemaphore] = {}
_turns_lock = threading.Lock()
waiting = threading.local()  # ``waiting.tell``: what a queued read says to its page (``ui.upload``)


@contextlib.contextmanager
def reader_turn(limits: Limits) -> Iterator[None]:
    """One of ``limits.readers`` workbook readers of this server: a reader may take its whole memory
    limit, so three clerks at once must not take three times that (they wait their turn, then are
    refused as busy after ``limits.wait_seconds``)."""
    with _turns_lock:
        turns = _turns.setdefault(limits.readers, threading.BoundedSemaphore(limits.readers))
    if not turns.acquire(blocking=False):
        tell = getattr(waiting, "tell", None)
        if tell is not None:
            tell()
        if not turns.acquire(timeout=limits.wait_seconds):
            raise FileError("readers_busy", seconds=limits.wait_seconds)
    try:
        yield
    finally:
        turns.release()


def read_excel(data: bytes, dataset_names: tuple[str, ...] = (), limits: Limits | None = None) -> Sheet:
    """The sheet named after the dataset if present, else the first visible sheet.

    Read in a child process under the configured memory and time limits (``excel_child.py``):
    whatever a workbook declares or contains, the worst it can do is be refused.
    """
    import json
    import sys

    limits = limits or Limits()
    request = json.dumps({"limits": limits.as_child(), "sheets": list(dataset_names)})
    with reader_turn(limits):
        done = run_confined([sys.executable, "-I", str(EXCEL_CHILD), request], data, limits)
    try:
        answer = _restricted_load(done.stdout)
    except Exception as exc:  # a child that answered garbage is a refused file, never a crash
        raise FileError("not_excel") from exc
    if "error" in answer:
        raise FileError(answer["error"], **answer.get("params", {}))
    return Sheet(grid_of(answer["rows"]), sheet_name=answer["sheet_name"])


Reader = Callable[[bytes, tuple[str, ...], Limits], Sheet]
READERS: dict[str, Reader] = {
    ".csv": read_csv,
    ".txt": read_csv,
    ".tsv": read_csv,
    ".xlsx": read_excel,
    ".xlsm": read_excel,
    ".xls": read_excel,
}


def read_file(data: bytes, file_name: str, dataset_names: tuple[str, ...] = (), limits: Limits | None = None) -> Sheet:
    """Pick the reader by the file's ending and read the grid, within ``limits``."""
    if not data or data.isspace():
        raise FileError("empty_file")
    suffix = PurePath(file_name).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise FileError("unsupported_type", suffix=suffix or "?", allowed=" ".join(READERS))
    return reader(data, dataset_names, limits or Limits())
