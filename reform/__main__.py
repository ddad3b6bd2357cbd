"""``python -m reform``: the command line (``reform.cli``).

A large CSV given to ``ingest`` or ``validate`` starts being read and parsed (``reform.readahead``)
before the command's modules load: the half second pandas takes to import is no longer spent
before the file is even opened.
"""

from __future__ import annotations

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
sys.exit(main())
