"""Audit lines older than the retention period moved into a signed archive file, never dropped.

《网络安全法》第二十一条 asks network logs to be kept at least six months: lines younger than
``RETENTION_DAYS`` never leave the store. Older ones may be archived by the audit administrator:
they are written to ``audit-<first>-<last>.jsonl`` (each line with its seal) and a manifest signed
with the installation's key, the file is read back and checked, and only then are the lines removed
from the store, in one transaction, leaving an anchor (the last archived line's id and seal) from
which the chain of the remaining lines is verified. The archive itself verifies on its own
(``python -m reform audit --verify-archive FILE``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from reform import auditchain, keys

RETENTION_DAYS = 180  # the shortest time a line stays in the store


class ArchiveError(ValueError):
    """An archive that cannot be made or does not verify; ``code`` names the message in reform.i18n."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Archived:
    """What an archive holds: its file, lines, the first and last ids and times."""

    path: Path
    lines: int
    first: int
    last: int
    first_at: str
    last_at: str


def cutoff(before: date, today: date) -> datetime:
    """The first moment kept: ``before``, unless that would cut lines younger than the retention."""
    latest = today - timedelta(days=RETENTION_DAYS)
    if before > latest:
        raise ArchiveError("archive_too_recent", days=RETENTION_DAYS, latest=latest.isoformat())
    return datetime(before.year, before.month, before.day)


def _signature(secret: bytes, body: bytes) -> str:
    return hmac.new(keys.derived(secret, "audit archive"), body, hashlib.sha256).hexdigest()


def write(rows: list[tuple[Any, ...]], anchor: tuple[int, str], folder: Path, secret: bytes) -> Archived:
    """Write ``rows`` (``auditchain.chain_rows``: id, time, user, action, outcome, detail, algorithm,
    seal) and their manifest into ``folder``, then read the file back and verify it."""
    if not rows:
        raise ArchiveError("archive_nothing")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audit-{rows[0][0]}-{rows[-1][0]}.jsonl"
    if path.exists():
        raise ArchiveError("archive_exists", path=str(path))
    names = ("id", "logged_at", "user_name", "action", "outcome", "detail", "algorithm", "mac")
    lines = [json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, default=str) for row in rows]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    manifest = {
        "kind": "reform audit archive",
        "file": path.name,
        "lines": len(rows),
        "first": int(rows[0][0]),
        "last": int(rows[-1][0]),
        "anchor": {"id": anchor[0], "mac": anchor[1]},
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    manifest["signature"] = _signature(secret, json.dumps(manifest, sort_keys=True).encode())
    path.write_bytes(body)
    path.with_suffix(".manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    found = verify(path, secret)  # read back from the disk before anything leaves the store
    if found.lines != len(rows):
        raise ArchiveError("archive_bad", path=str(path))
    return found


def verify(path: Path, secret: bytes) -> Archived:
    """An archive file checked whole: its manifest's signature, the file's digest, and the chain of
    its lines from its anchor (a line edited, removed or reordered in the file fails)."""
    try:
        manifest = json.loads(path.with_suffix(".manifest.json").read_text(encoding="utf-8"))
        body = path.read_bytes()
    except (OSError, ValueError) as exc:
        raise ArchiveError("archive_bad", path=str(path)) from exc
    signature = manifest.pop("signature", "")
    expected = _signature(secret, json.dumps(manifest, sort_keys=True).encode())
    if not hmac.compare_digest(signature, expected) or hashlib.sha256(body).hexdigest() != manifest["sha256"]:
        raise ArchiveError("archive_bad", path=str(path))
    rows = [json.loads(line) for line in body.decode("utf-8").splitlines() if line]
    chained = [
        (
            r["id"],
            datetime.fromisoformat(r["logged_at"]),
            r["user_name"],
            r["action"],
            r["outcome"],
            r["detail"],
            r["algorithm"],
            r["mac"],
        )
        for r in rows
    ]
    verdict = auditchain.verify(chained, secret, (manifest["anchor"]["id"], manifest["anchor"]["mac"]))
    if not verdict.ok or len(rows) != manifest["lines"]:
        raise ArchiveError("archive_bad", path=str(path))
    return Archived(path, len(rows), manifest["first"], manifest["last"], rows[0]["logged_at"], rows[-1]["logged_at"])
