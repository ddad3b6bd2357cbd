"""Who is reading, and which figures they may see: decided once at each entry and passed down.

Every entry — a page run, a presentation request, the weekly digest, a command — builds one
``Audience`` with ``decide`` and computes every figure, chart, slide, summary and export from it,
reading the store through ``View.reading``. Nothing below an entry decides again which data a
reader sees.

- **Who reads**: a leader, a reviewer (district staff), a township's clerk, an administrator;
  the command line and the digest read as leaders do.
- **What they see** (``View``): the data version; with review on (``review.required``) only
  approved figures, as of a review step (``View.review``), unless a reviewer explicitly asks for
  the figures as uploaded (``pending``: every page, slide and export then says so); the years —
  by default every year the *visible* data covers, so an upload awaiting review never widens a
  leader's year range — and the townships.

The ``View`` is what caches are keyed on: two readers with the same view share the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from reform import auth
from reform.config import Config
from reform.datasets import DATASETS

if TYPE_CHECKING:
    from reform.store import Reader, Store

READERS = ("leader", "reviewer", "clerk", "admin")
_READER_OF_ROLE = {
    "leader": "leader",
    "district": "reviewer",
    "township": "clerk",
    "admin": "admin",
    "sysadmin": "admin",
}


@dataclass(frozen=True)
class Scope:
    """The years and units a figure covers. No townships chosen means the whole district."""

    first_year: int
    last_year: int
    townships: tuple[str, ...] = ()
    until: date | None = None  # the last day counted, when earlier than the last year's end (as reported)
    today: date | None = None  # the day that decides what counts as reported (part of every cache key)

    @property
    def start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return self.until or date(self.last_year, 12, 31)

    def units(self, cfg: Config) -> list[str]:
        """Reporting units in scope: the chosen ones, or every township and the district committee."""
        return list(self.townships) if self.townships else [*cfg.township_names, cfg.committee]

    def towns(self, cfg: Config) -> list[str]:
        """Townships in scope (without the district committee): the denominators of coverage."""
        return [t for t in self.units(cfg) if t != cfg.committee]

    def at_year(self, year: int) -> Scope:
        """The same scope as of an earlier year (for the change and the trend): the same period a year
        earlier, when the scope ends within a year (2026-Q3 → 2025-Q3)."""
        until = None
        if self.until is not None and year < self.until.year:
            until = _same_day(self.until, year)
        return replace(self, last_year=year, first_year=min(self.first_year, year), until=until)

    def to_dict(self) -> dict[str, Any]:
        """The scope as asked for (a cut-off or a day left unset is not shown)."""
        return {k: v for k, v in asdict(self).items() if k not in ("until", "today") or v is not None}


def _same_day(day: date, year: int) -> date:
    """The same day of another year (29 February becomes the 28th)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


@dataclass(frozen=True)
class View:
    """Which figures are shown: the key of every cached figure, chart, slide and export."""

    data_version: int
    review: int | None  # approved figures as of this review step; None: every upload as stored
    scope: Scope
    frozen: bool = False  # a meeting: the data as it stood at ``data_version``, later uploads unseen

    @property
    def published(self) -> bool:
        """Only approved figures (review on, and nobody asked for the figures awaiting review)."""
        return self.review is not None

    @contextmanager
    def reading(self, store: Store, assume: list[tuple[str, str, int]] | None = None) -> Iterator[Reader]:
        """The store as this view shows it. ``assume``: approvals to pretend ("what approving would change")."""
        as_of = self.data_version if self.frozen else None
        with store.reader(as_of=as_of, published=self.published or bool(assume), assume=assume) as q:
            yield q

    def within(self, first_year: int | None = None, last_year: int | None = None, townships: Any = None) -> View:
        """The same view narrowed to some years (kept inside the years it covers) and townships."""
        first = max(self.scope.first_year, first_year) if first_year else self.scope.first_year
        last = min(self.scope.last_year, last_year) if last_year else self.scope.last_year
        towns = self.scope.townships if townships is None else tuple(townships)
        return replace(self, scope=replace(self.scope, first_year=min(first, last), last_year=last, townships=towns))


@dataclass(frozen=True)
class Audience:
    """Who reads (``reader``: leader, reviewer, clerk, admin; a clerk's ``unit``) and what they see."""

    reader: str
    view: View
    pending: bool = False  # a reviewer asked for the figures awaiting review: every view says so
    unit: str | None = None
    years: tuple[int, int] | None = None  # every year the data this reader sees covers (before narrowing)

    @property
    def scope(self) -> Scope:
        return self.view.scope

    def within(self, first_year: int | None = None, last_year: int | None = None, townships: Any = None) -> Audience:
        return replace(self, view=self.view.within(first_year, last_year, townships))


class PendingNotAllowedError(PermissionError):
    """Only a reviewer (district staff, an administrator) may see figures awaiting review."""


def reader_of(user: auth.User | None) -> str:
    """What kind of reader an account is (no account: the command line and the digest read as leaders)."""
    return "leader" if user is None else _READER_OF_ROLE.get(user.role, "leader")


def may_see_pending(user: auth.User | None) -> bool:
    return user is not None and auth.allowed(user, "review")


def data_years(q: Any) -> tuple[int, int]:
    """The first and last year that the data a reader sees covers (this year when there is none)."""
    years = " UNION ALL ".join(f"SELECT year({d.time_sql[0]}) AS y FROM current_{d.name}" for d in DATASETS.values())
    rows = q.df(f"SELECT min(y) AS lo, max(y) AS hi FROM ({years})")
    if rows.empty or pd.isna(rows.at[0, "lo"]):
        return date.today().year, date.today().year
    return int(rows.at[0, "lo"]), int(rows.at[0, "hi"])


def decide(
    store: Store,
    cfg: Config,
    user: auth.User | None = None,
    *,
    pending: bool = False,
    version: int | None = None,
    frozen: bool = False,
    today: date | None = None,
    years: Callable[[View], tuple[int, int]] | None = None,
) -> Audience:
    """The audience of one entry: ``user`` (None: leaders, as the command line and the digest read),
    whether a reviewer asked for the figures awaiting review, the data version (the newest, or a
    meeting's ``frozen`` one), and every year the visible data covers (``years`` computes them, e.g.
    from a cache; by default a query on the store). Narrow it with ``Audience.within``."""
    if pending and cfg.review_required and not may_see_pending(user):
        raise PendingNotAllowedError("only a reviewer may see figures awaiting review")
    review = store.review_version() if cfg.review_required and not pending else None
    data_version = store.data_version() if version is None else int(version)
    day = today or cfg.today()
    view = View(data_version, review, Scope(day.year, day.year, today=day), frozen=frozen)
    first, last = years(view) if years is not None else _years(store, view)
    view = replace(view, scope=replace(view.scope, first_year=first, last_year=last))
    unit = user.township if user is not None and user.role == "township" else None
    return Audience(reader_of(user), view, pending=pending and cfg.review_required, unit=unit, years=(first, last))


def _years(store: Store, view: View) -> tuple[int, int]:
    with view.reading(store) as q:
        return data_years(q)
