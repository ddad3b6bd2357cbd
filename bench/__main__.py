"""``python -m bench``: every benchmark, in the order of bench/RESULTS.md."""

from __future__ import annotations

import sys

from bench import ingest

if __name__ == "__main__":
    sys.exit(ingest.main(sys.argv[1:]))
