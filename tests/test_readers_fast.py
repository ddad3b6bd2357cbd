"""DuckDB's CSV reader (the fast path for large files) gives exactly the exact reader's grid, or steps aside."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reform import csvscan, ingest
from reform.config import Config
from reform.ingest import readers

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"
TEXT_FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".txt", ".tsv"))


def plain(grid: pd.DataFrame) -> list[list[str]]:
    """Cells as text with an empty cell as '' (DuckDB says NULL where the csv module says '')."""
    return [["" if pd.isna(v) else str(v) for v in row] for row in grid.astype(object).values.tolist()]


def both(data: bytes) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    text, encoding = readers.decode(data)
    text = text.replace("\x00", "")
    delimiter = readers.sniff_delimiter(text)
    payload = (data if encoding == "utf-8" else text.encode("utf-8")).replace(b"\x00", b"")
    fast = readers._duckdb_grid(payload, delimiter, csvscan.widest(text, delimiter))
    return fast, readers.grid_of(readers._records(text, delimiter, 10**6))


@pytest.mark.parametrize("name", TEXT_FILES)
def test_fast_grid_equals_the_exact_reader_on_every_corpus_text_file(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    try:
        fast, exact = both(data)
    except readers.FileError:  # binary, empty or broken files: the exact reader's error is the answer
        return
    if fast is not None:
        assert plain(fast) == plain(exact)


def test_the_fast_path_is_taken_for_ordinary_files() -> None:
    taken = []
    for name in TEXT_FILES:
        try:
            fast, _ = both((CORPUS / name).read_bytes())
        except readers.FileError:
            continue
        taken.append(fast is not None)
    assert sum(taken) >= len(taken) * 2 // 3, taken


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('a,b,c\n"two\nlines",2,3\n', "a quoted line break makes rows and lines differ"),
        ("a,b,c\n\n1,2,3\n", "DuckDB skips an empty line the exact reader keeps as a row"),
        ("a,b,c\n" + "1,2,3\n" * 60 + "1,2,3,4\n", "a row wider than the first 50 lines"),
        ('a,b,c\n"open,2,3\n', "an unclosed quote: the exact reader names its row"),
        ("a,b,c\r1,2,3\r", "old Mac line ends"),
        ("a,b,c\n" + "x" * (readers.MAX_CELL_CHARS + 1) + ",2,3\n", "an oversized cell"),
        ('a,b,c\nx, "y",z\n', "DuckDB would trim a space before a quote the csv module keeps"),
        ('a,b,c\n"x" ,2,3\n', "DuckDB would accept a space after a closing quote the csv module refuses"),
        ('a\tb\tc\nx\t "y"\tz\n', "the same with tabs between the cells"),
    ],
)
def test_fast_path_steps_aside_where_it_could_differ(text: str, why: str) -> None:
    data = text.encode("utf-8")
    delimiter = readers.sniff_delimiter(text)
    assert readers._duckdb_grid(data, delimiter, csvscan.widest(text, delimiter)) is None, why


@pytest.mark.parametrize("pair", [b' "', b'" '])
@pytest.mark.parametrize("at", [csvscan.SCAN_BYTES - 1, csvscan.SCAN_BYTES, 3 * csvscan.SCAN_BYTES - 1])
def test_a_space_beside_a_quote_is_found_wherever_it_falls(pair: bytes, at: int) -> None:
    """The search goes a megabyte at a time: a pair across the seam, or the last pair of a large file,
    with thousands of harmless quotes before it."""
    harmless = b'1,"1,000"\n' * (at // 10 + 1)
    data = harmless[:at] + pair + b"x\n" + b"2,3\n" * 10
    assert data[at : at + 2] == pair
    assert csvscan.spaced_quote(data)
    assert not csvscan.spaced_quote(data.replace(pair, pair.replace(b" ", b"x")))


def test_trailing_line_ends_and_ragged_short_rows_read_the_same() -> None:
    text = "标题\n镇街,统计期,核定数\n罗塘, 2024 ,2\n三水,2024\n\n\n"
    fast, exact = both(text.encode("utf-8"))
    assert fast is not None
    assert plain(fast) == plain(exact)[: len(plain(fast))]
    assert plain(fast)[2] == ["罗塘", " 2024 ", "2"]  # spaces kept: the cell readers decide


def test_gbk_after_a_long_plain_start_is_still_read_as_gbk(cfg: Config) -> None:
    """The first 64 KB look like UTF-8; DuckDB refuses the later GBK bytes and the full decoding takes over."""
    title = "x" * (csvscan.HEAD_BYTES + 10)
    text = f"{title}\n镇街,统计期,岗位类型,核定数,在岗数\n罗塘街道,2025年第一季度,专职团干部,2,2\n"
    report = ingest.validate(text.encode("gbk"), "staffing.csv", cfg, "staffing")
    assert report.ok, report.to_dict()
    assert report.encoding == "gb18030"
    assert list(report.frame["township"]) == ["罗塘街道"]


_CELL = st.text(alphabet='a1 "\t,;\n\r镇-', max_size=6)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=6), quoted=st.booleans())
def test_fast_path_never_reads_a_file_differently_from_the_exact_reader(rows: list[list[str]], quoted: bool) -> None:
    """Any text at all: written by the csv module (quoted) or joined raw. Where DuckDB's grid is used it is
    the exact reader's grid; where the exact reader refuses the file, DuckDB's is not used either."""
    if quoted:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        text = out.getvalue()
    else:
        text = "\n".join(",".join(r) for r in rows) + "\n"
    if not text.strip():
        return
    delimiter = readers.sniff_delimiter(text)
    fast = readers._duckdb_grid(text.encode("utf-8"), delimiter, csvscan.widest(text, delimiter))
    try:
        exact = readers.grid_of(readers._records(text, delimiter, 10**6))
    except readers.FileError:
        assert fast is None
        return
    if fast is not None:
        assert plain(fast) == plain(exact)[: len(plain(fast))]
        assert all(not any(cell.strip() for cell in row) for row in plain(exact)[len(plain(fast)) :])


@settings(max_examples=300, deadline=None)
@given(payload=st.binary(max_size=40).map(lambda b: bytes(b'a\r\n" ,'[x % 6] for x in b)))
def test_the_line_scan_counts_lines_and_finds_every_lone_cr(payload: bytes) -> None:
    """The scan beside DuckDB's parse (numpy, 16 MB at a time) says what a plain reading says: the lines
    up to ``end``, or nothing where a CR is not followed by a line feed or a quote has a space beside it."""
    end = len(payload.rstrip(b"\r\n"))
    if not end:
        return
    body = payload[:end]
    lone = any(body[i] == 13 and (i + 1 == end or body[i + 1] != 10) for i in range(end))
    expected = None if lone or csvscan.spaced_quote(payload) else body.count(b"\n") + 1
    assert csvscan._plain_lines(payload, end) == expected


def test_the_line_scan_looks_across_its_steps() -> None:
    """A CR ending one 16 MB step has its line feed at the start of the next: not a lone CR."""
    step = csvscan.SCAN_BYTES
    assert csvscan._plain_lines(b"a" * (step - 1) + b"\r\nb", step + 2) == 2
    assert csvscan._plain_lines(b"a" * (step - 1) + b"\rb", step + 1) is None
