"""``python -m reform``: the command line (``reform.cli``).

A large CSV given to ``ingest`` or ``validate`` starts being read and parsed (``reform.readahead``)
before the command's modules load: the half second pandas takes to import is no longer spent
before the file is even opened.
"""

from __future__ import annotations

import sys

from reform import readahead

readahead.from_argv(sys.argv[1:])

from reform.cli import main  # noqa: E402 - after the read-ahead has started, on purpose

sys.exit(main())
