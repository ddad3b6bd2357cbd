"""A file's identity: the same bytes uploaded twice are the same upload (``batches.content_hash``).

Its own module, free of pandas, so that the command line's read-ahead (``reform.readahead``)
computes it while the command's modules still load, and the check (``reform.ingest``) gets the
very same answer.
"""

from __future__ import annotations

import hashlib


def of(data: bytes) -> str:
    """SHA-256 of the bytes, in hex (hashlib lets go of Python's lock while it hashes)."""
    return hashlib.sha256(data).hexdigest()
