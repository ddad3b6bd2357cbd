"""What a CSV file's bytes tell before any cell is read: delimiter, width, and DuckDB's grid.

Free of pandas on purpose: the command line's read-ahead (``reform.readahead``) runs these while
pandas is still loading, and ``reform.ingest.readers`` builds its grid from the same functions, so
both get the same answer for the same bytes.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

DELIMITERS = (",", "\t", ";")
MAX_CELL_CHARS = 100_000  # a longer CSV cell is refused (no column of ours holds more than a few hundred)
csv.field_size_limit(MAX_CELL_CHARS)
HEAD_BYTES = 65_536  # the start of a file looked at to decide how it is written
HEAD_LINES = 50  # lines whose widest row gives the sheet's width
SCAN_BYTES = 1 << 24  # bytes looked at a time when searching a large file (few turns: each wants the GIL back)


def widest(text: str, delimiter: str) -> int:
    """Fields in the widest of the first 50 lines."""
    head, end = text, -1
    for _ in range(HEAD_LINES):
        end = text.find("\n", end + 1)
        if end < 0:
            break
        head = text[:end]
    sample = io.StringIO("\n".join(head.splitlines()[:HEAD_LINES]))
    try:
        return max((len(r) for r in csv.reader(sample, delimiter=delimiter)), default=0)
    except csv.Error:
        return 0


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most columns (comma on a tie)."""
    return max(DELIMITERS, key=lambda d: (widest(text, d), d == ","))


def looks_binary(text: str) -> bool:
    """Text decoded from a binary file is full of control, private-use and unassigned characters."""
    sample = text[:4096]
    odd = sum(1 for ch in sample if ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"))
    return odd > max(2, len(sample) // 100)


WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx and .xls: a workbook renamed .csv


def cells(data: bytes, width: int) -> int:
    """The cells a text of this width holds at most (its lines × its width): the size limit's measure."""
    return (data.count(b"\n") + 1) * max(width, 1)


def head_widths(text: str, delimiter: str) -> list[int]:
    """The width of each of the first 50 records (up to a broken one: the exact reader names it)."""
    sample = io.StringIO("\n".join(text[: 1 << 24].splitlines()[:HEAD_LINES]))
    widths: list[int] = []
    with contextlib.suppress(csv.Error):
        widths.extend(len(row) for row in csv.reader(sample, delimiter=delimiter))
    return widths


def utf8_head(data: bytes) -> str | None:
    """The first 64 KB as text when the file looks like plain UTF-8 (no BOM, no NUL byte); else None.

    Decoding a 70 MB file only to learn that it is UTF-8 costs a tenth of a second; DuckDB checks
    the rest as it parses, and a file it refuses takes the full decoding path.
    """
    if data[:3] == codecs.BOM_UTF8 or data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or b"\x00" in data:
        return None
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data[:HEAD_BYTES], final=len(data) <= HEAD_BYTES)
    except UnicodeDecodeError:
        return None


def spaced_quote(payload: bytes) -> bool:
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
    return any(_spaced_quote_in(raw, start) for start in range(0, len(raw), SCAN_BYTES))


def _spaced_quote_in(raw: Any, start: int) -> bool:
    """``spaced_quote`` for the 16 MB of ``raw`` (a numpy byte array) from ``start``: no file-sized
    temporary, and a neighbour across the step's edge still seen."""
    import numpy as np

    quotes = np.flatnonzero(raw[start : start + SCAN_BYTES] == ord('"')) + start
    before, after = quotes[quotes > 0] - 1, quotes[quotes < len(raw) - 1] + 1
    return bool((raw[before] == ord(" ")).any() or (raw[after] == ord(" ")).any())


def arrow_grid(payload: bytes, delimiter: str, width: int) -> Any | None:
    """Well-formed UTF-8 CSV parsed by DuckDB's reader into an Arrow table, every cell as text; None
    where it cannot be trusted.

    Taken only when DuckDB's rows are the file's lines one for one (no quoted line breaks, no
    skipped empty lines, no lone CR line ends), no row is wider than the first lines and no cell
    is longer than MAX_CELL_CHARS, so row numbers and cells are exactly what the exact reader
    (``reform.ingest.readers._records``) would give.
    """
    end = len(payload)
    while end and payload[end - 1] in b"\r\n":  # line ends after the last row (no copy of a large file)
        end -= 1
    if not end or width < 1:
        return None
    # The byte scans run in a thread while DuckDB parses (the parse never holds Python's lock):
    # neither waits for the other (a million rows: the grid 0.1-0.4 s sooner, more under the
    # command line's read-ahead, where the main thread is importing meanwhile). A file that fails
    # them has been parsed for nothing (rare: the exact reader takes it, at many times that cost).
    with ThreadPoolExecutor(1, thread_name_prefix="reform-csvscan") as pool:
        scanned = pool.submit(_plain_lines, payload, end)
        table = _duckdb_text(memoryview(payload)[:end], delimiter, width)
        lines = scanned.result()
    if table is None or lines is None or table.num_rows != lines:
        return None
    if any(longest(table.column(i)) > MAX_CELL_CHARS for i in range(width)):
        return None
    return table


def _plain_lines(payload: bytes, end: int) -> int | None:
    """The lines of ``payload[:end]`` when DuckDB reads them as the exact reader does: None where a
    lone CR ends a line or a quote has a space beside it (``spaced_quote``).

    In numpy, 16 MB at a time: its loops let go of Python's lock, which a regular expression or
    ``bytes.count`` over the whole file would hold for a tenth of a second while the command line's
    main thread is importing."""
    import numpy as np

    raw = np.frombuffer(payload, dtype=np.uint8)[:end]  # after ``end`` only line ends: no quote
    quoted = b'"' in payload
    lines = 1
    for start in range(0, end, SCAN_BYTES):  # one pass: lines, lone CRs and spaced quotes per step
        part = raw[start : start + SCAN_BYTES]
        lines += int(np.count_nonzero(part == ord("\n")))
        returns = np.flatnonzero(part == ord("\r")) + start + 1  # where each CR's line feed must be
        if len(returns) and (int(returns[-1]) >= end or (raw[returns] != ord("\n")).any()):
            return None
        if quoted and _spaced_quote_in(raw, start):
            return None
    return lines


def _duckdb_text(body: memoryview, delimiter: str, width: int) -> Any | None:
    """DuckDB's reading of ``body``, ``width`` text columns, strictly; None where it refuses."""
    import duckdb

    columns = {f"c{i}": "VARCHAR" for i in range(width)}
    with tempfile.TemporaryDirectory(prefix="reform-csv-") as tmp:
        path = Path(tmp) / "upload.csv"
        path.write_bytes(body)
        con = duckdb.connect()
        try:
            return con.sql(
                "SELECT * FROM read_csv($path, header = false, delim = $delim, quote = '\"', escape = '\"', "
                "columns = $columns, auto_detect = false, null_padding = true, strict_mode = true)",
                params={"path": str(path), "delim": delimiter, "columns": columns},
            ).to_arrow_table()
        except duckdb.Error:
            return None
        finally:
            con.close()


def longest(column: Any) -> int:
    """The longest cell in characters, or its length in bytes when that is within the limit already
    (a character is at least a byte; bytes come from the offsets, characters from every byte)."""
    import pyarrow.compute as pc

    in_bytes = int(pc.max(pc.binary_length(column)).as_py() or 0)
    if in_bytes <= MAX_CELL_CHARS:
        return in_bytes
    return int(pc.max(pc.utf8_length(column)).as_py() or 0)
