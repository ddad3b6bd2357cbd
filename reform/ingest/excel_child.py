"""Read an untrusted workbook in a child process, under memory and time limits.

Run as a script (``python excel_child.py LIMITS_JSON`` with the file on standard input),
never imported by the server: a workbook can declare a sheet of 17 billion cells, and an
Excel reader that believes it aborts the process that allocates. Here that process is
this child, with an address-space and CPU limit; the server only reads the answer.

Before the reader runs, an ``.xlsx`` is checked from what it contains, not what it
declares: every part is unpacked with a cap on the bytes it really yields (forged zip
sizes), each worksheet must be well-formed XML, and its dimension and cell references
must stay within the configured columns, rows and cells.

The answer on standard output is a pickle of plain values (lists, text, numbers, dates)
that the parent loads with a restricted unpickler; a refusal is ``{"error": code, ...}``.
This file imports only the standard library and python-calamine, so it starts in ~50 ms.
"""

from __future__ import annotations

import io
import json
import pickle
import re
import resource
import sys
import zipfile
from typing import Any
from xml.parsers import expat

CHUNK = 1 << 20
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s[^>]*?ref=\"([A-Z]{0,3})(\d{0,7}):?([A-Z]{0,3})(\d{0,7})\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?r=\"([A-Z]{1,4})(\d{1,8})\"")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\s[^>]*?r=\"(\d{1,8})\"")


class RefusedError(Exception):
    """The workbook is refused; ``code`` names the message, ``params`` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def column_number(letters: bytes) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    number = 0
    for byte in letters:
        number = number * 26 + (byte - 64)
    return number


def _limit(rows: int, columns: int, limits: dict[str, int]) -> None:
    if columns > limits["max_columns"]:
        raise RefusedError("sheet_too_wide", columns=columns, limit=limits["max_columns"])
    if rows * max(columns, 1) > limits["max_cells"]:
        raise RefusedError("sheet_too_large", cells=rows * max(columns, 1), limit=limits["max_cells"])


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """A part's real bytes, refusing once more come out than the budget left (whatever the header says)."""
    out = bytearray()
    with archive.open(info) as part:
        while block := part.read(CHUNK):
            out += block
            if len(out) > budget:
                raise RefusedError("zip_bomb", megabytes=-1)
    return bytes(out)


def _check_sheet(xml: bytes, limits: dict[str, int]) -> None:
    """Well-formed, and its declared and real extent within the limits."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise RefusedError("excel_broken_xml", detail=str(exc)[:120]) from None
    found = _DIMENSION.search(xml, 0, 4096)
    if found and found.group(3):
        rows = int(found.group(4) or 1) - int(found.group(2) or 1) + 1
        _limit(rows, column_number(found.group(3)) - column_number(found.group(1) or b"A") + 1, limits)
    for cells, _ in enumerate(_CELL.finditer(xml), 1):  # counted as found, no list of them: stops at the limit
        if cells > limits["max_cells"]:
            raise RefusedError("sheet_too_large", cells=cells, limit=limits["max_cells"])
    letters = {m for m in _CELL_REF.findall(xml)}
    widest = max((column_number(col) for col, _ in letters), default=0)
    deepest = max((int(r) for r in _ROW_REF.findall(xml)), default=0)
    deepest = max([deepest, *(int(r) for _, r in letters)]) if letters else deepest
    _limit(deepest, widest, limits)


def check_xlsx(data: bytes, limits: dict[str, int]) -> None:
    """Every part unpacked under a real byte cap; every worksheet checked before the reader sees it."""
    budget = limits["max_unzipped_mb"] * 1024 * 1024
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(i.file_size for i in infos) > budget:
                raise RefusedError("zip_bomb", megabytes=limits["max_unzipped_mb"])
            for info in infos:
                body = _unpack(archive, info, budget)
                budget -= len(body)
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_sheet(body, limits)
    except RefusedError as exc:
        if exc.code == "zip_bomb":
            raise RefusedError("zip_bomb", megabytes=limits["max_unzipped_mb"]) from None
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise RefusedError("not_excel") from exc


def _chosen_sheet(book: Any, wanted: list[str]) -> str:
    visible = [s.name for s in book.sheets_metadata if str(s.visible).lower().endswith("visible")]
    names = {n.lower() for n in wanted}
    name = next((n for n in book.sheet_names if n.strip().lower() in names), None)
    return name or (visible[0] if visible else book.sheet_names[0])


def read(data: bytes, wanted: list[str], limits: dict[str, int]) -> dict[str, Any]:
    """The chosen sheet's rows, or the reason it is refused."""
    from python_calamine import CalamineWorkbook

    if data[:2] == b"PK":
        check_xlsx(data, limits)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = _chosen_sheet(book, wanted)
        sheet = book.get_sheet_by_name(name)
        _limit(sheet.total_height, sheet.total_width, limits)
        rows = sheet.to_python(skip_empty_area=False)
    except RefusedError:
        raise
    except MemoryError:
        raise RefusedError("sheet_too_large", cells=-1, limit=limits["max_cells"]) from None
    except Exception as exc:  # calamine's own error types for broken files
        raise RefusedError("not_excel") from exc
    return {"rows": [list(r) for r in rows], "sheet_name": name}


def _confine(limits: dict[str, int]) -> None:
    """Address space and CPU seconds: a reader that asks for more is stopped, not the server."""
    memory = limits["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = limits["seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def main() -> None:
    request = json.loads(sys.argv[1])
    limits, wanted = request["limits"], request["sheets"]
    data = sys.stdin.buffer.read()
    _confine(limits)
    try:
        answer = read(data, wanted, limits)
    except RefusedError as exc:
        answer = {"error": exc.code, "params": exc.params}
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
