"""``python -m bench``: every benchmark, in the order of bench/RESULTS.md ((a) to (d))."""

from __future__ import annotations

import sys

from bench import concurrency, ingest, overview, pages

if __name__ == "__main__":
    sys.exit(ingest.main([]) or overview.main([]) or pages.main([]) or concurrency.main([]))
