"""Turn an uploaded file's bytes into a grid of cells, whatever its form.

A reader returns a ``Sheet``: rows of raw cells, where ``rows[i]`` is what the user
sees as row ``i + 1`` in Excel or a text editor. Readers are registered by file
ending in ``READERS``; a new form (``.xls``, ``.ods``) is one more entry there.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import duckdb
import pandas as pd

from reform.ingest.cells import CellError
from reform.limits import Limits

DELIMITERS = (",", "\t", ";")
MAX_CELL_CHARS = 100_000  # a longer CSV cell is refused (no column of ours holds more than a few hundred)
csv.field_size_limit(MAX_CELL_CHARS)
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


def _widest(text: str, delimiter: str) -> int:
    """Fields in the widest of the first 50 lines."""
    head, end = text, -1
    for _ in range(50):
        end = text.find("\n", end + 1)
        if end < 0:
            break
        head = text[:end]
    sample = io.StringIO("\n".join(head.splitlines()[:50]))
    try:
        return max((len(r) for r in csv.reader(sample, delimiter=delimiter)), default=0)
    except csv.Error:
        return 0


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most columns (comma on a tie)."""
    return max(DELIMITERS, key=lambda d: (_widest(text, d), d == ","))


def looks_binary(text: str) -> bool:
    """Text decoded from a binary file is full of control, private-use and unassigned characters."""
    sample = text[:4096]
    odd = sum(1 for ch in sample if ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"))
    return odd > max(2, len(sample) // 100)


def _check_extent(text: str, data: bytes, delimiter: str, limits: Limits) -> int:
    """Refuse a CSV far wider or larger than any report before it is parsed; return the width of its head."""
    sample = io.StringIO("\n".join(text[: 1 << 24].splitlines()[:50]))
    width = 0
    try:
        for number, row in enumerate(csv.reader(sample, delimiter=delimiter), start=1):
            if len(row) > limits.max_columns:
                raise FileError("too_many_columns", line=number, columns=len(row), limit=limits.max_columns)
            width = max(width, len(row))
    except csv.Error:
        pass  # the exact reader names the row of a broken record
    cells = (data.count(b"\n") + 1) * max(width, 1)
    if cells > limits.max_cells:
        raise FileError("sheet_too_large", cells=cells, limit=limits.max_cells)
    return width


def read_csv(data: bytes, dataset_names: tuple[str, ...] = (), limits: Limits | None = None) -> Sheet:
    """CSV or tab/semicolon text in UTF-8 (BOM or not), GBK/GB18030 or UTF-16."""
    limits = limits or Limits()
    if data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):  # an Excel workbook renamed .csv
        raise FileError("binary_file")
    head = _utf8_head(data)
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


HEAD_BYTES = 65_536


def _utf8_head(data: bytes) -> str | None:
    """The first 64 KB as text when the file looks like plain UTF-8 (no BOM, no NUL byte); else None.

    Decoding a 70 MB file only to learn that it is UTF-8 costs a tenth of a second; DuckDB checks
    the rest as it parses, and a file it refuses takes the full decoding path below.
    """
    if data[:3] == codecs.BOM_UTF8 or data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or b"\x00" in data:
        return None
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data[:HEAD_BYTES], final=len(data) <= HEAD_BYTES)
    except UnicodeDecodeError:
        return None


_LONE_CR = re.compile(rb"\r(?!\n)")


def _spaced_quote(payload: bytes) -> bool:
    """A quote with a space beside it: DuckDB trims ``x, "y"`` to ``y`` where the csv module keeps it
    as typed (and refuses ``"x" ,``), so such a file is left to the exact reader. (Tabs beside a
    quote DuckDB keeps as the csv module does.)

    Looked at only where the quotes are: ``re`` takes 1.7 s on a 70 MB file full of quoted numbers
    and two substring searches 0.2 s (a quote is a partial match at every turn); numpy finds the
    quotes and tests their neighbours in 0.05 s.
    """
    import numpy as np

    if b'"' not in payload:
        return False
    raw = np.frombuffer(payload, dtype=np.uint8)
    for start in range(0, len(raw), SCAN_BYTES):  # a megabyte at a time: no file-sized temporary
        quotes = np.flatnonzero(raw[start : start + SCAN_BYTES] == ord('"')) + start
        before, after = quotes[quotes > 0] - 1, quotes[quotes < len(raw) - 1] + 1
        if (raw[before] == ord(" ")).any() or (raw[after] == ord(" ")).any():
            return True
    return False


SCAN_BYTES = 1 << 20


def _duckdb_grid(payload: bytes, delimiter: str, width: int) -> pd.DataFrame | None:
    """Parse well-formed UTF-8 CSV with DuckDB's reader, every cell as text; None where it cannot be trusted.

    The fast path is taken only when DuckDB's rows are the file's lines one for one (no
    quoted line breaks, no skipped empty lines, no lone CR line ends), no row is wider than
    the first lines and no cell is longer than MAX_CELL_CHARS, so row numbers and cells
    are exactly what the exact reader (``_records``) would give.
    """
    end = len(payload)
    while end and payload[end - 1] in b"\r\n":  # line ends after the last row (no copy of a large file)
        end -= 1
    body = memoryview(payload)[:end]
    lone_cr = b"\r" in payload and _LONE_CR.search(payload, 0, end) is not None
    if not end or width < 1 or lone_cr or _spaced_quote(payload):
        return None
    lines = payload.count(b"\n", 0, end) + 1
    columns = {f"c{i}": "VARCHAR" for i in range(width)}
    with tempfile.TemporaryDirectory(prefix="reform-csv-") as tmp:
        path = Path(tmp) / "upload.csv"
        path.write_bytes(body)
        con = duckdb.connect()
        try:
            table = con.sql(
                "SELECT * FROM read_csv($path, header = false, delim = $delim, quote = '\"', escape = '\"', "
                "columns = $columns, auto_detect = false, null_padding = true, strict_mode = true)",
                params={"path": str(path), "delim": delimiter, "columns": columns},
            ).to_arrow_table()
        except duckdb.Error:
            return None
        finally:
            con.close()
    if table.num_rows != lines or any(_longest(table.column(i)) > MAX_CELL_CHARS for i in range(width)):
        return None
    grid = table.to_pandas()
    grid.columns = range(width)
    return grid


def _longest(column: Any) -> int:
    """The longest cell in characters, or its length in bytes when that is within the limit already
    (a character is at least a byte; bytes come from the offsets, characters from every byte)."""
    import pyarrow.compute as pc

    in_bytes = int(pc.max(pc.binary_length(column)).as_py() or 0)
    if in_bytes <= MAX_CELL_CHARS:
        return in_bytes
    return int(pc.max(pc.utf8_length(column)).as_py() or 0)


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


def read_excel(data: bytes, dataset_names: tuple[str, ...] = (), limits: Limits | None = None) -> Sheet:
    """The sheet named after the dataset if present, else the first visible sheet.

    Read in a child process under the configured memory and time limits (``excel_child.py``):
    whatever a workbook declares or contains, the worst it can do is be refused.
    """
    import json
    import sys

    limits = limits or Limits()
    request = json.dumps({"limits": limits.as_child(), "sheets": list(dataset_names)})
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
