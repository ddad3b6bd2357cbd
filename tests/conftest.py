"""Shared fixtures: real configuration files, real DuckDB files, real CSV files. No mocks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy import localpg as pg
from reform import config as config_module
from reform import ingest, sample
from reform.config import Config
from reform.store import Store
from tests.receivers import RobotServer, serve_robots

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small"


def ingest_file(store: Store, cfg: Config, path: Path, dataset: str | None = None, user: str = "test") -> ingest.Report:
    """Validate and commit one real file; fail the test if it does not validate."""
    report = ingest.validate(path.read_bytes(), path.name, cfg, dataset)
    assert report.ok, [p.to_dict() for p in report.errors]
    store.commit(report, user)
    return report


@pytest.fixture(scope="session")
def cfg() -> Config:
    """The shipped configuration (the sample district)."""
    return config_module.load(ROOT / "config.yaml")


@pytest.fixture(scope="session")
def small_cfg() -> Config:
    """Three townships and three cities: the configuration of the hand-computed metric fixture."""
    return config_module.load(SMALL / "config.yaml")


BACKENDS = ["duckdb", "postgres"]  # every test taking `store` or `small_store` runs on both


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.Server]:
    """A real PostgreSQL for the session (Debian's server, initdb into a temporary folder)."""
    with pg.running() as server:
        yield server


def _target(request: pytest.FixtureRequest, backend: str, path: Path) -> str | Path:
    if backend == "duckdb":
        return path
    return request.getfixturevalue("postgres").database()


def _close(target: str | Path) -> None:
    """Close this process's PostgreSQL store for ``target`` (its connections and replica), if one was made."""
    from reform.pgstore import PgStore

    found = PgStore._instances.get(str(target))
    if found is not None:
        found.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The store a test runs on: "duckdb" (a file) or "postgres" (a database of the session's server)."""
    return request.param


@pytest.fixture
def target(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str | Path]:
    """Where a test's own store goes (for ``--db``, ``REFORM_DB`` or ``Store``): a DuckDB file not yet
    made, or a fresh PostgreSQL database's URL."""
    found = _target(request, backend, tmp_path / "store.duckdb")
    yield found
    _close(found)


def copy_store(request: pytest.FixtureRequest, backend: str, source: Path, path: Path) -> str | Path:
    """A private copy of the DuckDB store ``source`` on ``backend``: the file copied to ``path``, or
    loaded into a fresh PostgreSQL database (as ``restore --db postgresql://…`` does); closed after the test."""
    if backend == "duckdb":
        shutil.copy(source, path)
        return path
    url = _target(request, backend, path)
    Store(url).load_from(source)
    request.addfinalizer(lambda: _close(url))
    return url


@pytest.fixture
def sample_target(request: pytest.FixtureRequest, backend: str, sample_db: Path, tmp_path: Path) -> str | Path:
    """A private copy of the sample store that a test may change, on each backend."""
    return copy_store(request, backend, sample_db, tmp_path / "sample.duckdb")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store: a fresh DuckDB file, or a fresh PostgreSQL database."""
    s = Store(_target(request, request.param, tmp_path / "test.duckdb"))
    s.init()
    yield s
    if hasattr(s, "close"):
        s.close()  # its connections and replica: hundreds of tests must not exhaust the server


@pytest.fixture(scope="session", params=BACKENDS)
def small_store_file(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, small_cfg: Config
) -> str | Path:
    target = _target(request, request.param, tmp_path_factory.mktemp("small") / "small.duckdb")
    load_small(Store(target), small_cfg)
    return target


def load_small(store: Store, small_cfg: Config) -> None:
    """The hand-computed fixture's six files, through the normal ingest path."""
    store.init()
    for name in ("staffing", "venues", "alumni", "funding", "inspections", "members"):
        ingest_file(store, small_cfg, SMALL / f"{name}.csv", name)


@pytest.fixture
def small_store(small_store_file: str | Path) -> Store:
    """The hand-computed metric fixture, loaded through the normal ingest path (read it, don't write),
    in a DuckDB file and in PostgreSQL: every hand-computed figure holds on both."""
    return Store(small_store_file)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory, cfg: Config) -> Path:
    """The sample district loaded once through the normal ingest path."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    sample.load(Store(path), cfg)
    return path


@pytest.fixture
def sample_copy(sample_db: Path, tmp_path: Path) -> Path:
    """A private copy of the sample store that a test may change."""
    target = tmp_path / "sample.duckdb"
    shutil.copy(sample_db, target)
    return target


@pytest.fixture
def robots() -> Iterator[tuple[RobotServer, str]]:
    """A group-robot HTTP server (企业微信 and 钉钉) on 127.0.0.1: (what it received, its address)."""
    receiver = RobotServer()
    server, url = serve_robots(receiver)
    yield receiver, url
    server.shutdown()
