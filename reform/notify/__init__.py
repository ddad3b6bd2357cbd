"""Notifications: 催报 reminders, KPI alerts and the weekly digest, sent exactly once.

``python -m reform notify`` (from cron or a systemd timer, see README) works out what is due
today (``messages.due``), **claims** each message's idempotency key in the store in one
transaction, sends only what it claimed through the channels of ``config.yaml`` → ``notify``
(``channels``: 企业微信 and 钉钉 group robots, e-mail over SMTP with STARTTLS and login), keeping
each channel under its rate limit and retrying with back-off, and records each result (to whom,
what, attempts, the answer) in the store, where admins see it (通知记录).

Exactly once: the key names the message (``remind_overdue:<township>:<what it owes>``,
``kpi_red:<kpi>:<data version>.<review version>``, ``digest:<year>-W<week>``), and a key is claimed by one run only —
the claim is a transaction on the store, whose lock orders two runs started at the same moment
on one machine or (with a shared store) on several. A message whose sending was interrupted
(the process killed after its claim) is claimed again after ``STALE_MINUTES``; one that failed
is tried again by the next run, up to ``MAX_ATTEMPTS`` attempts in all.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from reform import clock
from reform.config import Channel, Config
from reform.notify import channels as senders
from reform.notify.messages import KPI_STATUSES, Message, due
from reform.store import Store

STALE_MINUTES = 15  # a claim older than this whose message was never recorded is claimed again
MAX_ATTEMPTS = 9  # sends of one message over all runs before it is left as failed


@dataclass
class Outcome:
    """What one run did."""

    due: int = 0
    sent: list[str] = field(default_factory=list)  # keys
    failed: list[str] = field(default_factory=list)
    skipped: int = 0  # due but already sent (or being sent by another run)


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _seen(store: Store) -> dict[str, str] | None:
    """Each KPI's status when notify last ran (None before the first run)."""
    import json

    with store.connect() as con:
        found = con.execute("SELECT value FROM meta WHERE key = ?", [KPI_STATUSES]).fetchall()
    return json.loads(found[0][0]) if found else None


def claim(store: Store, messages: list[Message], runner: str, statuses: dict[str, str] | None = None) -> list[Message]:
    """The messages this run may send: new keys, and failed or stale claims of earlier runs.
    Also keeps today's KPI ``statuses`` for the next comparison (in the same transaction)."""
    now = clock.now()
    stale = now - timedelta(minutes=STALE_MINUTES)
    mine = []
    with store.writing() as con:
        con.execute("BEGIN TRANSACTION")
        keys = [m.key for m in messages]
        known = {}
        if keys:
            rows = con.execute(
                "SELECT key, status, attempts, claimed_at FROM notifications WHERE list_contains(?, key)", [keys]
            ).fetchall()
            known = {r[0]: r[1:] for r in rows}
        for m in messages:
            if m.key not in known:
                con.execute(
                    """INSERT INTO notifications (key, kind, channel, recipient, subject, body, status, attempts,
                                                  claimed_by, claimed_at)
                       VALUES (?, ?, ?, ?, ?, ?, 'sending', 0, ?, ?)""",
                    [m.key, m.kind, m.channel, m.recipient, m.subject, m.text, runner, now],
                )
                mine.append(m)
                continue
            status, attempts, claimed_at = known[m.key]
            retry = status == "failed" and attempts < MAX_ATTEMPTS
            if retry or (status == "sending" and claimed_at is not None and claimed_at < stale):
                con.execute(
                    "UPDATE notifications SET status = 'sending', claimed_by = ?, claimed_at = ? WHERE key = ?",
                    [runner, now, m.key],
                )
                mine.append(m)
        if statuses is not None:
            import json

            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [KPI_STATUSES, json.dumps(statuses)])
        con.execute("COMMIT")
    return mine


def record(store: Store, key: str, status: str, attempts: int, result: str) -> None:
    with store.writing() as con:
        con.execute(
            """UPDATE notifications SET status = ?, attempts = attempts + ?, result = ?,
                      sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END
               WHERE key = ?""",
            [status, attempts, result[:500], status, clock.now(), key],
        )


def log(store: Store, limit: int = 500) -> pd.DataFrame:
    """Every message claimed, newest first: what, to whom, through which channel, and the answer."""
    with store.reader() as q:
        return q.df(
            """SELECT claimed_at AS created_at, kind, recipient, channel, subject, status, attempts, sent_at, result
               FROM notifications ORDER BY claimed_at DESC LIMIT ?""",
            [limit],
        )


def _send(channel: Channel, message: Message, attachment: tuple[str, bytes] | None) -> str:
    if channel.type == "wecom":
        return senders.send_wecom(channel, message.subject, message.text)
    if channel.type == "dingtalk":
        return senders.send_dingtalk(channel, message.subject, message.text)
    return senders.send_email(channel, message.subject, message.text, attachment)


def deliver(
    channel: Channel,
    message: Message,
    limit: senders.RateLimit,
    retries: int,
    backoff: float,
    attachment: tuple[str, bytes] | None = None,
) -> tuple[str, int, str]:
    """Send with up to ``retries`` attempts (back-off doubling); (status, attempts, answer)."""
    for attempt in range(1, retries + 1):
        limit.wait()
        try:
            return "sent", attempt, _send(channel, message, attachment)
        except senders.SendError as exc:
            if not exc.retry or attempt == retries:
                return "failed", attempt, str(exc)
            time.sleep(backoff * 2 ** (attempt - 1))
        finally:
            limit.done()  # counted when its answer is back: the robot counted it on arrival
    return "failed", retries, "no attempt made"


def _pack(store: Store, cfg: Config) -> tuple[str, bytes] | None:
    """The meeting pack's PDF for the digest (None where no browser can print it)."""
    from metrics import slides
    from reform.export import deck, deck_pdf
    from reform.export.images import ExportError
    from reform.notify.messages import leaders_of

    the_deck = slides.build(store, cfg, leaders_of(store, cfg, cfg.today()).view)  # as leaders see it
    try:
        return deck.file_name(the_deck, "pdf"), deck_pdf.write(the_deck)
    except ExportError:
        return None


def run(store: Store, cfg: Config, today: date | None = None, dry_run: bool = False) -> Outcome:
    """Send what is due today, each message once."""
    store.init()
    today = today or cfg.today()
    found, statuses = due(store, cfg, today, _seen(store))
    messages = [m for m in found if m.channel in cfg.notify.channels]
    if dry_run:
        return Outcome(due=len(messages))
    return send(store, cfg, messages, statuses)


def send_returns(store: Store, cfg: Config) -> Outcome:
    """The 退回 messages due now, sent at once when a reviewer returns a slice (not at the next morning's
    run): the same keys as the scheduled run's (``returned:<review step>``), so each goes exactly once."""
    from reform.notify.messages import returned

    store.init()
    return send(store, cfg, [m for m in returned(store, cfg) if m.channel in cfg.notify.channels])


def send(store: Store, cfg: Config, messages: list[Message], statuses: dict[str, str] | None = None) -> Outcome:
    """Claim, send (per channel under its rate limit, with retries) and record each message."""
    outcome = Outcome(due=len(messages))
    mine = claim(store, messages, _runner(), statuses)
    outcome.skipped = len(messages) - len(mine)
    limits = {n: senders.RateLimit(c.per_minute, c.window_seconds) for n, c in cfg.notify.channels.items()}
    pack: tuple[str, bytes] | None = None
    for message in mine:
        channel = cfg.notify.channels[message.channel]
        attachment = None
        if message.attach_pack and channel.type == "email":
            pack = pack or _pack(store, cfg)
            attachment = pack
        status, attempts, answer = deliver(
            channel, message, limits[message.channel], cfg.notify.retries, cfg.notify.backoff_seconds, attachment
        )
        record(store, message.key, status, attempts, answer)
        (outcome.sent if status == "sent" else outcome.failed).append(message.key)
    return outcome
