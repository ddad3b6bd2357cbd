"""What is due to be sent today, each message with the key that makes it unique.

Pure reading: nothing here sends or records anything (``reform.notify`` does)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics import completeness, freshness, overview
from metrics.base import KpiResult, Scope
from reform import audience, i18n, slices
from reform.audience import Audience
from reform.config import Config
from reform.datasets import DATASETS
from reform.store import Store
from reform.text import quoted

REASON_CHARS = 200  # a return reason in a message: longer ones end in "…" (the page shows it whole)
KPI_STATUSES = "notify.kpi_statuses"  # meta key: each KPI's status when notify last ran (JSON)


@dataclass(frozen=True)
class Message:
    key: str  # idempotency key: the same message is never sent twice
    kind: str  # remind_before | remind_overdue | returned | kpi_red | digest
    channel: str  # a configured channel name
    recipient: str  # the township, "leaders", …: who it is for, in the log
    subject: str
    text: str
    attach_pack: bool = False  # e-mail: attach the meeting pack's PDF


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def text(cfg: Config, name: str, **fields: object) -> str:
    """A message text: the district's own wording (``notify.templates``) or the built-in one."""
    own = cfg.notify.templates.get(name)
    return own.format(**fields) if own else i18n.t(f"notify.{name}", **fields)


def reminders(frame: pd.DataFrame, cfg: Config, today: date) -> list[Message]:
    """One 催报 per township and stage: overdue reports, and reports due within the coming days."""
    notify = cfg.notify
    ahead = frame["due"].map(lambda d: 0 <= (d - today).days <= notify.remind_days_before)
    soon = frame[(frame["status"] == "pending") & ahead.astype(bool)]
    stages = {"remind_overdue": frame[frame["status"] == "missing"]}
    if notify.remind_days_before:
        stages["remind_before"] = soon
    messages = []
    for kind, part in stages.items():
        for township, owed in part.groupby("township", sort=False):
            channel = notify.channel_of(str(township))
            if not channel:
                continue
            items = sorted(zip(owed["dataset"], owed["period"], owed["due"], strict=True))
            digest = hashlib.sha256(repr([(d, p) for d, p, _ in items]).encode()).hexdigest()[:16]
            lines = [
                text(
                    cfg,
                    f"{kind}_line",
                    dataset=i18n.label(DATASETS[d], "zh"),
                    period=p,
                    due=_day(due),
                    days=abs((today - due).days),
                )
                for d, p, due in items
            ]
            subject = text(cfg, f"{kind}_subject", township=township, district=cfg.district_name)
            body = "\n".join([*lines, text(cfg, "remind_tail", committee=cfg.committee)])
            messages.append(Message(f"{kind}:{township}:{digest}", kind, channel, str(township), subject, body))
    return messages


def returned(store: Store, cfg: Config) -> list[Message]:
    """A slice returned by the district, to its township's channel with the reason (once per return)."""

    with store.reader() as q:
        found = q.df(
            """SELECT id, dataset, slice, reason, by_user FROM reviews r
               WHERE state = 'returned' AND id = (SELECT max(id) FROM reviews v
                                                  WHERE v.dataset = r.dataset AND v.slice = r.slice)"""
        )
    messages = []
    for row in found.itertuples(index=False):
        values = slices.values(row.slice)
        township = str(values.get("township") or cfg.committee)
        channel = cfg.notify.channel_of(township)
        if not channel:
            continue
        what = " ".join(str(v) for k, v in values.items() if k != "township")
        subject = text(cfg, "returned_subject", township=township, district=cfg.district_name)
        body = text(
            cfg,
            "returned_text",
            dataset=i18n.label(DATASETS[row.dataset], "zh"),
            period=what,
            reason=quoted(row.reason, REASON_CHARS),  # the reviewer's words, one line, quoted
        )
        messages.append(Message(f"returned:{row.id}", "returned", channel, township, subject, body))
    return messages


def leaders_of(store: Store, cfg: Config, today: date) -> Audience:
    """The leaders' audience: approved figures (review on), every year their data covers (the
    dashboard's default view) — as the digest, its pack and the alerts show them."""
    return audience.decide(store, cfg, None, today=today)


def kpi_results(store: Store, cfg: Config, leaders: Audience) -> dict[str, KpiResult]:
    """The KPIs as leaders see them (approved figures only when review is on)."""
    with leaders.view.reading(store) as q:
        return {r.key: r for r in overview.kpis(q, cfg, leaders.scope)}


def red_kpis(store: Store, cfg: Config, now: dict[str, KpiResult], seen: dict[str, str] | None) -> list[Message]:
    """KPIs red now that were not red when last seen (nothing on the first run: no baseline)."""
    if not cfg.notify.leaders_channel or seen is None:
        return []
    stamp = f"{store.data_version()}.{store.review_version()}"  # a data version or an approval made it red
    messages = []
    for key, result in now.items():
        if result.status == "red" and seen.get(key) != "red":
            label = i18n.t(result.label)
            body = text(cfg, "red_text", kpi=label, value=result.display(), target=result.display_target())
            subject = text(cfg, "red_subject", kpi=label, district=cfg.district_name)
            channel = cfg.notify.leaders_channel
            messages.append(Message(f"kpi_red:{key}:{stamp}", "kpi_red", channel, "leaders", subject, body))
    return messages


def digest(
    store: Store, cfg: Config, now: dict[str, KpiResult], today: date, leaders: Audience | None = None
) -> list[Message]:
    """The weekly digest on the configured weekday: the overview's sentences (as leaders see the
    figures) and, by e-mail, the pack."""
    notify = cfg.notify
    if not notify.leaders_channel or notify.digest_weekday != today.isoweekday() or not store.data_version():
        return []
    from metrics import summary

    lines = summary.sentences("overview", list(now.values()), {}, cfg, "zh")
    lines.append(freshness.as_of_line(list(now.values()), "zh") + "。")  # 数据截至: the periods, never a time
    leaders = leaders or leaders_of(store, cfg, today)
    with leaders.view.reading(store) as q:
        overdue = freshness.overdue_line(freshness.overdue(q, cfg, today), "zh", review=leaders.view.published)
    if overdue:
        lines.append(overdue)
    year, week, _ = today.isocalendar()
    subject = text(cfg, "digest_subject", district=cfg.district_name, date=_day(today))
    body = "\n".join([*lines, text(cfg, "digest_tail", version=store.data_version())])
    key = f"digest:{year}-W{week:02d}"
    return [Message(key, "digest", notify.leaders_channel, "leaders", subject, body, attach_pack=True)]


def due(store: Store, cfg: Config, today: date, seen: dict[str, str] | None) -> tuple[list[Message], dict[str, str]]:
    """Everything due today, in the order it is sent (reminders, returns, alerts, the digest), and
    the KPI statuses now (the next run compares against them)."""
    first = min(cfg.reporting_first_year, today.year)
    scope = Scope(first, today.year, today=today)
    with store.reader() as q:
        frame = completeness.matrix(q, cfg, scope, today)
    leaders = leaders_of(store, cfg, today)
    now = kpi_results(store, cfg, leaders)
    alerts = [*red_kpis(store, cfg, now, seen), *digest(store, cfg, now, today, leaders)]
    statuses = {k: r.status for k, r in now.items()}
    return [*reminders(frame, cfg, today), *returned(store, cfg), *alerts], statuses
