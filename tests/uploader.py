"""One app server's uploads, as a process of its own (tests/test_backends.py starts three at once).

``python -m tests.uploader URL FIRST COUNT``: uploads COUNT funding files numbered FIRST… through the
store API from COUNT threads (the concurrent sessions of one server), and prints each file's
batch as JSON lines ``[index, batch]``.
"""

from __future__ import annotations

import json
import sys
import threading

from reform import config, ingest
from reform.store import Store

FUNDING = "镇街,年度,经费类型,金额（元）\n{town},2025,青少年发展专项,{amount}\n"


def main(url: str, first: int, count: int) -> None:
    cfg = config.load()
    store = Store(url)
    store.init()
    towns = list(cfg.township_names)
    lock = threading.Lock()

    def upload(index: int) -> None:
        text = FUNDING.format(town=towns[index % len(towns)], amount=f"{10_000 + index}")
        report = ingest.validate(text.encode("gbk"), f"经费-{index}.csv", cfg)
        result = store.commit(report, f"clerk{index}")
        with lock:
            print(json.dumps([index, result.batch_id]), flush=True)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(first, first + count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
