"""The command line reads a large CSV ahead while its modules load.

``python -m reform ingest FILE`` spends half a second importing pandas and the rest (Python's lock
held) before it looks at the file, and DuckDB's parse of a million rows takes as long again with
the lock released. ``start`` parses the file in a thread from the first moment; when the reader
(``reform.ingest.readers``) then asks for DuckDB's grid of *the same bytes* with the same
delimiter and width, it gets this answer instead of parsing again. Any other question (another
file, other bytes, a file that turns out not to be plain UTF-8) is answered as before: the
read-ahead only ever saves time. Pandas-free, so that it starts before pandas is imported.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
COMMANDS = ("ingest", "validate")


class _Ahead:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: bytes | None = None
        self.key: tuple[str, int] | None = None  # (delimiter, width) the parse used
        self.table: Any = None
        self.digest: str | None = None  # reform.fingerprint of the bytes
        self.read = threading.Event()
        self.hashed = threading.Event()
        self.parsed = threading.Event()


_lock = threading.Lock()
_current: dict[str, _Ahead] = {}  # "file": the read-ahead under way (one a process)


def from_argv(argv: list[str]) -> None:
    """Start reading ahead when the command is ``ingest`` or ``validate`` of a text file."""
    command = next((n for n, a in enumerate(argv) if a in COMMANDS), None)
    if command is None:
        return
    given = next((a for a in argv[command + 1 :] if not a.startswith("-")), None)
    if given is None or Path(given).suffix.lower() not in TEXT_SUFFIXES:
        return
    config_path = _option(argv[:command], "--config") or os.environ.get("REFORM_CONFIG")
    start(Path(given), config_path)


def _option(argv: list[str], name: str) -> str | None:
    for n, arg in enumerate(argv):
        if arg == name and n + 1 < len(argv):
            return argv[n + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def start(path: Path, config_path: str | None = None) -> None:
    """Read and parse ``path`` in a thread, within the configuration's limits (as the reader would)."""
    ahead = _Ahead(path.resolve())
    with _lock:
        _current["file"] = ahead
    threading.Thread(target=_work, args=(ahead, config_path), name="reform-readahead", daemon=True).start()


def _work(ahead: _Ahead, config_path: str | None) -> None:
    hashing = False
    try:
        from reform import config

        cfg = config.load(config_path) if config_path else config.load()
        if ahead.path.stat().st_size > cfg.max_file_mb * 1024 * 1024:
            return  # refused unread by the check itself
        ahead.data = ahead.path.read_bytes()
        ahead.read.set()
        threading.Thread(target=_hash, args=(ahead,), name="reform-readahead-hash", daemon=True).start()
        hashing = True
        ahead.key, ahead.table = _parse(ahead.data, cfg.limits)
    except Exception:  # noqa: S110 - whatever goes wrong here, the reader does it all again and says why
        pass
    finally:
        ahead.read.set()
        ahead.parsed.set()
        if not hashing:  # no fingerprint coming: nobody may wait for one
            ahead.hashed.set()


def _hash(ahead: _Ahead) -> None:
    """The bytes' fingerprint, beside the parse (the check asks for it first thing)."""
    try:
        from reform import fingerprint

        ahead.digest = fingerprint.of(ahead.data)
    finally:
        ahead.hashed.set()


def _parse(data: bytes, limits: Any) -> tuple[tuple[str, int] | None, Any]:
    """The reader's own first steps for plain UTF-8 (``readers.read_csv``), then DuckDB's grid."""
    from reform import csvscan

    if data[:4] in csvscan.WORKBOOK_MAGIC:
        return None, None
    head = csvscan.utf8_head(data)
    if head is None or csvscan.looks_binary(head):
        return None, None
    delimiter = csvscan.sniff_delimiter(head)
    widths = csvscan.head_widths(head, delimiter)
    width = max(widths, default=0)
    if width > limits.max_columns or csvscan.cells(data, width) > limits.max_cells:
        return None, None  # the reader refuses it before parsing
    return (delimiter, width), csvscan.arrow_grid(data, delimiter, width)


def data(path: Path) -> bytes | None:
    """The bytes of ``path`` as read ahead (the same object the parse used), or None."""
    ahead = _current.get("file")
    if ahead is None or ahead.path != path.resolve():
        return None
    ahead.read.wait()
    return ahead.data


def digest(payload: bytes) -> str | None:
    """``reform.fingerprint.of(payload)`` when ``payload`` is the read-ahead's bytes (computed beside
    the parse), else None."""
    ahead = _current.get("file")
    if ahead is None or ahead.data is not payload:
        return None
    ahead.hashed.wait()
    return ahead.digest


def grid(payload: bytes, delimiter: str, width: int) -> tuple[bool, Any]:
    """(True, DuckDB's grid or None) when ``payload`` is the read-ahead's bytes and it parsed them with
    this delimiter and width; (False, None) otherwise. The answer is handed out once."""
    ahead = _current.get("file")
    if ahead is None or ahead.data is not payload:
        return False, None
    ahead.parsed.wait()
    with _lock:
        if _current.get("file") is ahead:
            del _current["file"]  # memory back once used
    if ahead.key != (delimiter, width):
        return False, None
    return True, ahead.table
