"""The district's own check rules (``config.yaml`` → ``checks``), run on every dry run.

A *hard* rule broken by a row is an error of that row: nothing of the file is stored. A *soft*
rule broken needs a written explanation from whoever uploads (one per rule and file), stored
with the upload and shown to the reviewer. Each problem names the row as the clerk sees it and
the column by the clerk's own header, with the values that broke the rule.

The language is ``reform.rules``; this module only builds what a rule reads (the file's rows,
its slices, and last period's rows of the same keys from the store) and turns broken rows into
problems of the report.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from reform import rules
from reform.datasets import DATASETS, Dataset
from reform.ingest.report import ERROR, SOFT, Report
from reform.rules import BOOL, DATE, HARD, NUM, TEXT, Check, Env, Val

if TYPE_CHECKING:
    from reform.config import Config


# ----------------------------------------------------------------- values as a rule reads them
def _val(series: pd.Series, type_: str) -> Val:
    na = np.asarray(series.isna(), dtype=bool)
    if type_ == NUM:
        data = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    elif type_ == DATE:
        data = rules.days(pd.Series(series, dtype=object).where(~na, None).to_numpy())
    elif type_ == BOOL:
        data = np.asarray(series.fillna(False).astype(bool), dtype=bool)
    else:
        data = np.asarray(series.astype(object).where(~na, None), dtype=object)
    return Val(data, na, type_)


def _columns(frame: pd.DataFrame, dataset: Dataset, needed: set[str]) -> dict[str, Val]:
    """The columns the rules read, as rule values (a million-row file's other text columns are
    never turned into Python strings)."""
    types, _ = rules.names_of(dataset)
    return {name: _val(frame[name], type_) for name, type_ in types.items() if name in frame and name in needed}


def _needed(checks: list[Check]) -> set[str]:
    parts = [c.check for c in checks] + [c.when for c in checks if c.when is not None]
    return {name for part in parts for name in (*part.columns, *part.aggregated)}


def _empty(types: dict[str, str], size: int) -> dict[str, Val]:
    def blank(type_: str) -> np.ndarray:
        return np.full(size, None, dtype=object) if type_ == TEXT else np.zeros(size, dtype=np.float64)

    return {name: Val(blank(t), np.ones(size, dtype=bool), t) for name, t in types.items()}


TIME_KINDS = ("period", "year", "round")  # the key column that says which period a row is of


def time_column(dataset: Dataset) -> str | None:
    """The key column naming the period (统计期, 年度, 巡察轮次): last period is one step back in it."""
    return next((c for c in dataset.key if dataset.column(c).kind in TIME_KINDS), None)


def _wanted(frame: pd.DataFrame, dataset: Dataset, time: str) -> pd.DataFrame:
    """Per row of the file, the key of the row it is compared with: one period (year, quarter,
    month, round) earlier."""
    others = [c for c in dataset.key if c != time]
    wanted = pd.DataFrame({c: frame[c].astype(object).where(frame[c].notna(), None) for c in others})
    wanted["_i"] = np.arange(len(frame))
    if dataset.column(time).kind == "period":
        kinds = frame["period_kind"].astype(object)
        steps = kinds.map({"year": 12, "quarter": 3, "month": 1}).fillna(0).to_numpy(dtype=np.int64)
        starts = pd.Series(frame["period_start"], dtype=object).to_numpy().astype("datetime64[M]")
        wanted["_kind"] = kinds.to_numpy()
        wanted["_start"] = (starts - steps.astype("timedelta64[M]")).astype("datetime64[D]").astype("datetime64[s]")
    else:
        wanted["_time"] = pd.to_numeric(frame[time], errors="coerce") - 1
    return wanted


def previous(store: Any, cfg: Config, dataset: Dataset, frame: pd.DataFrame) -> pd.DataFrame | None:
    """Last period's stored row for each row of the file (aligned to it; empty where there is none).

    What leaders see is compared with: with review on, the approved figures."""
    time = time_column(dataset)
    if time is None or store is None or not store.exists():
        return None
    wanted = _wanted(frame, dataset, time)
    others = [c for c in dataset.key if c != time]
    same = [f"CAST(t.{c} AS VARCHAR) IS NOT DISTINCT FROM CAST(w.{c} AS VARCHAR)" for c in others]
    if dataset.column(time).kind == "period":
        same += ["t.period_kind = w._kind", "t.period_start = CAST(w._start AS DATE)"]
    else:
        same.append(f"t.{time} = w._time")
    with store.reader(published=cfg.review_required) as q, q.table("wanted_rows", wanted):
        found = q.df(
            f"SELECT w._i, t.* EXCLUDE (batch_id, source_row) FROM wanted_rows w "
            f"JOIN current_{dataset.name} t ON {' AND '.join(same)}"
        )
    aligned = found.drop_duplicates("_i").set_index("_i").reindex(np.arange(len(frame)))
    return aligned.reset_index(drop=True)


def _groups(frame: pd.DataFrame, dataset: Dataset) -> tuple[np.ndarray, int]:
    grouped = frame.groupby(list(dataset.slice), sort=False, observed=True, dropna=False).ngroup()
    codes = grouped.to_numpy(dtype=np.int64)
    return codes, int(codes.max(initial=-1)) + 1


# ----------------------------------------------------------------- running and reporting
def _shown(value: Any, type_: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "空"
    if type_ == NUM:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if type_ == DATE:
        return str(np.datetime64(int(value), "D"))
    if type_ == BOOL:
        return "是" if value else "否"
    return str(value)


def _plain(value: Val, row: int) -> str:
    """The cell's value for the problem's ``value`` field: as stored, without thousands separators."""
    return _shown(None if value.na[row] else value.data[row], value.type).replace(",", "")


def _cell(env_vals: dict[str, Val], name: str, row: int) -> str:
    v = env_vals[name]
    return _shown(None if v.na[row] else v.data[row], v.type)


def header(report: Report, dataset: Dataset, name: str) -> str:
    """The column as the clerk's file heads it (在岗数（人）), else its contract name."""
    if name in ("period_start", "period_end"):
        base = report.headers.get("period") or dataset.column("period").zh
        return base + ("开始" if name == "period_start" else "末")
    return report.headers.get(name) or dataset.column(name).zh


def _values(report: Report, dataset: Dataset, check: Check, env: Env, row: int) -> tuple[str, str]:
    """What the clerk needs to see to fix the row: its values (or the rule's named values), last
    period's, the slice's totals."""
    zh: list[str] = []
    en: list[str] = []
    if check.shown:
        for name, now, before in check.shown:
            value = now.run(env)
            zh.append(f"{name} {_shown(None if value.na[row] else value.data[row], value.type)}")
            if before is not None:
                old = before.run(env)
                zh.append(f"上期{name} {_shown(None if old.na[row] else old.data[row], old.type)}")
        en = list(zh)
    else:
        for name in check.check.columns:
            head, cell = header(report, dataset, name), _cell(env.rows, name, row)
            zh.append(f"{head} {cell}")
            en.append(f"{head} {cell}")
            if check.check.uses_last:
                zh.append(f"上期{head} {_cell(env.last, name, row)}")
                en.append(f"last period's {head} {_cell(env.last, name, row)}")
    for name in check.check.aggregated:
        head = header(report, dataset, name)
        total = _shown(_sum_of(env, name, row), NUM)
        zh.append(f"{head}合计 {total}")
        en.append(f"{head} in total {total}")
    return "，".join(zh), ", ".join(en)


def _sum_of(env: Env, name: str, row: int) -> float | None:
    value = env.rows[name]
    if value.type != NUM:
        return None
    use = env.scope & ~value.na & (env.groups == env.groups[row])
    return float(value.data[use].sum()) if use.any() else None


def _slice_words(frame: pd.DataFrame, dataset: Dataset, row: int) -> str:
    return " ".join(str(frame[c].iloc[row]) for c in dataset.slice)


def run(report: Report, cfg: Config, store: Any = None) -> None:
    """Add the problems of the configured rules for this report's dataset to the report."""
    checks = [c for c in getattr(cfg, "checks", ()) if c.dataset == report.dataset]
    frame = report.frame
    if not checks or frame is None or frame.empty or report.dataset is None:
        return
    dataset = DATASETS[report.dataset]
    types, _ = rules.names_of(dataset)
    summing = any(c.check.grouped for c in checks)  # when: never sums (refused at start-up)
    groups, count = _groups(frame, dataset) if summing else (np.zeros(len(frame), dtype=np.int64), 1)
    last_rows = None
    if any(c.check.uses_last or (c.when is not None and c.when.uses_last) for c in checks):
        last_rows = previous(store, cfg, dataset, frame)
    needed = _needed(checks)
    env = Env(
        rows=_columns(frame, dataset, needed),
        last=_empty({n: t for n, t in types.items() if n in needed}, len(frame))
        if last_rows is None
        else _columns(last_rows, dataset, needed),
        groups=groups,
        group_count=count,
        today=rules.today_days(cfg.today()),
        populations={t.name: t.youth_population for t in cfg.townships},
    )
    sources = frame["source_row"].to_numpy(dtype=np.int64)
    refused = np.zeros(len(frame), dtype=bool)  # rows breaking a hard rule: not storable, like a bad cell
    for check in checks:
        env.scope = np.ones(len(frame), dtype=bool)
        if check.when is not None:
            chosen = check.when.run(env)
            env.scope = chosen.data & ~chosen.na
        result = check.check.run(env)
        broken = env.scope & ~result.na & ~result.data
        if not broken.any():
            continue
        if check.level == HARD:
            refused |= broken
        rows = np.flatnonzero(broken)
        if not check.check.row_level:  # a slice judged as a whole: once, at its first row
            rows = rows[np.unique(groups[rows], return_index=True)[1]]
        for row in rows:
            _report(report, dataset, check, env, frame, int(row), int(sources[row]))
    if refused.any():
        report.frame = frame[~refused].reset_index(drop=True)


def _report(
    report: Report, dataset: Dataset, check: Check, env: Env, frame: pd.DataFrame, row: int, source: int
) -> None:
    columns = check.check.columns or check.check.aggregated
    column = columns[0] if columns else None
    stored = column if column in dataset.column_map else None
    value = _plain(env.rows[column], row) if column else ""
    values_zh, values_en = _values(report, dataset, check, env, row)
    where = "" if check.check.row_level else _slice_words(frame, dataset, row)
    report.add(
        ERROR if check.level == HARD else SOFT,
        "check_hard" if check.level == HARD else "check_soft",
        source,
        stored or (dataset.column("period").name if column in ("period_start", "period_end") else None),
        value,
        rule=check.name,
        rule_text=check.message,
        rule_text_en=check.message_en,
        values=values_zh,
        values_en=values_en,
        header=header(report, dataset, column) if column else "",
        where=f"{where}：" if where else "",
        where_en=f"{where}: " if where else "",
    )
