"""Who has reported what: the township × dataset × period matrix, the missing list, a reminder.

A report is owed for every period of a duty in ``config.yaml`` (reporting) from the
first year on, within the scope's years. It counts as reported when a current row
of that township overlaps the period (a yearly staffing report covers its four
quarters) and the district has not returned it (a returned report is owed again).
Its time is the first upload that covered it; later than the due date is late.
Sample batches have no real upload time and count as on time.
Statuses: ``on_time``, ``late``, ``missing`` (overdue, nothing current), ``pending`` (not due yet).
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pandas as pd

from metrics.base import Query, Scope
from reform import i18n, slices
from reform.config import Config, Duty
from reform.datasets import DATASETS

STATUSES = ("on_time", "late", "missing", "pending")


def _periods(frequency: str, first_year: int, last_year: int) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of every period from first_year to last_year."""
    out = []
    for year in range(first_year, last_year + 1):
        if frequency == "year":
            out.append((str(year), date(year, 1, 1), date(year, 12, 31)))
            continue
        step = 3 if frequency == "quarter" else 1
        for month in range(1, 13, step):
            end_month = month + step
            end = (date(year + 1, 1, 1) if end_month > 12 else date(year, end_month, 1)) - timedelta(days=1)
            label = f"{year}-Q{(month - 1) // 3 + 1}" if frequency == "quarter" else f"{year}-{month:02d}"
            out.append((label, date(year, month, 1), end))
    return out


def owed(cfg: Config, scope: Scope) -> pd.DataFrame:
    """Every (township, dataset, period) owed within the scope's years, with its due date."""
    first = max(cfg.reporting_first_year, scope.first_year)
    rows = []
    for duty in cfg.duties:
        units = [cfg.committee] if duty.by == "district" else scope.towns(cfg)
        for label, start, end in _periods(duty.frequency, first, scope.last_year):
            due = end + timedelta(days=duty.due_days)
            rows += [(unit, duty.dataset, label, start, end, due) for unit in units]
    return pd.DataFrame(rows, columns=["township", "dataset", "period", "start", "end", "due"])


def _submissions_sql(duty: Duty, returned: bool = False) -> str:
    """A dataset's reports: who covered which period, when first, and whether it still counts — its rows
    are current and (``returned``: the district has returned some slices) its slice was not returned."""
    declared = DATASETS[duty.dataset]
    start, end = declared.time_sql
    unit = "t.township" if "township" in declared.column_map else "? AS township"
    counts = "t.replaced_by IS NULL"
    if returned:  # a returned report is still owed (未报) until the township sends it again
        same = " AND ".join(f"r.{c} IS NOT DISTINCT FROM t.{c}" for c in declared.slice)
        counts += f" AND NOT EXISTS (SELECT 1 FROM returned_{duty.dataset} r WHERE {same})"
    return (
        f"SELECT '{duty.dataset}' AS dataset, {unit}, {start} AS r_start, {end} AS r_end, "
        f"min(b.uploaded_at) AS first_upload_utc, bool_or(b.is_sample) AS sample, "
        f"bool_or({counts}) AS has_current "
        f"FROM {duty.dataset} t JOIN batches b USING (batch_id) GROUP BY ALL"
    )


def returned_slices(q: Query) -> dict[str, pd.DataFrame]:
    """Per dataset, the slices whose latest review step is a return (their slice columns' values)."""
    found = q.df(f"SELECT dataset, slice FROM ({slices.LATEST}) WHERE state = 'returned' ORDER BY dataset, slice")
    out: dict[str, pd.DataFrame] = {}
    for dataset, part in found.groupby("dataset"):
        if dataset in DATASETS:
            out[str(dataset)] = pd.DataFrame(
                [slices.values(k) for k in part["slice"]], columns=list(DATASETS[dataset].slice)
            )
    return out


def matrix(q: Query, cfg: Config, scope: Scope, today: date | None = None) -> pd.DataFrame:
    """One row per owed report: township, dataset, period, due, submitted (first upload), status."""
    today = today or cfg.today()
    duties = cfg.duties
    frame = owed(cfg, scope)
    if frame.empty or not duties:
        return frame.assign(submitted=pd.Series(dtype="datetime64[us]"), status=pd.Series(dtype=str))
    returned = returned_slices(q)
    union = " UNION ALL ".join(_submissions_sql(d, d.dataset in returned) for d in duties)
    params = [cfg.committee for d in duties if "township" not in DATASETS[d.dataset].column_map]
    with contextlib.ExitStack() as tables:
        tables.enter_context(q.table("owed_reports", frame))
        for dataset, values in returned.items():
            tables.enter_context(q.table(f"returned_{dataset}", values))
        result = q.df(
            f"""WITH submitted AS ({union})
                SELECT o.township, o.dataset, o.period, o.start, o."end", o.due,
                       min(timezone(?, timezone('UTC', s.first_upload_utc))) FILTER (WHERE s.has_current)
                           AS submitted,
                       bool_or(s.sample) FILTER (WHERE s.has_current) AS sample
                FROM owed_reports o LEFT JOIN submitted s
                  ON s.dataset = o.dataset AND s.township = o.township AND s.r_start <= o."end" AND s.r_end >= o.start
                GROUP BY ALL""",
            [*params, cfg.timezone],  # the first upload in the district's time: on time by its calendar
        )
    for column in ("start", "end", "due"):
        result[column] = pd.to_datetime(result[column]).dt.date
    result["status"] = [_status(r, today) for r in result.itertuples(index=False)]
    order = {d.dataset: i for i, d in enumerate(duties)}
    units = {u: i for i, u in enumerate([*cfg.township_names, cfg.committee])}
    result = result.assign(_d=result["dataset"].map(order), _u=result["township"].map(units))
    return result.sort_values(["_d", "start", "_u"]).drop(columns=["_d", "_u"]).reset_index(drop=True)


def _status(row: object, today: date) -> str:
    submitted, due = row.submitted, pd.Timestamp(row.due).date()  # type: ignore[attr-defined]
    if submitted is None or pd.isna(submitted):
        return "pending" if today <= due else "missing"
    if row.sample:  # type: ignore[attr-defined]
        return "on_time"
    return "on_time" if pd.Timestamp(submitted).date() <= due else "late"


GAP_ORDER = {"missing": 0, "late": 1}  # units with a report missing come first, then late ones


def wide(frame: pd.DataFrame, dataset: str, units: list[str]) -> pd.DataFrame:
    """One dataset's statuses: units down, periods across, the gaps where the eye lands first.

    Periods run newest first (the current one is what a reminder is about) and units with a
    missing report, then a late one, come before the others (each group in the given order), so
    the one gap in a 20 × 17 matrix is at its top left, not behind two scrolls."""
    part = frame[frame["dataset"] == dataset]
    table = part.pivot(index="township", columns="period", values="status")
    table = table[sorted(table.columns, reverse=True)]
    listed = [u for u in units if u in table.index]
    worst = {u: min((GAP_ORDER.get(s, 2) for s in table.loc[u].dropna()), default=2) for u in listed}
    return table.reindex(sorted(listed, key=lambda u: (worst[u], listed.index(u))))


def missing(frame: pd.DataFrame, today: date) -> pd.DataFrame:
    """Overdue reports with how many days they are overdue, longest first."""
    gone = frame[frame["status"] == "missing"].copy()
    gone["days_overdue"] = [(today - d).days for d in gone["due"]]
    return gone.sort_values(["days_overdue", "township"], ascending=[False, True]).reset_index(drop=True)


def summary(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def reminder(frame: pd.DataFrame, cfg: Config, today: date | None = None, lang: str = i18n.DEFAULT) -> str:
    """A notice ready to paste into the township work group: who still owes which reports."""
    today = today or cfg.today()
    gone = missing(frame, today)
    if gone.empty:
        return i18n.t("completeness.reminder_none", lang, date=_day(today, lang))
    lines = [
        i18n.t("completeness.reminder_head", lang, district=cfg.district_name, date=_day(today, lang), count=len(gone))
    ]
    for township, part in gone.groupby("township", sort=False):
        items = "、".join(
            f"{i18n.label(DATASETS[d], lang)}（{p}）" for d, p in zip(part["dataset"], part["period"], strict=True)
        )
        lines.append(i18n.t("completeness.reminder_line", lang, township=township, items=items))
    lines.append(i18n.t("completeness.reminder_tail", lang, committee=cfg.committee))
    return "\n".join(lines)


def _day(day: date, lang: str) -> str:
    return day.isoformat() if lang == "en" else f"{day.year}年{day.month}月{day.day}日"
