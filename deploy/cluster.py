"""``make cluster`` / ``make cluster-stop``: a province deployment on this machine.

    python -m deploy.cluster start [--servers 3] [--port 8600]
    python -m deploy.cluster stop

``start``: Debian's PostgreSQL ``initdb``-ed into ``.cluster/pg`` (its own port), the sample data
and an administrator account (its password in ``.cluster/admin-password``, mode 0600), ``servers``
app servers (``serve.py``) on the ports after ``port``, all on that database with one shared backup
key, and nginx on ``port`` in front of them (``deploy/nginx.conf.template``: sticky sessions,
websocket upgrade, the upload limit, security headers). ``stop`` ends them all and removes
``.cluster``. What runs is recorded in ``.cluster/cluster.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("REFORM_CLUSTER_DIR") or ROOT / ".cluster")  # tests use a folder of their own
RECORD = STATE / "cluster.json"


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback servers
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


TLS_OFFSET = 99  # the HTTPS port is the cluster's port + 99 (PostgreSQL takes + 100)


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (``make cluster`` on one machine; a real
    server uses its unit's certificate). Made with openssl, the key readable by its owner only."""
    cert, key = folder / "tls.crt", folder / "tls.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "825"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return cert, key


def _wait_tls(port: int) -> None:
    import socket
    import ssl

    context = ssl.create_default_context(cafile=str(STATE / "tls.crt"))
    for _ in range(100):
        try:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=2) as raw,
                context.wrap_socket(raw, server_hostname="127.0.0.1"),
            ):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx does not answer HTTPS on {port}")


def nginx_conf(port: int, servers: list[int], body_mb: int) -> str:
    template = (ROOT / "deploy" / "nginx.conf.template").read_text(encoding="utf-8")
    (STATE / "nginx-temp").mkdir(parents=True, exist_ok=True)
    cert, key = certificate(STATE)
    return template.format(
        tls_listen=f"127.0.0.1:{port + TLS_OFFSET}",
        tls_port=port + TLS_OFFSET,
        certificate=cert,
        certificate_key=key,
        pid_file=STATE / "nginx.pid",
        error_log=STATE / "nginx-error.log",
        access_log=STATE / "nginx-access.log",
        temp=STATE / "nginx-temp",
        servers="\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in servers),
        listen=f"127.0.0.1:{port}",
        body_mb=body_mb + 1,
    )


def start(count: int, port: int) -> dict[str, object]:
    """Everything started, or (on any failure) everything started so far stopped again."""
    begun: dict[str, object] = {}
    try:
        return _start(count, port, begun)
    except BaseException:
        _stop_all(begun)
        shutil.rmtree(STATE, ignore_errors=True)
        raise


def _start(count: int, port: int, begun: dict[str, object]) -> dict[str, object]:
    from deploy import localpg
    from reform import auth, config, sample
    from reform.store import Store

    if RECORD.exists():
        raise SystemExit(f"a cluster is running (see {RECORD}); make cluster-stop first")
    shutil.rmtree(STATE, ignore_errors=True)  # what a start that failed half-way left
    STATE.mkdir()
    database = localpg.Server(STATE / "pg", port + 100)
    begun["pg_port"] = database.port
    url = database.database("reform")
    cfg = config.load().with_database(url)
    store = Store(url)
    sample.load(store, cfg)
    password = secrets.token_urlsafe(12) + "-Aa1"  # meets any password rule of three kinds
    auth.add_user(store, cfg, "admin", "admin", password)
    (STATE / "admin-password").write_text(password + "\n", encoding="utf-8")
    (STATE / "admin-password").chmod(0o600)
    env = {
        **os.environ,
        "REFORM_DB": url,
        "REFORM_BACKUP_KEY": secrets.token_hex(32),
        "REFORM_REPLICA_DIR": str(STATE / "replicas"),
    }
    ports = [port + 1 + i for i in range(count)]
    processes = []
    for server_port in ports:
        log = (STATE / f"server-{server_port}.log").open("wb")
        command = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(server_port)]
        command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
        command += ["--server.maxUploadSize", str(cfg.max_file_mb)]
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        begun["servers"] = {str(p): proc.pid for p, proc in zip(ports, processes, strict=False)}
    for server_port in ports:
        _wait(f"http://127.0.0.1:{server_port}/_stcore/health")
    conf = STATE / "nginx.conf"
    conf.write_text(nginx_conf(port, ports, cfg.max_file_mb), encoding="utf-8")
    subprocess.run(["nginx", "-c", str(conf), "-p", str(STATE)], check=True)
    begun["nginx_conf"] = str(conf)
    _wait(f"http://127.0.0.1:{port}/_stcore/health")
    _wait_tls(port + TLS_OFFSET)
    record = {
        "url": f"http://127.0.0.1:{port}",
        "https": f"https://127.0.0.1:{port + TLS_OFFSET}",
        "certificate": str(STATE / "tls.crt"),
        "database": url,
        "pg_port": database.port,
        "servers": {str(p): proc.pid for p, proc in zip(ports, processes, strict=True)},
        "nginx_conf": str(conf),
    }
    RECORD.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return record


def stop() -> None:
    if not RECORD.exists():
        print("no cluster is running")
        return
    _stop_all(json.loads(RECORD.read_text(encoding="utf-8")))
    shutil.rmtree(STATE, ignore_errors=True)


def _stop_all(record: dict[str, object]) -> None:
    from deploy import localpg

    if record.get("nginx_conf"):
        subprocess.run(["nginx", "-c", str(record["nginx_conf"]), "-p", str(STATE), "-s", "stop"], check=False)
    for pid in dict(record.get("servers") or {}).values():  # type: ignore[call-overload]
        try:
            os.kill(int(pid), signal.SIGTERM)
        except ProcessLookupError:
            continue
    time.sleep(1)
    if record.get("pg_port"):
        localpg.Server.attach(STATE / "pg", int(record["pg_port"])).stop()  # type: ignore[call-overload]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8600)
    args = parser.parse_args(argv)
    if args.action == "stop":
        stop()
        return 0
    record = start(args.servers, args.port)
    print(f"cluster: {record['https']} (nginx, HTTPS) -> app servers on {', '.join(record['servers'])}")
    print(f"the certificate is self-signed ({record['certificate']}): trust it in the browser, or use your own")
    print(f"this machine may also use {record['url']} (plain HTTP answers 127.0.0.1 only)")
    print(f"sign in as admin, password in {STATE / 'admin-password'}; make cluster-stop ends it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
