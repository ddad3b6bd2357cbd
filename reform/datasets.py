"""The data contract as data: the six datasets townships upload.

Everything that reads, checks, stores, templates or documents an upload works
from these declarations, so the contract lives in one place
(``../shared/DATA-CONTRACT.md`` is its prose form; a test keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds: how a cell is read (see reform.ingest.cells).
TEXT, TOWNSHIP, CITY, PERIOD, DATE, INTEGER, AMOUNT, YEAR, ROUND, BOOL, ENUM = (
    "text",
    "township",
    "city",
    "period",
    "date",
    "integer",
    "amount",
    "year",
    "round",
    "bool",
    "enum",
)


@dataclass(frozen=True)
class Column:
    """One column of a dataset: its names, how its cells are read, and its rule."""

    name: str  # code name (English), also accepted as a header
    zh: str  # Chinese header
    en: str  # English label for the UI
    kind: str
    required: bool = True
    minimum: int | None = None  # for integer and amount kinds
    max_length: int = 100  # for text
    choices: tuple[tuple[str, str], ...] = ()  # enum: (code, Chinese label)
    no_future: bool = False  # dates: not after today
    flow: bool = False  # a value of its own period (activities, money, admissions): a pre-filled template for
    # the next period leaves it empty; other columns (posts, homes, members) carry over for the clerk to check
    doc: str = ""  # the rule in words, shown in templates and docs
    doc_zh: str = ""  # the same rule in Chinese (templates, the upload page)
    personal: str = ""  # a person's "name", "phone" or "id_number": masked for readers without need (reform.personal)

    def choice_label(self, code: str) -> str:
        return dict(self.choices).get(code, code)


@dataclass(frozen=True)
class AboveRule:
    """A cross-field check of a row: ``column`` above ``limit`` (another column) is a warning or an error."""

    column: str
    limit: str
    code: str  # the message key under problem.* (its parameters: the limit column's value)
    severity: str = "warning"


# How the time a row covers is read, by grain: (first day, last day) as SQL over the stored row.
TIME_SQL = {
    "period": ("period_start", "period_end"),
    "year": ("make_date(year, 1, 1)", "make_date(year, 12, 31)"),
    "date": ("{column}", "{column}"),
}
LABEL_SQL = {  # the period a row covers, as its canonical label (2025-Q4, 2025, 2025-04-14)
    "period": "period",
    "year": "CAST({column} AS VARCHAR)",
    "date": "strftime({column}, '%Y-%m-%d')",
}


@dataclass(frozen=True)
class Dataset:
    """A kind of upload, declared once: its columns, the key of a row, the slice a file replaces,
    who owns its rows, the time a row covers, its cross-field rules and an example row.

    Everything else (templates, ownership checks, completeness, the years data covers, the
    validator's rules, sample and province files) is derived from these declarations.
    """

    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    slice: tuple[str, ...]
    doc: str = ""
    doc_zh: str = ""  # the description in Chinese (templates, the upload page)
    grain: str = "period"  # period (year, quarter or month: owed periodically) | year | date (rounds: not owed)
    time_column: str = "period"  # the column the grain is read from
    owner: str = "township"  # township: a township owns its rows | district: the district's programme
    stock: bool = False  # its figures are levels (posts filled, homes open): each unit's latest report counts
    # until it reports again; False: flows (admissions, money), figures of one period once enough have reported
    rules: tuple[AboveRule, ...] = ()
    example: dict[str, object] = field(default_factory=dict, compare=False)
    column_map: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_map", {c.name: c for c in self.columns})

    def column(self, name: str) -> Column:
        return self.column_map[name]

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def headers(self) -> list[str]:
        """The Chinese headers in column order (templates, sample and province files)."""
        return [c.zh for c in self.columns]

    @property
    def periodic(self) -> bool:
        """Whether reports of it are owed per period (completeness); inspections come in rounds."""
        return self.grain in ("period", "year")

    @property
    def time_sql(self) -> tuple[str, str]:
        """SQL for the first and last day a stored row covers."""
        start, end = TIME_SQL[self.grain]
        return start.format(column=self.time_column), end.format(column=self.time_column)

    @property
    def label_sql(self) -> str:
        """SQL for the canonical label of the period a stored row covers."""
        return LABEL_SQL[self.grain].format(column=self.time_column)


def _enum(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(pairs)


POST_TYPES = _enum(
    ("full_time_cadre", "专职团干部"),
    ("youth_assistant_officer", "青年助力官"),
    ("part_time_cadre", "兼职团干部"),
    ("seconded_cadre", "挂职团干部"),
    ("branch_secretary", "团组织书记"),
    ("student_volunteer", "高校学生"),
)
TIERS = _enum(("flagship", "旗舰店"), ("specialty", "专营店"), ("shared", "共营店"))
FUND_TYPES = _enum(("reform_pilot", "改革试点专项"), ("youth_development", "青少年发展专项"))
UNIT_TYPES = _enum(
    ("agency", "机关"),
    ("township", "镇街"),
    ("soe", "国有企业"),
    ("school", "学校"),
    ("private_enterprise", "非公企业"),
    ("social_org", "社会组织"),
    ("other", "其他"),
)
RECTIFICATION = _enum(("done", "已整改"), ("in_progress", "整改中"), ("not_started", "未整改"))
SECTORS = _enum(
    ("middle_school", "初中"),
    ("high_school", "高中"),
    ("vocational", "中职"),
    ("college", "高校"),
    ("township", "镇街"),
    ("enterprise", "企业"),
    ("other", "其他"),
)

_TOWNSHIP = Column(
    "township", "镇街", "Township", TOWNSHIP, doc="a configured township or 团区委", doc_zh="本区的镇街名称，或“团区委”"
)
_PERIOD = Column(
    "period",
    "统计期",
    "Period",
    PERIOD,
    doc="2022, 2022-Q1, 2022年第一季度, 2022-03 …",
    doc_zh="统计期，如 2022、2022-Q1、2022年第一季度、2022-03；不能填尚未开始的统计期",
)

STAFFING = Dataset(
    "staffing",
    "队伍配备",
    "Staffing",
    (
        _TOWNSHIP,
        _PERIOD,
        Column(
            "post_type",
            "岗位类型",
            "Post type",
            ENUM,
            choices=POST_TYPES,
            doc="one of the post types",
            doc_zh="从下拉列表选择岗位类型",
        ),
        Column(
            "authorized",
            "核定数",
            "Authorised",
            INTEGER,
            minimum=0,
            doc="authorised posts (branches for 团组织书记)",
            doc_zh="核定岗位数（团组织书记填团组织个数）",
        ),
        Column(
            "filled",
            "在岗数",
            "Filled",
            INTEGER,
            minimum=0,
            doc="posts filled; above authorised is a warning",
            doc_zh="在岗人数；超过核定数会提示核实",
        ),
    ),
    key=("township", "period", "post_type"),
    slice=("township", "period"),
    doc="one row per township, period and post type",
    doc_zh="每个镇街、每个统计期、每种岗位一行",
    stock=True,
    rules=(AboveRule("filled", "authorized", "filled_above_authorized"),),
    example={
        "township": "罗塘街道",
        "period": "2025年第一季度",
        "post_type": "青年助力官",
        "authorized": 1,
        "filled": 1,
    },
)

VENUES = Dataset(
    "venues",
    "青年之家",
    "Youth Homes",
    (
        Column(
            "venue_name",
            "阵地名称",
            "Youth Home",
            TEXT,
            doc="name of the Youth Home, at most 100 characters",
            doc_zh="青年之家名称，不超过 100 字",
        ),
        Column(
            "township",
            "镇街",
            "Township",
            TOWNSHIP,
            doc="township; 团区委 for the flagship",
            doc_zh="镇街；旗舰店填“团区委”",
        ),
        Column(
            "tier", "类型", "Tier", ENUM, choices=TIERS, doc="旗舰店, 专营店 or 共营店", doc_zh="旗舰店、专营店或共营店"
        ),
        Column(
            "opened_on",
            "启用日期",
            "Opened on",
            DATE,
            no_future=True,
            doc="date opened, not in the future",
            doc_zh="启用日期，不能晚于今天",
        ),
        _PERIOD,
        Column(
            "activities",
            "活动场次",
            "Activities",
            INTEGER,
            required=False,
            minimum=0,
            flow=True,
            doc="activities held",
            doc_zh="开展活动的场次",
        ),
        Column(
            "participants",
            "服务人次",
            "Participants",
            INTEGER,
            required=False,
            minimum=0,
            flow=True,
            doc="people served",
            doc_zh="服务人次",
        ),
    ),
    key=("venue_name", "period"),
    slice=("township", "period"),
    doc="one row per Youth Home and period",
    doc_zh="每个青年之家每个统计期一行",
    stock=True,
    example={
        "venue_name": "罗塘青年之家专营店",
        "township": "罗塘街道",
        "tier": "专营店",
        "opened_on": "2022-05-04",
        "period": "2025年",
        "activities": 24,
        "participants": 680,
    },
)

ALUMNI = Dataset(
    "alumni",
    "学子联谊会",
    "Alumni associations",
    (
        Column(
            "city",
            "城市",
            "City",
            CITY,
            doc="one of the configured cities; 上海市 = 上海",
            doc_zh="十个联谊会城市之一（“上海市”与“上海”相同）",
        ),
        Column(
            "association_name",
            "联谊会名称",
            "Association",
            TEXT,
            required=False,
            doc="name of the association",
            doc_zh="联谊会名称",
        ),
        Column(
            "founded_on",
            "成立日期",
            "Founded on",
            DATE,
            required=False,
            no_future=True,
            doc="date founded",
            doc_zh="成立日期，不能晚于今天",
        ),
        Column("members", "会员人数", "Members", INTEGER, minimum=0, doc="members", doc_zh="会员人数"),
        Column(
            "events",
            "活动场次",
            "Events",
            INTEGER,
            required=False,
            minimum=0,
            flow=True,
            doc="events held",
            doc_zh="开展活动的场次",
        ),
        _PERIOD,
    ),
    key=("city", "period"),
    slice=("period",),
    doc="one row per city and period",
    doc_zh="每个城市每个统计期一行",
    stock=True,
    owner="district",
    example={
        "city": "上海",
        "association_name": "姜堰区在沪学子联谊会",
        "founded_on": "2021-04-10",
        "members": 120,
        "events": 6,
        "period": "2025年",
    },
)

FUNDING = Dataset(
    "funding",
    "经费保障",
    "Funding",
    (
        Column(
            "township",
            "镇街",
            "Township",
            TOWNSHIP,
            doc="township; 团区委 for district special funds",
            doc_zh="镇街；区级专项经费填“团区委”",
        ),
        Column(
            "year", "年度", "Year", YEAR, doc="year, 2000 to next year", doc_zh="年度，如 2025；不能填尚未开始的年度"
        ),
        Column(
            "fund_type",
            "经费类型",
            "Fund type",
            ENUM,
            choices=FUND_TYPES,
            doc="改革试点专项 or 青少年发展专项",
            doc_zh="改革试点专项或青少年发展专项",
        ),
        Column(
            "amount_yuan",
            "金额（元）",
            "Amount (yuan)",
            AMOUNT,
            minimum=0,
            flow=True,
            doc="amount in yuan: 250000, 25万, ¥250,000",
            doc_zh="金额（元），可写 250000、25万、¥250,000",
        ),
        Column(
            "youth_population",
            "青少年人数",
            "Youth population",
            INTEGER,
            required=False,
            minimum=1,
            doc="young people; the configured figure when empty",
            doc_zh="青少年人数；不填则用配置的人数",
        ),
    ),
    key=("township", "year", "fund_type"),
    slice=("township", "year"),
    doc="one row per township, year and fund type",
    doc_zh="每个镇街、每年、每类经费一行",
    grain="year",
    time_column="year",
    example={
        "township": "罗塘街道",
        "year": 2025,
        "fund_type": "青少年发展专项",
        "amount_yuan": "5.2万",
        "youth_population": 16800,
    },
)

INSPECTIONS = Dataset(
    "inspections",
    "团务巡察",
    "Inspections",
    (
        Column(
            "unit_name",
            "被巡察单位",
            "Inspected unit",
            TEXT,
            doc="the inspected organisation",
            doc_zh="被巡察单位的名称",
        ),
        Column(
            "unit_type",
            "单位类型",
            "Unit type",
            ENUM,
            choices=UNIT_TYPES,
            doc="one of the unit types",
            doc_zh="从下拉列表选择单位类型",
        ),
        Column(
            "township",
            "镇街",
            "Township",
            TOWNSHIP,
            required=False,
            doc="township the unit belongs to",
            doc_zh="单位所属镇街（可不填）",
        ),
        Column("round", "巡察轮次", "Round", ROUND, doc="第一轮, 第1轮 or 1", doc_zh="第一轮、第1轮或 1"),
        Column(
            "inspected_on",
            "巡察日期",
            "Inspected on",
            DATE,
            no_future=True,
            doc="date, not in the future",
            doc_zh="巡察日期，不能晚于今天",
        ),
        Column(
            "issues_found",
            "发现问题数",
            "Findings",
            INTEGER,
            minimum=0,
            doc="findings (problems found)",
            doc_zh="发现的问题数",
        ),
        Column(
            "rectification",
            "整改状态",
            "Rectification",
            ENUM,
            choices=RECTIFICATION,
            doc="已整改, 整改中 or 未整改",
            doc_zh="已整改、整改中或未整改",
        ),
        Column(
            "org_established", "新建团组织", "League org set up", BOOL, required=False, doc="是 or 否", doc_zh="是或否"
        ),
    ),
    key=("unit_name", "round"),
    slice=("round",),
    doc="one row per inspected organisation and round",
    doc_zh="每个被巡察单位每轮一行",
    grain="date",
    time_column="inspected_on",
    owner="district",
    example={
        "unit_name": "区市场监管局",
        "unit_type": "机关",
        "township": "",
        "round": "第一轮",
        "inspected_on": "2021-04-12",
        "issues_found": 3,
        "rectification": "已整改",
        "org_established": "否",
    },
)

MEMBERS = Dataset(
    "members",
    "团员发展",
    "Member development",
    (
        Column("unit", "单位", "Unit", TEXT, doc="school, township or enterprise", doc_zh="学校、镇街或企业的名称"),
        Column(
            "sector", "领域", "Sector", ENUM, choices=SECTORS, doc="one of the sectors", doc_zh="从下拉列表选择领域"
        ),
        Column(
            "township",
            "镇街",
            "Township",
            TOWNSHIP,
            doc="township; 团区委 for district-run schools",
            doc_zh="镇街；区属学校填“团区委”",
        ),
        Column("year", "年度", "Year", YEAR, doc="year", doc_zh="年度，如 2025"),
        Column(
            "planned",
            "计划发展数",
            "Planned",
            INTEGER,
            minimum=0,
            flow=True,
            doc="new members planned",
            doc_zh="计划发展的团员人数",
        ),
        Column(
            "admitted",
            "实际发展数",
            "Admitted",
            INTEGER,
            minimum=0,
            flow=True,
            doc="new members admitted",
            doc_zh="实际发展的团员人数",
        ),
        Column(
            "ceremonies",
            "入团仪式场次",
            "Ceremonies",
            INTEGER,
            required=False,
            minimum=0,
            flow=True,
            doc="admission ceremonies",
            doc_zh="举行入团仪式的场次",
        ),
        Column(
            "has_league_school",
            "团校分校",
            "League-school branch",
            BOOL,
            required=False,
            doc="是 or 否",
            doc_zh="是或否",
        ),
    ),
    key=("unit", "year"),
    slice=("township", "year"),
    doc="one row per unit and year",
    doc_zh="每个单位每年一行",
    grain="year",
    time_column="year",
    example={
        "unit": "罗塘初级中学",
        "sector": "初中",
        "township": "罗塘街道",
        "year": 2025,
        "planned": 35,
        "admitted": 36,
        "ceremonies": 2,
        "has_league_school": "是",
    },
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (STAFFING, VENUES, ALUMNI, FUNDING, INSPECTIONS, MEMBERS)}


def register(dataset: Dataset) -> Dataset:
    """Add a dataset to the one list everything is derived from (an extension's, or a test's)."""
    wrong = [c.name for c in dataset.columns if c.personal not in ("", "name", "phone", "id_number")]
    if wrong:
        raise ValueError(f"{dataset.name}.{wrong[0]}: personal must be name, phone or id_number")
    DATASETS[dataset.name] = dataset
    return dataset


def district_datasets() -> tuple[str, ...]:
    """The district's programmes: no township owns their rows."""
    return tuple(d.name for d in DATASETS.values() if d.owner == "district")


def periodic_datasets() -> tuple[str, ...]:
    return tuple(d.name for d in DATASETS.values() if d.periodic)


def get(name: str) -> Dataset:
    """A dataset by its code or Chinese name (as a user may type either)."""
    for d in DATASETS.values():
        if name.strip().lower() in (d.name, d.zh):
            return d
    raise KeyError(name)


def _shape_problems(d: Dataset) -> list[tuple[str, str]]:
    place = f"dataset {d.name}"
    found: list[tuple[str, str]] = []
    if not d.doc or not d.doc_zh or not d.zh or not d.en:
        found.append((place, "needs doc, doc_zh, zh and en"))
    if d.grain not in TIME_SQL:
        found.append((place, f"grain must be one of {', '.join(TIME_SQL)}"))
    if d.time_column not in d.column_map:
        found.append((place, f"time column {d.time_column!r} is not one of its columns"))
    if d.owner not in ("township", "district"):
        found.append((place, "owner must be township or district"))
    found += [
        (place, f"key or slice names {name!r}, not one of its columns")
        for name in (*d.key, *d.slice)
        if name not in d.column_map
    ]
    return found


def _content_problems(d: Dataset) -> list[tuple[str, str]]:
    from reform import i18n

    place = f"dataset {d.name}"
    found: list[tuple[str, str]] = []
    missing = [c.name for c in d.required if c.name not in d.example]
    if missing:
        found.append((f"{place}.example", f"needs a value for {', '.join(missing)} (templates show it)"))
    found += [
        (f"{place}.{c.name}", "needs doc and doc_zh (templates and the contract show them)")
        for c in d.columns
        if not c.doc or not c.doc_zh
    ]
    for rule in d.rules:
        if rule.column not in d.column_map or rule.limit not in d.column_map:
            found.append((f"{place} rule {rule.code}", "names a column the dataset does not have"))
        if f"problem.{rule.code}" not in i18n.MESSAGES:
            found.append((f"{place} rule {rule.code}", f"no message: add 'problem.{rule.code}' to reform/i18n.py"))
    return found


def problems() -> list[tuple[str, str]]:
    """Every problem of the dataset declarations, as (place, message): the core's share of the
    semantic validator (``metrics.semantic``), runnable without the metrics."""
    return [p for d in DATASETS.values() for p in (*_shape_problems(d), *_content_problems(d))]
