"""This installation's secret: the key that signs backups, presentation links and the audit chain.

32 random bytes, made on first use beside a DuckDB file (``reform-backup.key``, mode 0600), or
for a PostgreSQL store in ``REFORM_KEY_DIR`` (one per database); ``REFORM_BACKUP_KEY`` (hex) gives
it directly (several machines of one cluster share it that way). Its own module, importing
nothing of ours but the configuration: the store seals audit lines with it, backups sign with it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from reform.config import is_postgres

KEY_FILE = "reform-backup.key"
KEY_ENV = "REFORM_BACKUP_KEY"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why."""


def key_path(database: Path | str) -> Path:
    """The key file: beside a DuckDB file; for a PostgreSQL URL, in ``REFORM_KEY_DIR`` (default
    ~/.config/reform), one per database (servers of one cluster on one machine share it; on
    several machines give each the same ``REFORM_BACKUP_KEY``)."""
    if is_postgres(database):
        folder = Path(os.environ.get("REFORM_KEY_DIR") or Path.home() / ".config" / "reform")
        return folder / f"backup-{hashlib.sha256(str(database).encode()).hexdigest()[:12]}.key"
    return Path(database).resolve().parent / KEY_FILE


def signing_key(database: Path, key_file: Path | None = None, create: bool = False) -> bytes:
    """The backup key: ``REFORM_BACKUP_KEY`` (hex), ``key_file``, or the file beside the database,
    made (32 random bytes, mode 0600) on the first backup."""
    if os.environ.get(KEY_ENV):
        try:
            return bytes.fromhex(os.environ[KEY_ENV])
        except ValueError as exc:
            raise BackupError(f"{KEY_ENV} must be hexadecimal") from exc
    path = key_file or key_path(database)
    if not path.exists():
        if not create:
            raise BackupError(f"no backup key at {path}: copy the key file of the server that made the backup")
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as exc:
        raise BackupError(f"the backup key {path} cannot be read") from exc


def derived(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose, derived from the installation's secret (one secret to keep)."""
    import hmac

    return hmac.new(secret, purpose.encode("utf-8"), hashlib.sha256).digest()


def encrypt(key: bytes, text: str) -> str:
    """``text`` encrypted with AES-256-GCM (a fresh nonce each time), as ``nonce.ciphertext`` in hex."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    return nonce.hex() + "." + AESGCM(key).encrypt(nonce, text.encode("utf-8"), None).hex()


def decrypt(key: bytes, sealed: str) -> str:
    """What ``encrypt`` sealed; ValueError when it was altered or made with another key."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce, _, body = sealed.partition(".")
    try:
        return AESGCM(key).decrypt(bytes.fromhex(nonce), bytes.fromhex(body), None).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise ValueError("sealed text altered or made with another key") from exc
