"""``python -m reform``: the command line (``reform.cli``).

A large CSV given to ``ingest`` or ``validate`` starts being read and parsed (``reform.readahead``)
before the command's modules load: the half second pandas takes to import is no longer spent
before the file is even opened.

A command is one process that ends when its work is done, so it ends at once (``finish``): the
exit handlers run and the output is flushed, but the interpreter does not take apart the modules
and free, object by object, the hundreds of megabytes a million-row ingest leaves behind (0.2-0.4 s
of a whole-process ingest, bench/RESULTS.md §15). Every store has closed its connections by then.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

# Nothing here does linear algebra: OpenBLAS's threads (started with numpy) only take turns on the
# cores the command needs (0.2 s of CPU on a million-row ingest).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from reform import readahead

readahead.from_argv(sys.argv[1:])

from reform.cli import main  # noqa: E402 - after the read-ahead has started, on purpose
from reform.pgstore import PgStore  # noqa: E402

PgStore.replica_in_memory = True  # one command, one process: its replica of PostgreSQL needs no file
# The modules' objects live as long as the command: the collector need not look at them again
# at every full collection while a million rows are read.
gc.freeze()


def finish(code: int) -> None:
    """End the command: exit handlers (a store's replica dropped), output flushed, then exit."""
    atexit._run_exitfuncs()  # what the interpreter would run at exit, in the same order
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe: what Python itself reports at exit with status 120
            code = code or 120
    os._exit(code)


finish(main())
