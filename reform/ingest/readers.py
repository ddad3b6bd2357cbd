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
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import duckdb
import pandas as pd

from reform.ingest.cells import CellError

DELIMITERS = (",", "\t", ";")
MAX_CELL_CHARS = 100_000  # a longer CSV cell is refused (no column of ours holds more than a few hundred)
csv.field_size_limit(MAX_CELL_CHARS)
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an .xlsx that unpacks to more is refused unread


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


def read_csv(data: bytes, dataset_names: tuple[str, ...] = ()) -> Sheet:
    """CSV or tab/semicolon text in UTF-8 (BOM or not), GBK/GB18030 or UTF-16."""
    if data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):  # an Excel workbook renamed .csv
        raise FileError("binary_file")
    head = _utf8_head(data)
    if head is not None and not looks_binary(head):  # plain UTF-8: DuckDB reads the bytes as they are
        delimiter = sniff_delimiter(head)
        grid = _duckdb_grid(data, delimiter, _widest(head, delimiter))  # DuckDB refuses a later non-UTF-8 byte
        if grid is not None:
            return Sheet(grid, encoding="utf-8", delimiter=delimiter)
    text, encoding = decode(data)
    if looks_binary(text):
        raise FileError("binary_file")
    delimiter = sniff_delimiter(text)
    payload = data if encoding == "utf-8" else text.encode("utf-8")
    if b"\x00" in payload:
        payload = payload.replace(b"\x00", b"")
    tried = head is not None and encoding == "utf-8"  # the same bytes DuckDB has just refused
    grid = None if tried else _duckdb_grid(payload, delimiter, _widest(text, delimiter))
    if grid is None:  # DuckDB could not vouch for every row: the exact reader, with the row of any fault
        grid = grid_of(_records(text.replace("\x00", ""), delimiter))
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
    quote DuckDB keeps as the csv module does.) Two substring searches, not a regular expression:
    on a 70 MB file full of quoted numbers ``re`` takes 1.7 s and holds Python's lock throughout."""
    return b'"' in payload and (b' "' in payload or b'" ' in payload)


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
    import pyarrow.compute as pc

    longest = pc.max(pc.utf8_length(column)).as_py()
    return int(longest or 0)


def _records(text: str, delimiter: str) -> list[list[str]]:
    """Parse CSV records; a broken one is reported with the row where it starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    while True:
        try:
            rows.append(next(reader))
        except StopIteration:
            return rows
        except csv.Error as exc:
            row = len(rows) + 1
            if "field larger than field limit" in str(exc):
                raise FileError("cell_too_large", line=row, limit=MAX_CELL_CHARS) from exc
            raise FileError(
                "unclosed_quote" if "quote" in str(exc) or "end of data" in str(exc) else "bad_csv", line=row
            ) from exc


def check_zip(data: bytes) -> None:
    """Refuse an .xlsx whose parts unpack to more than MAX_UNZIPPED_BYTES, before parsing it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileError("not_excel") from exc
    if total > MAX_UNZIPPED_BYTES:
        raise FileError("zip_bomb", megabytes=MAX_UNZIPPED_BYTES // (1024 * 1024))


def read_excel(data: bytes, dataset_names: tuple[str, ...] = ()) -> Sheet:
    """The sheet named after the dataset if present, else the first visible sheet."""
    from python_calamine import CalamineWorkbook

    if data[:2] == b"PK":
        check_zip(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise FileError("not_excel") from exc
    visible = [s.name for s in book.sheets_metadata if str(s.visible).lower().endswith("visible")]
    wanted = {n.lower() for n in dataset_names}
    name = next((n for n in book.sheet_names if n.strip().lower() in wanted), None)
    name = name or (visible[0] if visible else book.sheet_names[0])
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return Sheet(grid_of([list(r) for r in rows]), sheet_name=name)


Reader = Callable[[bytes, tuple[str, ...]], Sheet]
READERS: dict[str, Reader] = {
    ".csv": read_csv,
    ".txt": read_csv,
    ".tsv": read_csv,
    ".xlsx": read_excel,
    ".xlsm": read_excel,
    ".xls": read_excel,
}


def read_file(data: bytes, file_name: str, dataset_names: tuple[str, ...] = ()) -> Sheet:
    """Pick the reader by the file's ending and read the grid."""
    if not data or data.isspace():
        raise FileError("empty_file")
    suffix = PurePath(file_name).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise FileError("unsupported_type", suffix=suffix or "?", allowed=" ".join(READERS))
    return reader(data, dataset_names)
