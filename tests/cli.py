"""The command line as a user runs it: a real process, its exit code and its words (one helper for every test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m reform ARGS`` in the project folder, with ``stdin`` as its standard input."""
    return subprocess.run(
        [sys.executable, "-m", "reform", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
        check=False,
        env=env,
    )
