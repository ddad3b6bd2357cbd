"""Three app servers behind nginx against one, under the same load (issue 16).

``make cluster`` first, then ``python -m bench.cluster [--sessions 30] [--seconds 40]``.

Every session signs in (the cluster has accounts) and switches page without pause, so the
servers are saturated: (1) all sessions on one app server directly, (2) all through nginx, spread
over the three by the browser cookie. Page views per minute of each, and the app servers' CPU
seconds (``/proc/<pid>/stat``), so that views per CPU-second can be compared: on this 2-core
machine (load generator included) three servers cannot get three cores, so the raw ratio is
bounded by the machine; the per-CPU-second figure says whether the cluster costs more per view.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench import load
from bench.common import machine

ROOT = Path(__file__).resolve().parent.parent


def measure(url: str, pids: list[int], sessions: int, seconds: float) -> dict[str, object]:
    before = sum(load.cpu_seconds(p) for p in pids)
    found = load.run(url, sessions, seconds, 0.0)
    used = sum(load.cpu_seconds(p) for p in pids) - before
    views = int(found["page_views"]) or 1
    return {**found, "server_cpu_s": round(used, 1), "views_per_cpu_s": round(views / used, 1) if used else None}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=40)
    args = parser.parse_args(argv)
    record = json.loads((ROOT / ".cluster" / "cluster.json").read_text(encoding="utf-8"))
    load.LOGIN = ("admin", (ROOT / ".cluster" / "admin-password").read_text(encoding="utf-8").strip())
    servers = {int(port): int(pid) for port, pid in record["servers"].items()}
    first = min(servers)
    one = measure(f"http://127.0.0.1:{first}", [servers[first]], args.sessions, args.seconds)
    three = measure(str(record["url"]), list(servers.values()), args.sessions, args.seconds)
    print(
        json.dumps(
            {
                "machine": machine(),
                "sessions": args.sessions,
                "seconds": args.seconds,
                "one_server": one,
                "three_behind_nginx": three,
                "ratio_views_per_minute": round(float(three["views_per_minute"]) / float(one["views_per_minute"]), 2),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
