"""Three app servers behind nginx against one, under the same load (issue 16).

``make cluster`` first, then ``python -m bench.cluster [--sessions 30] [--seconds 40]``.

Every session signs in (the cluster has accounts) and switches page without pause, so the
servers are saturated: (1) all sessions on one app server directly, (2) all through nginx, spread
over the three by the browser cookie. Page views per minute of each, and the app servers' CPU
seconds (``/proc/<pid>/stat``). Twice: as the machine gives it (on two cores shared with the load
generator, nginx and PostgreSQL, three servers cannot get three cores), and CPU-fairly, each app
server held to the same CPU budget (``--share`` of the time, by SIGSTOP/SIGCONT as ``cpulimit``
does), which asks whether three servers deliver three times what one does with the same CPU each.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from bench import load
from bench.common import machine

ROOT = Path(__file__).resolve().parent.parent


class Budget:
    """Each app server may run ``share`` of the time (SIGCONT, then SIGSTOP for the rest of every
    100 ms), as ``cpulimit`` does: every server gets the same CPU budget, so that one server and
    three are compared for what the design does with the CPU it is given, not for how many cores
    this machine happens to have (two, shared with the load generator, nginx and PostgreSQL)."""

    PERIOD = 0.1

    def __init__(self, pids: list[int], share: float) -> None:
        self.pids, self.share, self.stop = pids, share, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _signal(self, sig: int) -> None:
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def _run(self) -> None:
        while not self.stop.is_set():
            self._signal(signal.SIGCONT)
            time.sleep(self.PERIOD * self.share)
            self._signal(signal.SIGSTOP)
            time.sleep(self.PERIOD * (1 - self.share))
        self._signal(signal.SIGCONT)

    def __enter__(self) -> Budget:
        if self.share < 1:
            self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
        self._signal(signal.SIGCONT)


def measure(url: str, pids: list[int], sessions: int, seconds: float, share: float = 1.0) -> dict[str, object]:
    before = sum(load.cpu_seconds(p) for p in pids)
    with Budget(pids, share):
        found = load.run(url, sessions, seconds, 0.0)
    used = sum(load.cpu_seconds(p) for p in pids) - before
    views = int(found["page_views"]) or 1
    return {**found, "server_cpu_s": round(used, 1), "views_per_cpu_s": round(views / used, 1) if used else None}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--share", type=float, default=0.3, help="each server's CPU budget for the fair run")
    args = parser.parse_args(argv)
    record = json.loads((ROOT / ".cluster" / "cluster.json").read_text(encoding="utf-8"))
    load.LOGIN = ("admin", (ROOT / ".cluster" / "admin-password").read_text(encoding="utf-8").strip())
    servers = {int(port): int(pid) for port, pid in record["servers"].items()}
    first = min(servers)
    found: dict[str, object] = {"machine": machine(), "sessions": args.sessions, "seconds": args.seconds}
    for share in (1.0, args.share):
        one = measure(f"http://127.0.0.1:{first}", [servers[first]], args.sessions, args.seconds, share)
        three = measure(str(record["url"]), list(servers.values()), args.sessions, args.seconds, share)
        ratio = round(float(three["views_per_minute"]) / max(float(one["views_per_minute"]), 1e-9), 2)
        found[f"cpu_share_{share}"] = {"one_server": one, "three_behind_nginx": three, "ratio": ratio}
    print(json.dumps(found, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
