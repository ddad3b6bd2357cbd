"""Hostile files, built byte by byte as an attacker would: dimension bombs, broken XML, forged zips, wide CSV.

Shared by the unit tests, the command-line tests and the real-browser tests, so that
each of them sends exactly the same bytes.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"


def small_workbook() -> bytes:
    """A valid staffing workbook of one row (the base every bomb is made from)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "staffing"
    sheet.append(["镇街", "统计期", "岗位类型", "核定数", "在岗数"])
    sheet.append(["罗塘街道", "2024-Q1", "专职团干部", 2, 2])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(body) if info.filename == SHEET else body)
    return out.getvalue()


def far_corner(column: str = "XFD", keep_dimension: bool = False) -> bytes:
    """One cell at A1 and one at ``column``1048576 (the last row a sheet can have): 1.7–5 KB."""

    def change(xml: bytes) -> bytes:
        if not keep_dimension:
            xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        else:
            xml = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{column}1048576"/>'.encode(), xml)
        last = f'<row r="1048576"><c r="{column}1048576" t="n"><v>1</v></c></row>'.encode()
        return xml.replace(b"</sheetData>", last + b"</sheetData>")

    return _rewrite(small_workbook(), change)


def broken_xml() -> bytes:
    """A worksheet whose XML is not well-formed (a ``<v>`` never closed)."""
    return _rewrite(
        small_workbook(), lambda xml: xml.replace(b"</sheetData>", b'<row r="3"><c r="A3"><v>1</c></row></sheetData>')
    )


def forged_sizes(real_mb: int = 300) -> bytes:
    """A sheet that really unpacks to ``real_mb`` MB while both zip headers declare 1,000 bytes."""
    padded = _rewrite(
        small_workbook(), lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (real_mb << 20))
    )
    data = bytearray(padded)
    name = SHEET.encode()
    for found in re.finditer(re.escape(name), bytes(data)):
        at = found.start()
        if data[at - 30 : at - 26] == b"PK\x03\x04":  # local header: uncompressed size at +22
            struct.pack_into("<I", data, at - 30 + 22, 1000)
        if data[at - 46 : at - 42] == b"PK\x01\x02":  # central directory: uncompressed size at +24
            struct.pack_into("<I", data, at - 46 + 24, 1000)
    return bytes(data)


def declared_huge() -> bytes:
    """A zip whose headers declare a sheet of 4 GB that is really small (sizes forged upwards)."""
    data = bytearray(small_workbook())
    name = SHEET.encode()
    for found in re.finditer(re.escape(name), bytes(data)):
        at = found.start()
        if data[at - 46 : at - 42] == b"PK\x01\x02":
            struct.pack_into("<I", data, at - 46 + 24, 0xFFFF_FFF0)
    return bytes(data)


def wide_csv(columns: int = 1_000_000) -> bytes:
    """A header of a million columns (7.9 MB) and one data row."""
    return (",".join(f"c{i}" for i in range(columns)) + "\n" + "1," * 10 + "\n").encode()


def bare_commas(count: int = 1_000_000) -> bytes:
    """A million commas and nothing else (1 MB)."""
    return b"," * count + b"\n"


HOSTILE: dict[str, Callable[[], bytes]] = {  # file name -> builder
    "dimension_bomb.xlsx": far_corner,
    "dimension_declared.xlsx": lambda: far_corner(keep_dimension=True),
    "column_z_bomb.xlsx": lambda: far_corner("Z"),
    "broken_sheet.xlsx": broken_xml,
    "forged_small.xlsx": forged_sizes,
    "forged_huge.xlsx": declared_huge,
    "million_columns.csv": wide_csv,
    "million_commas.csv": bare_commas,
}


def dense(columns: int = 200, rows: int = 64_000) -> bytes:
    """Every cell of ``columns`` × ``rows`` holding 1, without cell references: ~190 MB of XML in a
    ~450 KB file, under the unzip cap and the cell limit (issue 26: a reader's memory and time)."""
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        return re.sub(
            rb"<sheetData>.*</sheetData>", lambda _: b"<sheetData>" + row * rows + b"</sheetData>", xml, flags=re.S
        )

    return _rewrite(small_workbook(), change)
