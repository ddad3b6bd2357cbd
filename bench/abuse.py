"""Server memory under abuse from visitors who never sign in (issue 11, finding 7).

``python -m bench.abuse [--seconds 40] [--threads 30] [--uploads 45]``

Starts the real server (``serve.py``) on a copy of the sample store with one account, then:

1. a sign-in flood: ``threads`` visitors, each opening a session over the websocket as a browser
   does and submitting the login form with a random unknown name, again and again for
   ``seconds``, while an admin's session reruns the overview every 2 s;
2. ``uploads`` files of 19 MB PUT into sessions that never signed in.

It prints the server's resident memory before and after each (growth in MB and as a ratio to
the idle server) and the admin's rerun times idle and under the flood. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import machine

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = secrets.token_urlsafe(16) + "-Aa1"  # the benchmark's own throwaway admin (meets the rule)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    import os
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (db.parent / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env={**os.environ, "REFORM_DB": str(db)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):  # noqa: S310 - loopback
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def settle(pid: int, seconds: float = 5.0) -> float:
    """RSS after the server has had a moment to free what the burst left (sessions closed)."""
    time.sleep(seconds)
    return rss_mib(pid)


def flood(url: str, threads: int, seconds: float) -> tuple[int, list[float]]:
    """Sign-in attempts with unknown names from ``threads`` visitors; the admin's rerun times meanwhile."""
    from tests import wsclient

    stop = time.monotonic() + seconds
    attempts = [0] * threads

    def visitor(index: int) -> None:
        while time.monotonic() < stop:
            try:
                session = wsclient.open_session(url)
                wsclient.sign_in(session, f"nobody-{secrets.token_hex(4)}", "wrong-password-x")
                session.close()
                attempts[index] += 1
            except Exception:
                attempts[index] += 1

    admin = wsclient.open_session(url)
    wsclient.sign_in(admin, "admin", PASSWORD)
    workers = [threading.Thread(target=visitor, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    reruns = []
    while time.monotonic() < stop:
        reruns.append(wsclient.rerun(admin, timeout=60))
        time.sleep(2)
    for worker in workers:
        worker.join(timeout=90)
    admin.close()
    return sum(attempts), reruns


def uploads(url: str, count: int, megabytes: int = 19) -> list[int]:
    from tests import wsclient

    body = b"a,b,c\n" * (megabytes * 1024 * 1024 // 6)
    statuses = []
    for _ in range(count):
        session = wsclient.open_session(url)
        statuses.append(wsclient.put_file(session, body))
        session.close()
    return statuses


def idle_reruns(url: str, times: int = 10) -> list[float]:
    from tests import wsclient

    admin = wsclient.open_session(url)
    wsclient.sign_in(admin, "admin", PASSWORD)
    found = [wsclient.rerun(admin) for _ in range(times)]
    admin.close()
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.abuse")
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--threads", type=int, default=30)
    parser.add_argument("--uploads", type=int, default=45)
    args = parser.parse_args(argv)
    from reform import auth, config, sample
    from reform.store import Store

    with tempfile.TemporaryDirectory(prefix="reform-abuse-") as tmp:
        db = Path(tmp) / "abuse.duckdb"
        sample.load(Store(db), config.load())
        auth.add_user(Store(db), config.load(), "admin", "admin", PASSWORD)
        process, url = start(db)
        try:
            idle = idle_reruns(url)
            before = settle(process.pid, 2)
            attempts, under = flood(url, args.threads, args.seconds)
            after_flood = settle(process.pid)
            statuses = uploads(url, args.uploads)
            after_uploads = settle(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
        audited = int((auth.audit_log(Store(db), limit=1_000_000)["action"] == "login").sum())
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "machine": machine(),
        "idle_rss_mib": round(before, 1),
        "flood_attempts": attempts,
        "flood_audited_logins": audited,
        "flood_growth_mib": round(after_flood - before, 1),
        "flood_growth_ratio": round(after_flood / before, 3),
        "admin_rerun_idle_median_s": round(statistics.median(idle), 3),
        "admin_rerun_flood_median_s": round(statistics.median(under), 3) if under else None,
        "admin_rerun_flood_max_s": round(max(under), 3) if under else None,
        "uploads": len(statuses),
        "upload_statuses": sorted(set(statuses)),
        "uploads_growth_mib": round(after_uploads - after_flood, 1),
        "uploads_growth_ratio": round(after_uploads / after_flood, 3),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
