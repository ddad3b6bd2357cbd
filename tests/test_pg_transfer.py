"""Values cross from PostgreSQL to every server's replica unchanged, and a row a replica cannot take
stops nothing.

A clerk who types ``\\N`` as an explanation once made every other server of a province fail on
every page: replicas read PostgreSQL's CSV with ``NULL '\\N'``, and DuckDB took the quoted text
``"\\N"`` for a NULL too. Here: every text and number column of every table, written through one
server (a replica pushing to PostgreSQL) and read by another, compared value by value, with the
texts people type that a transfer could mistake (``\\N``, ``NULL``, quotes, line breaks, emoji,
very long texts) and the extreme numbers each type holds.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploy import localpg as pg
from reform import auth, backup, history, ingest, pgstore, sample
from reform.config import Config
from reform.pgstore import PgStore
from reform.store import Store
from tests import cli

CARRIED = sorted(t for t, kind in pgstore.categories().items() if kind != "primary")  # login_guard stays in PG
WHOLE_KEYS = set(pgstore.WHOLE_TABLES.values())  # a small table's key (name, key, password_hash): unique

TRICKY = ["\\N", '"\\N"', "\\\\N", "NULL", "null", "", " ", '"', '""', "'", ","]
TRICKY += ["\n", "\r\n", "a\nb", "\t", "\\", "😀青年"]
# PostgreSQL keeps no NUL in a text (a person's text reaches it without control characters: reform.text.flat)
TYPED = st.text(st.characters(exclude_characters="\x00"), max_size=40)
TEXTS = st.one_of(st.sampled_from(TRICKY), TYPED, st.just("长" * 70_000))
LIMITS = {
    "BIGINT": [2**63 - 1, -(2**63), 0],
    "INTEGER": [2**31 - 1, -(2**31), 0],
    "DOUBLE": [1.7976931348623157e308, -5e-324, float("inf"), float("-inf"), -0.0, 0.1],
    "DECIMAL(18,2)": [Decimal("9999999999999999.99"), Decimal("-9999999999999999.99"), Decimal("0.01")],
    "DATE": [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2000, 2, 29)],
    "TIMESTAMP": [dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)],
    "BOOLEAN": [True, False],
}


def _same(value: object) -> object:
    """A value as compared: NaN equals NaN, and -0.0 is told from 0.0."""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return value


def rows(store: PgStore, table: str, on_pg: bool) -> list[tuple]:
    if on_pg:
        with store.pg() as con:
            found = con.execute(f"SELECT * FROM {table}").fetchall()
    else:
        with store.connect() as con:
            found = con.execute(f"SELECT * FROM {table}").fetchall()
    return sorted((tuple(_same(v) for v in row) for row in found), key=repr)


def _write_everywhere(store: PgStore, texts: list[str], pick: int) -> None:
    """One write through ``store``: a row in every table, each text column holding one of ``texts``
    and each number, date and flag column an extreme of its type (``pick`` chooses which)."""
    with store.writing() as con:
        batch = int(con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchall()[0][0])
        for n, table in enumerate(CARRIED):
            relation = con.table(table)
            values: list[object] = []
            for m, (name, kind) in enumerate(zip(relation.columns, relation.types, strict=True)):
                if name == "batch_id":
                    values.append(batch)
                elif name == "id":
                    values.append(con.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchall()[0][0])
                elif str(kind) == "VARCHAR":
                    text = texts[(n + m) % len(texts)]
                    values.append(f"{batch}:{text}" if name in WHOLE_KEYS else text)  # keys stay unique
                else:
                    choices = LIMITS[str(kind)]
                    values.append(choices[(pick + m) % len(choices)])
            marks = ", ".join("?" for _ in values)
            con.execute(f"INSERT INTO {table} VALUES ({marks})", values)


@pytest.fixture(scope="module")
def cluster_db(postgres: pg.Server) -> str:
    url = postgres.database()
    PgStore(url).init()
    return url


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXTS, min_size=3, max_size=8), pick=st.integers(0, 5))
def test_every_value_of_every_table_crosses_to_another_server_unchanged(
    cluster_db: str, texts: list[str], pick: int
) -> None:
    writer, reader = PgStore(cluster_db), PgStore(cluster_db)  # two servers of one province
    _write_everywhere(writer, texts, pick)
    assert not reader.refused_rows()
    for table in CARRIED:
        on_pg = rows(writer, table, on_pg=True)
        assert on_pg == rows(writer, table, on_pg=False), table
        assert on_pg == rows(reader, table, on_pg=False), table
    fresh = PgStore(cluster_db)  # a server starting now builds its replica from PostgreSQL whole
    for table in CARRIED:
        assert rows(fresh, table, on_pg=False) == rows(writer, table, on_pg=True), table
    assert not fresh.refused_rows()
    for store in (writer, reader, fresh):
        store.close()


FUNDING = "镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,1万\n"  # 0.60 yuan a head against 2.95


def test_a_clerks_backslash_n_explanation_leaves_every_server_working(
    store: Store, cfg: Config, tmp_path: Path
) -> None:
    """The finding itself, on both backends: an explanation ``\\N`` stored through one server; another
    server signs people in, shows it in history and the review, backs up and rolls back."""
    from reform import actions, review

    sample.load(store, cfg)
    clerk = auth.User("luotang", "township", "罗塘街道")
    report = ingest.validate(FUNDING.encode("gbk"), "经费.csv", cfg, store=store)
    assert report.needs_explanation
    batch = actions.upload(store, cfg, clerk, report, explanations={"per_head_funding_change": "\\N"}).batch_id
    other = PgStore(store.url) if isinstance(store, PgStore) else Store(store.path)  # another server
    auth.add_user(other, cfg, "leader", "leader", "Leader-secret-pw1")
    assert auth.login(other, "leader", "Leader-secret-pw1").name == "leader"
    assert other.query("SELECT text FROM explanations")["text"].tolist() == ["\\N"]
    said = review.explanations(other, "funding", '{"township":"罗塘街道","year":2025}', int(batch))
    assert said["text"].tolist() == ["\\N"]
    assert int(batch) in history.batches(other)["batch_id"].tolist()
    manifest = backup.backup(other, tmp_path / "backup")
    assert manifest["tables"]["explanations"]["rows"] == 1
    other.undo(int(batch), "admin")  # a rollback through the other server
    assert other.query("SELECT text FROM explanations")["text"].tolist() == ["\\N"]  # kept with its batch
    if isinstance(other, PgStore):
        assert not other.refused_rows()
        other.close()


def test_a_row_no_replica_can_take_is_named_and_set_aside(postgres: pg.Server, cfg: Config) -> None:
    """A row that breaks the replica's rules (written by an older version, or by hand): every other
    server leaves it out and keeps serving, names its table and row in Chinese, and ``repair --move``
    sets it aside in PostgreSQL (kept as JSON, audited); then every server forgets it."""
    url = postgres.database()
    writer = PgStore(url)
    sample.load(writer, cfg)
    with writer.pg() as con:  # NULL where the replica requires a text; and a users row without a role
        con.execute("INSERT INTO explanations VALUES (3, 'per_head_funding_change', 2, 'msg', NULL)")
        con.execute(
            "INSERT INTO users (name, role, password_hash, disabled, failed_logins) VALUES ('x', NULL, 'h', false, 0)"
        )
        con.execute("UPDATE reform_cluster SET version = version + 1")
        con.commit()
    other = PgStore(url)
    auth.add_user(other, cfg, "leader", "leader", "Leader-secret-pw1")  # it writes too
    assert auth.login(other, "leader", "Leader-secret-pw1").name == "leader"
    refused = other.refused_rows()
    assert sorted(r.table for r in refused) == ["explanations", "users"]
    said = [pgstore.describe(r, "zh") for r in refused]
    assert "数据库表 explanations 中的一行（batch_id=3, source_row=2, rule=per_head_funding_change）" in said[0]
    assert "text 为空" in said[0] and "python -m reform repair" in said[0]
    assert "数据库表 users 中的一行（name=x）" in said[1] and "role 为空" in said[1]
    assert writer.data_version() == other.data_version()
    env = {"REFORM_DB": url}
    listed = cli.run("repair", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert '"table": "explanations"' in listed.stdout and '"moved": false' in listed.stdout
    moved = cli.run("repair", "--move", env=env)
    assert moved.returncode == 0, moved.stderr
    assert "已将 2 行移至隔离表" in moved.stdout
    other.sync()  # the next page run of that server
    assert other.refused_rows() == []
    with other.pg() as con:
        kept = con.execute("SELECT table_name, row_data->>'name' FROM reform_quarantine ORDER BY 1").fetchall()
    assert kept == [("explanations", None), ("users", "x")]
    assert any(a == "repair" for a in auth.audit_log(other)["action"])
    assert cli.run("repair", env=env).stdout.strip() == "没有本服务器无法载入的行"
    for store in (writer, other):
        store.close()


def test_failed_sign_ins_are_counted_in_postgresql_and_move_no_replicas_small_tables(
    postgres: pg.Server, cfg: Config
) -> None:
    """Issue 26, finding 7: every failed sign-in once made every server copy the whole lock table again
    (60,000 rows after a name-guessing run). The counts now live in PostgreSQL alone, shared by every
    server (a name locked through one is locked through another), and a sign-in's audit line makes the
    other servers fetch that line, not the small tables kept whole."""
    url = postgres.database()
    a, b = PgStore(url), PgStore(url)  # two servers
    sample.load(a, cfg)
    auth.add_user(a, cfg, "wang", "leader", "Wang-secret-pw1")
    b.sync()
    with a.pg() as con:
        whole = con.execute("SELECT whole FROM reform_cluster").fetchall()[0][0]
    for i in range(60):
        with pytest.raises(auth.AuthError):
            auth.login(a, f"guess-{i}", "x")
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.login(a, "wang", "wrong")
    with pytest.raises(auth.AuthError):  # locked through server a: b refuses the right password too
        auth.login(b, "wang", "Wang-secret-pw1")
    with a.pg() as con:
        assert con.execute("SELECT count(*) FROM login_guard").fetchall()[0][0] == 61
        assert con.execute("SELECT whole FROM reform_cluster").fetchall()[0][0] == whole  # no small table moved
    assert b.query("SELECT count(*) AS n FROM login_guard")["n"][0] == 0  # never copied to a replica
    assert auth.users(b).set_index("name").at["wang", "failed_logins"] == auth.MAX_FAILURES
    assert auth.unlock(b, "wang")
    assert auth.login(a, "wang", "Wang-secret-pw1").name == "wang"
    assert (auth.audit_log(b)["action"] == "login").sum() == 60 + auth.MAX_FAILURES + 2  # b reads every line
    for store in (a, b):
        store.close()


def test_admins_see_which_row_was_left_out_and_everyone_else_works_on(
    postgres: pg.Server, cfg: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page side of a row no replica can take: the sign-in page and every page work; an admin
    reads on every page which table and row, and the command that sets it aside."""
    from tests.test_auth import app, sign_in

    url = postgres.database()
    writer = PgStore(url)
    sample.load(writer, cfg)
    for name, role in (("admin", "admin"), ("leader", "leader")):
        auth.add_user(writer, cfg, name, role, {"admin": "Adm1n-secret-pw", "leader": "Lead3r-secret-pw"}[name])
    with writer.pg() as con:
        con.execute("INSERT INTO explanations VALUES (3, 'per_head_funding_change', 2, 'msg', NULL)")
        con.execute("UPDATE reform_cluster SET version = version + 1")
    writer.close()
    leader = sign_in(app(url, monkeypatch), "leader")
    assert leader.metric and not any("无法载入" in e.value for e in leader.error)
    admin = sign_in(app(url, monkeypatch), "admin")
    said = " ".join(e.value for e in admin.error)
    assert "本服务器有 1 行共享数据无法载入" in said and "explanations" in said and "text 为空" in said
    assert admin.metric  # the overview's figures are there all the same
