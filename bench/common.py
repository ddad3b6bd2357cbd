"""What every benchmark shares: the machine line, timing, a child process's peak memory, province stores."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(os.environ.get("REFORM_BENCH_DIR", Path(__file__).resolve().parent / ".data"))


def machine() -> str:
    """One line naming the machine and the versions that the figures depend on."""
    import duckdb
    import pandas

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, "
        f"duckdb {duckdb.__version__}, pandas {pandas.__version__}"
    )


def timed(work: Callable[[], Any]) -> float:
    """The wall time of one run of ``work`` (seconds)."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def median_time(repeat: int, work: Callable[[], Any]) -> float:
    """The median wall time of ``repeat`` runs (seconds)."""
    return statistics.median(timed(work) for _ in range(repeat))


def child(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module args`` in a fresh process and return the JSON of its last stdout line.

    A fresh process per measurement makes its peak memory (``peak_mib``, see ``peak_mib()``)
    that of the measured work alone, plus the interpreter and libraries, the same for both sides.
    """
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{module} {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def code_in(tree: Path, code: str, *args: str) -> dict[str, Any]:
    """Run ``python -c code args`` with the checkout ``tree`` as its folder (its own code measured) and
    return the JSON of its last stdout line."""
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=tree, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{tree}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_rounds(trees: dict[str, Path], rounds: int, code: str, *args: str) -> dict[str, list[dict[str, Any]]]:
    """``code`` run for each checkout of ``trees`` in turns (the order swapped every round), each run on
    a new database of one private PostgreSQL (its URL the first argument): every run's JSON by tree."""
    from deploy import localpg

    found: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    with localpg.running() as server:
        for n in range(rounds):
            order = list(trees.items()) if n % 2 == 0 else list(reversed(trees.items()))
            for name, tree in order:
                found[name].append(code_in(tree, code, server.database(f"{name}_{n}"), *args))
    return found


def peak_mib() -> float:
    """This process's peak resident memory so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def province(townships: int) -> tuple[Path, Path]:
    """A store holding the province sample for ``townships`` townships (built once): (config, database)."""
    from reform import config, province, sample
    from reform.store import Store

    folder = DATA / f"province-{townships}"
    database = folder / "province.duckdb"
    config_path = folder / "config.yaml"
    if not database.exists() or not config_path.exists():
        database.unlink(missing_ok=True)
        config_path, files, _ = province.write(config.load(), townships, folder)
        sample.load_files(Store(database), config.load(config_path), {p.stem: p for p in files})
    return config_path, database
