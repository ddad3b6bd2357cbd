"""The command line as operators and scripts use it: a real process on a real database file."""

from __future__ import annotations

import json
from pathlib import Path

from reform import auth, config
from reform.store import Store
from tests.cli import run
from tests.test_ingest import STAFFING_GBK

ROOT = Path(__file__).resolve().parent.parent


def test_validate_json_on_a_gbk_file_with_title_and_totals_rows(tmp_path: Path) -> None:
    path = tmp_path / "队伍配备.csv"
    path.write_bytes(STAFFING_GBK.encode("gbk"))
    result = run("--db", str(tmp_path / "x.duckdb"), "validate", str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["dataset"], data["ok"], data["rows_read"], data["rows_valid"], data["rows_skipped"]) == (
        "staffing",
        True,
        5,
        3,
        2,
    )
    assert data["errors"] == []
    assert data["warnings"][0]["row"] == 8


def test_validate_exits_1_on_errors_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("镇街,年度,经费类型,金额（元）\n北京,2022,改革试点专项,25万\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    result = run("--db", str(db), "--lang", "en", "ingest", str(path), "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["errors"][0]["row"] == 2 and data["errors"][0]["column"] == "township"
    assert "not a configured township" in data["errors"][0]["message"]
    kpis = json.loads(run("--db", str(db), "kpis", "--json").stdout)
    assert kpis["data_version"] == 0


def test_ingest_stores_then_recognises_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(STAFFING_GBK.encode("gbk"))
    db = tmp_path / "x.duckdb"
    refused = run("--db", str(db), "user", "add", "张三", "--role", "admin", stdin="Zhang-secret-pw\nZhang-secret-pw\n")
    assert refused.returncode == 1 and "三员分立" in refused.stderr  # security.separate_admins: no combined admin
    auth.add_user(Store(db), config.load(), "张三", "admin", "Zhang-secret-pw")  # one kept from before (an upgrade)
    first = json.loads(run("--db", str(db), "ingest", str(path), "--as", "张三", "--json").stdout)
    assert (first["batch_id"], first["rows_stored"], first["duplicate_of"]) == (1, 3, None)
    second = run("--db", str(db), "ingest", str(path))
    assert second.returncode == 0
    assert "同一文件已保存为第 1 批" in second.stdout


def test_kpis_on_the_sample_store_give_the_seed_figures(sample_db: Path) -> None:
    result = run("--db", str(sample_db), "kpis", "--json")
    assert result.returncode == 0, result.stderr
    kpis = {k["key"]: k for k in json.loads(result.stdout)["kpis"]}
    assert kpis["alumni_cities"]["value"] == 10 and kpis["alumni_cities"]["denominator"] == 10
    assert kpis["units_inspected"]["value"] == 320
    assert kpis["reform_pilot_funds"]["trend"]["2021"] == 250000
    assert kpis["reform_pilot_funds"]["trend"]["2022"] == 500000
    assert all({"value", "target", "status"} <= set(k) for k in kpis.values())


def test_sample_if_empty_loads_once(tmp_path: Path) -> None:
    db = tmp_path / "fresh.duckdb"
    first = run("--db", str(db), "sample", "--if-empty")
    assert first.returncode == 0 and "已载入示例数据：6 个文件" in first.stdout
    second = run("--db", str(db), "sample", "--if-empty")
    assert "未载入" in second.stdout


def test_a_wrong_config_stops_with_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text(
        (ROOT / "config.yaml").read_text(encoding="utf-8").replace("max_file_mb: 20", "max_file_mb: -3"),
        encoding="utf-8",
    )
    result = run("--config", str(bad), "kpis")
    assert result.returncode == 1  # the contract: every misuse ends in a message and exit 1
    assert "upload.max_file_mb" in result.stderr
