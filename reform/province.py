"""Province-scale data: a configuration of N townships and contract-valid files for five years.

The same reform runs in every county of a province (about 1,200 townships). This builds
what such a province would upload, so that capacity is measured on realistic volumes:
per township about 850 rows over 2021–2025 (staffing by quarter, Youth Homes by quarter,
funding, member development and inspections), which at 1,200 townships is over a million
rows. Everything is invented and deterministic (same N, same bytes); the files go through
the normal ingest path like any upload.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reform import config as config_module
from reform.config import Config
from reform.datasets import DATASETS

YEARS = tuple(range(2021, 2026))
QUARTERS = tuple(f"{y}-Q{q}" for y in YEARS for q in range(1, 5))
HOMES_PER_TOWNSHIP = 12  # one specialty Youth Home and eleven shared ones
UNITS_PER_TOWNSHIP = 60  # member-development units (schools, villages, enterprises)
INSPECTED_PER_ROUND = 40  # units inspected per township in each yearly round
MAX_FILE_MB = 200  # province files are larger than a district's; the generated config allows them

_FIRST = "东西南北中新安永长太平和兴华清河山湖江城金石白青龙凤桃柳梅松竹云花乐宁福寿德仁义文明"
_SECOND = "阳口桥港湾塘庄集铺店营坝堡沟岗岭洲渡头庙寺园林圩垛舍"
_SUFFIXES = ("镇", "镇", "镇", "乡", "街道")
_POSTS = ("专职团干部", "青年助力官", "团组织书记", "兼职团干部", "高校学生")
_SECTORS = ("初中", "高中", "中职", "镇街", "企业", "其他")
_UNIT_TYPES = ("学校", "镇街", "国有企业", "非公企业", "社会组织", "其他")
_RECTIFIED = ("已整改", "已整改", "已整改", "整改中", "未整改")


def township_names(count: int) -> list[str]:
    """``count`` distinct, plausible township names, unique also without their 镇/乡/街道 suffix."""
    names: list[str] = []
    for i in range(count):
        a, b = _FIRST[i % len(_FIRST)], _SECOND[(i // len(_FIRST)) % len(_SECOND)]
        lap = i // (len(_FIRST) * len(_SECOND))
        names.append(f"{a}{b}{lap + 1 if lap else ''}{_SUFFIXES[i % len(_SUFFIXES)]}")
    return names


def config_data(base: Config, count: int) -> dict[str, Any]:
    """The base configuration's YAML with ``count`` generated townships and room for province files."""
    data = yaml.safe_load(base.source.read_text(encoding="utf-8"))
    data["townships"] = [
        {
            "name": name,
            "youth_population": 3000 + (i * 37) % 9000,
            "lat": round(22 + (i * 0.013) % 20, 3),
            "lon": round(100 + (i * 0.029) % 20, 3),
        }
        for i, name in enumerate(township_names(count))
    ]
    data["upload"]["max_file_mb"] = MAX_FILE_MB
    data["storage"]["database"] = "province.duckdb"
    data["storage"]["load_sample_when_empty"] = False
    data["storage"]["sample_dir"] = str(base.sample_dir)
    return data


@dataclass
class Table:
    dataset: str
    header: list[str]
    rows: list[list[Any]]


def _staffing(cfg: Config) -> Table:
    rows: list[list[Any]] = []
    for q, period in enumerate(QUARTERS):
        for j, town in enumerate(cfg.township_names):
            for k, post in enumerate(_POSTS):
                authorized = 18 + (j * 7) % 23 if post == "团组织书记" else 1 + (j + k) % 3
                filled = max(0, authorized - (j + k + q) % 3) if q < 16 else authorized
                rows.append([town, period, post, authorized, filled])
    return Table("staffing", DATASETS["staffing"].headers, rows)


def _venues(cfg: Config) -> Table:
    rows: list[list[Any]] = []
    for q, period in enumerate(QUARTERS):
        rows.append([f"{cfg.committee}青年之家旗舰店", cfg.committee, "旗舰店", "2020-06-01", period, 60 + q, 1500])
        for j, town in enumerate(cfg.township_names):
            for h in range(HOMES_PER_TOWNSHIP):
                tier = "专营店" if h == 0 else "共营店"
                activities = 6 + (j + h + q) % 20
                rows.append([f"{town}青年之家{h + 1}号", town, tier, "2020-06-01", period, activities, activities * 25])
    return Table("venues", DATASETS["venues"].headers, rows)


def _funding(cfg: Config) -> Table:
    rows: list[list[Any]] = []
    for year in YEARS:
        rows.append([cfg.committee, year, "改革试点专项", "50万", ""])
        for j, town in enumerate(cfg.townships):
            amount = round((town.youth_population or 1) * (2.4 + (j % 6) * 0.2 + (year - 2021) * 0.1))
            rows.append([town.name, year, "青少年发展专项", amount, ""])
    return Table("funding", DATASETS["funding"].headers, rows)


def _members(cfg: Config) -> Table:
    rows: list[list[Any]] = []
    for year in YEARS:
        for j, town in enumerate(cfg.township_names):
            for u in range(UNITS_PER_TOWNSHIP):
                sector = _SECTORS[u % len(_SECTORS)]
                planned = 5 + (j + u) % 30
                admitted = planned - (j + u + year) % 4
                school = ("是" if (j + u + year) % 5 else "否") if sector in ("初中", "高中", "中职") else ""
                rows.append([f"{town}第{u + 1}单位", sector, town, year, planned, admitted, 1 + u % 3, school])
    return Table("members", DATASETS["members"].headers, rows)


def _inspections(cfg: Config) -> Table:
    rows: list[list[Any]] = []
    for r, year in enumerate(YEARS):
        for j, town in enumerate(cfg.township_names):
            for u in range(INSPECTED_PER_ROUND):
                unit = (u + r * 7) % UNITS_PER_TOWNSHIP  # later rounds revisit some units
                status = _RECTIFIED[(j + u + r) % len(_RECTIFIED)] if year == 2025 else "已整改"
                rows.append(
                    [
                        f"{town}第{unit + 1}单位",
                        _UNIT_TYPES[unit % len(_UNIT_TYPES)],
                        town,
                        f"第{r + 1}轮",
                        f"{year}-04-15",
                        (j + u) % 5,
                        status,
                        "是" if (j + u) % 11 == 0 else "否",
                    ]
                )
    header = DATASETS["inspections"].headers
    return Table("inspections", header, rows)


def _alumni(cfg: Config) -> Table:
    rows = [
        [city, f"在{city}学子联谊会", "2021-05-01", 40 + 30 * (year - 2021) + k, 4, f"{year}年"]
        for year in YEARS
        for k, city in enumerate(cfg.city_names)
    ]
    return Table("alumni", DATASETS["alumni"].headers, rows)


BUILDERS = (_staffing, _venues, _funding, _members, _inspections, _alumni)


def write(base: Config, count: int, out_dir: Path) -> tuple[Path, list[Path], int]:
    """Write ``config.yaml`` for ``count`` townships and one CSV per dataset; return (config, files, rows)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    config_path = out_dir / "config.yaml"
    header = (
        f"# Province-scale test configuration: {count} generated townships (python -m reform sample --scale).\n"
        "# Every key means what it means in the project's config.yaml, which comments each one.\n"
    )
    text = yaml.safe_dump(config_data(base, count), allow_unicode=True, sort_keys=False)
    config_path.write_text(header + text, encoding="utf-8")
    cfg = config_module.load(config_path)
    files, total = [], 0
    for build in BUILDERS:
        table = build(cfg)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.header)
        writer.writerows(table.rows)
        path = out_dir / f"{table.dataset}.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        files.append(path)
        total += len(table.rows)
    return config_path, files, total
