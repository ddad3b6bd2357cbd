"""The PostgreSQL store against a real PostgreSQL (started by the test session): the same figures as
the DuckDB file, several servers on one database, writers that take turns across processes, a
server killed in the middle of an upload, and backup and restore.

Several ``PgStore(url)`` objects in one process stand for several servers here (``Store(url)``
gives a process its one shared store): each keeps its own replica and connections, as a server
process does; the kill test uses real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from deploy import localpg as pg
from metrics import overview
from metrics.base import Scope
from reform import auth, backup, ingest, pgstore, sample
from reform.config import Config
from reform.pgstore import PgStore
from reform.store import Store, declared_tables
from tests.cli import run as run_cli

ROOT = Path(__file__).resolve().parent.parent
FUNDING = "镇街,年度,经费类型,金额（元）\n{town},2025,青少年发展专项,{amount}\n"


def figures(store: Store, cfg: Config) -> str:
    """Every overview KPI and the whole league table, as text (an empty figure reads NaN on both)."""
    with store.reader() as q:
        first, last = overview.data_years(q)
        scope = Scope(first, last, today=cfg.today())
        kpis = [r.to_dict() for r in overview.kpis(q, cfg, scope)]
        table = overview.league_table(q, cfg, scope).round(9).to_dict("records")
    return json.dumps([kpis, table], ensure_ascii=False, default=str, sort_keys=True)


def commit(store: Store, cfg: Config, text: str, name: str = "经费.csv", user: str = "clerk") -> int | None:
    report = ingest.validate(text.encode("gbk"), name, cfg)
    assert report.ok, report.to_dict()
    result = store.commit(report, user)
    return result.batch_id if result.batch_id is not None else -int(result.duplicate_of or 0)


def test_every_table_has_a_replication_rule() -> None:
    assert set(pgstore.categories()) == set(declared_tables())


def test_the_sample_district_gives_identical_figures_on_both_backends(
    postgres: pg.Server, cfg: Config, tmp_path: Path
) -> None:
    duck, post = Store(tmp_path / "sample.duckdb"), Store(postgres.database())
    for store in (duck, post):
        sample.load(store, cfg)
        commit(store, cfg, FUNDING.format(town="溱潼镇", amount="1.5万"))
        store.undo(3, "admin")  # history too: a rollback's rows come back the same on both
    assert figures(duck, cfg) == figures(post, cfg)
    assert duck.batches().drop(columns="uploaded_at").equals(post.batches().drop(columns="uploaded_at"))


def test_an_upload_through_one_server_shows_on_another(postgres: pg.Server, cfg: Config) -> None:
    url = postgres.database()
    a, b = PgStore(url), PgStore(url)  # two servers: two replicas
    sample.load(a, cfg)
    before = figures(b, cfg)
    started = time.perf_counter()
    commit(a, cfg, FUNDING.format(town="溱潼镇", amount="1.5万"))
    assert b.data_version() == a.data_version() == 7  # the next page run on B sees it
    assert figures(b, cfg) == figures(a, cfg) != before
    assert time.perf_counter() - started < 2


def test_fifty_uploads_over_three_servers_lose_and_repeat_nothing(postgres: pg.Server, cfg: Config) -> None:
    """Three server processes (each its replica and its sessions' threads) upload 17 + 17 + 16 files at once."""
    url = postgres.database()
    PgStore(url).init()
    shares = [(0, 17), (17, 17), (34, 16)]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.uploader", url, str(first), str(count)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first, count in shares
    ]
    outputs = [server.communicate(timeout=300) for server in servers]
    assert [server.returncode for server in servers] == [0, 0, 0], [err[-2000:] for _, err in outputs]
    done = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert sorted(i for i, _ in done) == list(range(50))
    assert sorted(b for _, b in done) == list(range(1, 51))  # every upload a batch of its own, numbered without gaps
    towns = list(cfg.township_names)
    for store in (PgStore(url), PgStore(url)):  # two more servers, their replicas built from PostgreSQL
        batches = store.batches()
        assert sorted(batches["batch_id"]) == list(range(1, 51))
        assert sorted(batches["uploaded_by"]) == sorted(f"clerk{i}" for i in range(50))
        current = store.query("SELECT township, amount_yuan FROM current_funding")
        latest: dict[str, tuple[int, int]] = {}  # township -> (batch, amount) of its last committed upload
        for batch, user in batches[["batch_id", "uploaded_by"]].values:
            index = int(user.removeprefix("clerk"))
            town = towns[index % len(towns)]
            latest[town] = max(latest.get(town, (0, 0)), (int(batch), 10_000 + index))
        assert {t: int(a) for t, a in current.values} == {t: amount for t, (_, amount) in latest.items()}


def test_the_same_file_from_two_servers_at_once_is_stored_once(postgres: pg.Server, cfg: Config) -> None:
    url = postgres.database()
    a, b = PgStore(url), PgStore(url)  # two servers: two replicas
    a.init()
    text = FUNDING.format(town="罗塘街道", amount="5万")
    found: list[int | None] = []
    threads = [threading.Thread(target=lambda s=s: found.append(commit(s, cfg, text))) for s in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(found) == [-1, 1]  # one batch; the other server is told it is a duplicate of batch 1
    assert len(b.batches()) == len(a.batches()) == 1


def test_audit_lines_and_review_ids_from_several_servers_stay_unique(postgres: pg.Server, cfg: Config) -> None:
    url = postgres.database()
    a, b = PgStore(url), PgStore(url)  # two servers: two replicas
    a.init()
    for i in range(6):
        auth.record(a if i % 2 else b, "admin", "login", detail=f"line {i}")
    for store in (a, b):
        log = auth.audit_log(store)
        assert log["id"].is_unique and sorted(log["detail"]) == [f"line {i}" for i in range(6)]


def test_a_server_killed_during_an_upload_leaves_no_half_batch(
    postgres: pg.Server, cfg: Config, tmp_path: Path
) -> None:
    url = postgres.database()
    survivor = Store(url)
    sample.load(survivor, cfg)
    version = survivor.data_version()
    rows = "\n".join(f"青年之家{i}号,罗塘街道,专营店,2020-01-15,2025年第一季度,1,1" for i in range(200_000))
    path = tmp_path / "青年之家.csv"
    path.write_text("阵地名称,镇街,类型,启用日期,统计期,活动场次,服务人次\n" + rows + "\n", encoding="utf-8")
    env = {**os.environ, "REFORM_DB": url}
    child = subprocess.Popen(
        [sys.executable, "-m", "reform", "ingest", str(path), "--dataset", "venues"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with survivor.pg() as con:  # wait until the child holds the writer's lock (it is writing)
        for _ in range(600):
            held = con.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted",
                [pgstore.LOCK_KEY],
            ).fetchall()[0][0]
            if held or child.poll() is not None:
                break
            time.sleep(0.05)
    assert child.poll() is None, "the upload ended before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL  # killed while writing (14 MB: within the upload limit)
    assert survivor.data_version() == version  # nothing of the killed upload
    assert survivor.query("SELECT count(*) AS n FROM venues WHERE batch_id > ?", [version])["n"][0] == 0
    assert commit(survivor, cfg, FUNDING.format(town="溱潼镇", amount="1.5万")) == version + 1  # the lock is free


def test_backup_from_postgresql_restores_into_another(postgres: pg.Server, cfg: Config, tmp_path: Path) -> None:
    source, target = postgres.database(), postgres.database()
    store = Store(source)
    sample.load(store, cfg)
    auth.add_user(store, cfg, "admin", "admin", "Admin-secret-pw")
    out = tmp_path / "backup"
    key = tmp_path / "backup.key"
    manifest = backup.backup(store, out, key)
    assert manifest["data_version"] == 6
    backup.restore(out, target, key)
    restored = Store(target)
    assert figures(restored, cfg) == figures(store, cfg)
    assert auth.find_user(restored, "admin") is not None
    with pytest.raises(backup.BackupError, match="already holds data"):
        backup.restore(out, target, key)


def test_the_command_line_works_on_a_postgresql_url(
    postgres: pg.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each command a process of its own, its replica in memory: no replica file is made (a server's
    folder for them, given here, stays untouched), and the data version is PostgreSQL's."""
    url = postgres.database()
    replicas = tmp_path / "replicas"
    env = os.environ | {"REFORM_REPLICA_DIR": str(replicas)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("--db", url, *args, env=env)

    assert cli("sample").returncode == 0
    path = tmp_path / "经费.csv"
    path.write_bytes(FUNDING.format(town="溱潼镇", amount="1.5万").encode("gbk"))
    stored = cli("ingest", str(path), "--json")
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout)["batch_id"] == 7
    kpis = json.loads(cli("kpis", "--json").stdout)
    assert kpis["data_version"] == 7
    assert not replicas.exists()
    monkeypatch.setenv("REFORM_REPLICA_DIR", str(replicas))
    server = PgStore(url)  # an app server's replica: a file in that folder
    assert server.data_version() == 7
    assert [p.suffix for p in replicas.iterdir()] == [".duckdb"]
    server.close()


def pg_rows(store: PgStore, table: str) -> list[tuple]:
    with store.pg() as con:
        return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def replica_rows(store: PgStore, table: str) -> list[tuple]:
    with store.connect() as con:
        return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def test_postgresql_holds_every_value_the_replica_holds(postgres: pg.Server, cfg: Config) -> None:
    """Every table, value for value (amounts in fen, times to the microsecond, flags), after writes
    of each kind; and a server starting afresh reads the same back."""
    url = postgres.database()
    store = PgStore(url)
    sample.load(store, cfg)
    commit(store, cfg, FUNDING.format(town="溱潼镇", amount="12345.67"))
    store.undo(3, "admin")
    auth.add_user(store, cfg, "leader", "leader", "Leader-secret-pw")
    auth.set_disabled(store, "leader")
    auth.record(store, "leader", "login", "refused", "disabled")
    other = PgStore(url)
    for table in sorted(declared_tables()):
        assert pg_rows(store, table) == replica_rows(store, table) == replica_rows(other, table), table
    assert any(Decimal("12345.67") in row for row in pg_rows(store, "funding"))  # to the fen, as numeric


class RefusedError(Exception):
    """Raised by an audit line maker after the write's rows were inserted."""


def test_a_write_failing_after_its_rows_left_takes_them_back(postgres: pg.Server, cfg: Config) -> None:
    """The new rows start for PostgreSQL before the replica stores them: a write failing later (here its
    audit line) leaves PostgreSQL, its version and every server as they were."""
    url = postgres.database()
    store, other = PgStore(url), PgStore(url)
    sample.load(store, cfg)
    version, counted = store.data_version(), pg_rows(store, "venues")
    rows = "\n".join(f"青年之家{i}号,罗塘街道,专营店,2020-01-15,2025年第一季度,1,1" for i in range(20_000))
    text = "阵地名称,镇街,类型,启用日期,统计期,活动场次,服务人次\n" + rows + "\n"
    report = ingest.validate(text.encode(), "青年之家.csv", cfg)

    def refuse(result: object) -> tuple[str, str, str, str]:
        raise RefusedError(result)

    with pytest.raises(RefusedError):
        store.commit(report, "clerk", audit=refuse)
    assert pg_rows(store, "venues") == counted
    with store.pg() as con:
        assert con.execute("SELECT version FROM reform_cluster").fetchall()[0][0] == version
    assert store.data_version() == other.data_version() == version
    assert store.commit(report, "clerk").rows_stored == 20_000  # the next write goes through whole
    assert other.data_version() == version + 1
    assert len(pg_rows(store, "venues")) == len(counted) + 20_000
    assert figures(other, cfg) == figures(store, cfg)


def test_a_send_started_again_for_the_same_batch_replaces_the_first(postgres: pg.Server) -> None:
    """A replica transaction retried whole sends its batch again: PostgreSQL keeps one copy of the rows;
    a write that fails takes back what it sent."""
    store = PgStore(postgres.database())
    store.init()
    incoming = pa.table({"n": list(range(1000))})  # what the writer's view ``incoming`` shows
    rows = (
        "SELECT {batch} AS batch_id, i.n::INTEGER AS source_row, NULL AS replaced_by, 'x' || i.n AS township, "
        "2025 AS year, '专项' AS fund_type, 100.5 AS amount_yuan, NULL AS youth_population FROM incoming i"
    )
    with store.pg() as pg_con, store.connect() as con:
        sending = pgstore._Sending(pg_con)
        sending.start(con, "funding", 9, rows.format(batch=9), incoming)
        sending.start(con, "funding", 9, rows.format(batch=9), incoming)  # the retry
        assert sending.settle(discard=False) == {("funding", 9)}
        found = pg_con.execute(
            "SELECT count(*), sum(amount_yuan), min(batch_id), count(DISTINCT township) FROM funding"
        ).fetchall()[0]
        assert found == (1000, Decimal("100500.00"), 9, 1000)
        pg_con.commit()
        sending = pgstore._Sending(pg_con)
        sending.start(con, "funding", 10, rows.format(batch=10), incoming)
        assert sending.settle(discard=True) == set()
        assert pg_con.execute("SELECT count(*), max(batch_id) FROM funding").fetchall()[0] == (1000, 9)
        pg_con.rollback()
