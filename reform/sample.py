"""Sample data: invented but plausible township reports, 2021–2025, with the seed's real figures.

The seed report's figures are exact: reform pilot funds of ¥250,000 (2021) and
¥500,000 (2022); alumni associations in the ten cities; 320 distinct units
inspected (罗塘街道 and 区市场监管局 among them, 区应急管理局 and 区城投公司 with a
league organisation newly set up); the district's two new cadres of November 2021.
Everything else is invented and every file says so in its title row.

``write_files`` produces the CSVs in ``data/sample`` (deterministic: same seed,
same bytes); ``load`` puts them in a store through the normal ingest path.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

from reform import ingest
from reform.config import Config
from reform.datasets import DATASETS
from reform.store import Store

YEARS = tuple(range(2021, 2026))
SAMPLE_TITLE = "{district}{dataset}（示例数据，均为虚构，仅供演示）"
FILE_NAMES = {
    "staffing": "staffing.csv",
    "venues": "venues.csv",
    "alumni": "alumni.csv",
    "funding": "funding.csv",
    "inspections": "inspections.csv",
    "members": "members.csv",
}
# Townships whose figures lag in the sample, so the charts have something to show.
LAGGING_FUNDING = {"溱潼镇": 2.67, "白米镇": 2.50}
LATE_SPECIALTY = {"俞垛镇": None, "桥头镇": 2025}  # 俞垛镇 has no specialty Youth Home yet
NO_OFFICER = {"华港镇"}  # still recruiting a youth assistant officer at the end of 2025
# Reports the sample leaves out, so the completeness page has gaps to show: (dataset, township, period).
MISSING_REPORTS = {
    ("staffing", "华港镇", "2025年第四季度"),
    ("members", "淤溪镇", 2025),
    ("venues", "俞垛镇", "2025年"),
}


@dataclass
class Table:
    """One sample file: a header and rows, written with a title row above the header."""

    dataset: str
    header: list[str]
    rows: list[list[object]]


def _staffing(cfg: Config, rnd: random.Random) -> Table:
    rows: list[list[object]] = []
    quarters = [(y, q) for y in YEARS for q in range(1, 5)]
    for i, (year, quarter) in enumerate(quarters):
        period = f"{year}年第{'一二三四'[quarter - 1]}季度"
        # The district committee: two posts filled in November 2021 (seed), so Q4 2021 is full.
        district_filled = 4 if (year, quarter) < (2021, 4) else 6
        rows.append([cfg.committee, period, "专职团干部", 6, district_filled])
        for j, town in enumerate(cfg.township_names):
            officers = 0 if town in NO_OFFICER else (1 if i >= 2 + j % 5 else 0) + (1 if i >= 12 and j % 4 == 0 else 0)
            rows.append([town, period, "青年助力官", 2 if j % 4 == 0 else 1, officers])
            rows.append([town, period, "专职团干部", 2, 1 if i < 4 + j % 6 else 2])
            branches = 18 + (j * 7) % 23
            vacancies = max(0, 6 - i // 3 - j % 3) if j % 5 else max(0, 3 - i // 4)
            rows.append([town, period, "团组织书记", branches, branches - vacancies])
            if year >= 2022:
                rows.append([town, period, "高校学生", 3, rnd.randint(1, 3)])
    return Table("staffing", DATASETS["staffing"].headers, _without_gaps("staffing", rows, 0, 1))


def _venues(cfg: Config, rnd: random.Random) -> Table:
    homes: list[tuple[str, str, str, str]] = [("姜堰区青年之家旗舰店", cfg.committee, "旗舰店", "2021-06-18")]
    for j, town in enumerate(cfg.township_names):
        short = town.removesuffix("街道").removesuffix("镇")
        if town not in LATE_SPECIALTY:
            homes.append((f"{short}青年之家专营店", town, "专营店", f"{2021 + j % 3}-{3 + j % 9:02d}-{10 + j:02d}"))
        elif LATE_SPECIALTY[town]:
            homes.append((f"{short}青年之家专营店", town, "专营店", f"{LATE_SPECIALTY[town]}-04-20"))
        for k in range(1 + j % 3):
            homes.append(
                (f"{short}新时代文明实践站青年之家共营店{k + 1}号", town, "共营店", f"{2021 + k}-0{5 + k}-0{1 + j % 9}")
            )
    rows: list[list[object]] = []
    for year in YEARS:
        for name, town, tier, opened in homes:
            if int(opened[:4]) > year:
                continue
            base = {"旗舰店": 60, "专营店": 24, "共营店": 10}[tier]
            activities = base + rnd.randint(0, base // 2) + (year - 2021) * 3
            rows.append([name, town, tier, opened, f"{year}年", activities, activities * rnd.randint(18, 40)])
    header = DATASETS["venues"].headers
    return Table("venues", header, _without_gaps("venues", rows, 1, 4))


def _alumni(cfg: Config, rnd: random.Random) -> Table:
    founded = {}
    for k, city in enumerate(cfg.city_names):
        founded[city] = f"2021-{4 + k:02d}-{10 + k:02d}" if k < 6 else f"2022-{k - 3:02d}-{12 + k:02d}"
    rows: list[list[object]] = []
    for year in YEARS:
        for k, city in enumerate(cfg.city_names):
            if int(founded[city][:4]) > year:
                continue
            members = 40 + k * 9 + (year - int(founded[city][:4])) * rnd.randint(8, 20)
            rows.append(
                [f"{city}市", f"姜堰区在{city}学子联谊会", founded[city], members, rnd.randint(2, 8), f"{year}年"]
            )
    return Table("alumni", DATASETS["alumni"].headers, rows)


def _funding(cfg: Config, rnd: random.Random) -> Table:
    pilot = {2021: "25万", 2022: "50万", 2023: "￥500,000", 2024: "45万元", 2025: "480000"}
    rows: list[list[object]] = []
    for year in YEARS:
        rows.append([cfg.committee, year, "改革试点专项", pilot[year], ""])
        for j, town in enumerate(cfg.townships):
            rate = 2.2 + 0.25 * (year - 2021) + (j % 4) * 0.2
            if year == 2025:
                rate = LAGGING_FUNDING.get(town.name, max(rate, 3.0 + (j % 5) * 0.15))
            population = town.youth_population or 1
            amount = round(population * rate)
            given = population if j % 3 else ""  # a third leave it empty: the configured figure applies
            text = f"{amount / 10000:g}万" if amount % 100 == 0 else f"{amount:,}"
            rows.append([town.name, f"{year}年", "青少年发展专项", text, given])
    return Table("funding", DATASETS["funding"].headers, rows)


_AGENCIES = (
    "区市场监管局 区应急管理局 区发改委 区教育局 区科技局 区工信局 区公安分局 区民政局 区司法局 区财政局 "
    "区人社局 区自然资源分局 区生态环境局 区住建局 区交通运输局 区水利局 区农业农村局 区商务局 区文广旅局 "
    "区卫健委 区退役军人事务局 区审计局 区统计局 区医保局 区信访局 区城管局 区行政审批局 区数据局 区税务局 "
    "区人民法院 区人民检察院 区总工会 区妇联 区科协 区残联 区融媒体中心 区供销总社 区气象局 区档案馆 区机关事务局"
).split()
_SOES = (
    "区城投公司 区交投公司 区水务集团 区国资公司 区农发集团 区文旅集团 区公交公司 区供电公司 区农商行 区邮政分公司"
).split()
_TRADES = "机械 电子 纺织 食品 化工 医药 建材 物流 农业 光伏 家居 服饰".split()


def _units(cfg: Config, rnd: random.Random) -> list[tuple[str, str, str]]:
    """320 distinct (unit name, unit type, township), the seed's named units first."""
    towns = cfg.township_names
    units = [("罗塘街道", "镇街", "罗塘街道")]
    units += [(a, "机关", "") for a in _AGENCIES]
    units += [(s, "国有企业", "") for s in _SOES]
    units += [(t, "镇街", t) for t in towns if t != "罗塘街道"]
    for t in towns:
        short = t.removesuffix("街道").removesuffix("镇")
        units.append((f"{short}初级中学", "学校", t))
        units.append((f"{short}中心小学", "学校", t))
        units += [(f"{short}{v}村团支部", "其他", t) for v in ("东", "西", "南", "北")]
        units.append((f"{short}青年志愿者协会", "社会组织", t))
    k = 0
    while len(units) < 320:
        t = towns[k % len(towns)]
        short = t.removesuffix("街道").removesuffix("镇")
        units.append((f"姜堰{short}{_TRADES[k % len(_TRADES)]}有限公司", "非公企业", t))
        k += 1
    return units[:320]


def _inspections(cfg: Config, rnd: random.Random) -> Table:
    units = _units(cfg, rnd)
    rounds = [
        (1, "2021-04-12"),
        (2, "2021-10-18"),
        (3, "2022-05-09"),
        (4, "2023-04-17"),
        (5, "2024-04-15"),
        (6, "2025-04-14"),
    ]
    sizes = [60, 55, 55, 50, 50, 50]
    rows: list[list[object]] = []
    start = 0
    for (number, day), size in zip(rounds, sizes, strict=True):
        chosen = units[start : start + size]
        if number > 1:
            chosen = chosen + units[start - 3 : start]  # a few units are inspected again
        start += size
        for name, unit_type, town in chosen:
            found = rnd.randint(0, 5)
            status = "已整改" if number < 6 or rnd.random() < 0.7 else rnd.choice(["整改中", "未整改"])
            established = "是" if name in ("区应急管理局", "区城投公司") else ("否" if rnd.random() < 0.9 else "是")
            rows.append([name, unit_type, town, f"第{'一二三四五六'[number - 1]}轮", day, found, status, established])
    header = DATASETS["inspections"].headers
    return Table("inspections", header, rows)


def _members(cfg: Config, rnd: random.Random) -> Table:
    units: list[tuple[str, str, str]] = [
        ("姜堰中学", "高中", cfg.committee),
        ("罗塘高级中学", "高中", cfg.committee),
        ("姜堰区第二中学", "高中", cfg.committee),
        ("姜堰中等专业学校", "中职", cfg.committee),
    ]
    for j, town in enumerate(cfg.township_names):
        short = town.removesuffix("街道").removesuffix("镇")
        units.append((f"{short}初级中学", "初中", town))
        units.append((f"{short}镇街团委", "镇街", town))
        if j % 4 == 0:
            units.append((f"姜堰{short}{_TRADES[j % len(_TRADES)]}有限公司", "企业", town))
    rows: list[list[object]] = []
    for year in YEARS:
        for k, (unit, sector, town) in enumerate(units):
            planned = {"高中": 120, "中职": 60, "初中": 35, "镇街": 12, "企业": 6}[sector] + k % 7
            ratio = 0.82 + 0.04 * (year - 2021) + (k % 5) * 0.03
            admitted = round(planned * min(ratio, 1.05))
            school = "" if sector not in ("初中", "高中", "中职") else ("是" if year - 2021 >= k % 6 else "否")
            rows.append([unit, sector, town, year, planned, admitted, rnd.randint(1, 3), school])
    header = DATASETS["members"].headers
    return Table("members", header, _without_gaps("members", rows, 2, 3))


def _without_gaps(dataset: str, rows: list[list[object]], town: int, period: int) -> list[list[object]]:
    return [r for r in rows if (dataset, r[town], r[period]) not in MISSING_REPORTS]


BUILDERS = {
    "staffing": _staffing,
    "venues": _venues,
    "alumni": _alumni,
    "funding": _funding,
    "inspections": _inspections,
    "members": _members,
}


def render(table: Table, cfg: Config) -> str:
    """A table as CSV text, with the sample title row above the header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    title = SAMPLE_TITLE.format(district=cfg.district_name, dataset=DATASETS[table.dataset].zh)
    writer.writerow([title])
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return out.getvalue()


def write_files(cfg: Config, out_dir: Path, seed: int = 2021) -> list[Path]:
    """Write the six sample files. Funding is GBK, as a township's WPS would save it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in BUILDERS.items():
        table = build(cfg, random.Random(f"{seed}-{name}"))
        encoding = "gbk" if name == "funding" else "utf-8-sig"
        path = out_dir / FILE_NAMES[name]
        path.write_bytes(render(table, cfg).encode(encoding))
        paths.append(path)
    return paths


def load(store: Store, cfg: Config, user: str = "sample") -> tuple[int, int]:
    """Load every sample file through the normal ingest path; return (files, rows)."""
    return load_files(store, cfg, {name: cfg.sample_dir / file_name for name, file_name in FILE_NAMES.items()}, user)


def load_files(store: Store, cfg: Config, paths: dict[str, Path], user: str = "sample") -> tuple[int, int]:
    """Validate and commit each (dataset, file) as sample data; a file that does not validate stops the load."""
    store.init()
    files = rows = 0
    for name, path in paths.items():
        report = ingest.validate(path.read_bytes(), path.name, cfg, name)
        if not report.ok:
            problems = "; ".join(f"row {p.row} {p.column}: {p.message('en')}" for p in report.errors[:5])
            raise ValueError(f"sample file {path} does not validate: {problems}")
        line = f"{path.name} ({name})"
        result = store.commit(
            report,
            user,
            is_sample=True,
            audit=lambda done, line=line: (
                user,
                "sample",
                "ok",
                f"{line}: batch {done.batch_id}, {done.rows_stored} rows",
            ),
        )
        files += 1
        rows += result.rows_stored
    return files, rows


def load_if_empty(store: Store, cfg: Config) -> bool:
    """Load the sample data on first start (an empty store) when the configuration says so."""
    if not cfg.load_sample_when_empty or store.data_version() > 0:
        return False
    load(store, cfg)
    return True
