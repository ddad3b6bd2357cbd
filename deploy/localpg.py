"""A private PostgreSQL: Debian's server, ``initdb`` into a folder of our own, on a port of our own.

For the test session (a temporary folder, one fresh database per test) and for ``make cluster``
(``.cluster/pg``). It listens on 127.0.0.1 only with trust authentication for the one local user
(never a production set-up: see deploy/reform.env.example). As root (CI, this machine) the server
runs as the ``postgres`` account, as PostgreSQL requires; it never touches a system cluster.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

USER = "reform"


def binaries() -> Path:
    """The newest installed server's bin folder (apt: postgresql, /usr/lib/postgresql/<n>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (make system-deps does)")
    return Path(found[-1]).parent


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One running PostgreSQL; ``database()`` makes a new, empty database and returns its URL."""

    def __init__(self, folder: Path | None = None, port: int | None = None) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="reform-pg-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or _free_port()
        self._count = 0
        self._lock = threading.Lock()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        data = self.folder / "data"
        subprocess.run(
            _as_server_user(
                [
                    str(binaries() / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    USER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(
            _as_server_user(
                [
                    str(binaries() / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(self.folder / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def database(self, name: str | None = None) -> str:
        import psycopg

        with self._lock:
            self._count += 1
            name = name or f"test_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    @classmethod
    def attach(cls, folder: Path, port: int) -> Server:
        """A server started earlier (``make cluster``), to stop it."""
        server = cls.__new__(cls)
        server.folder, server.port, server._count, server._lock = folder, port, 0, threading.Lock()
        return server

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            subprocess.run(
                _as_server_user(
                    [str(binaries() / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"]
                ),
                check=True,
                capture_output=True,
            )
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def running() -> Iterator[Server]:
    server = Server()
    try:
        yield server
    finally:
        server.stop()
