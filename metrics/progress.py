"""时间进度: how far through the year the calendar is, for yearly targets reported during the year.

A yearly plan (member development) is judged against the calendar while the year runs: at the end
of November 91.7 % of the year has gone (linearly, or by ``reporting.month_weights`` where work is
seasonal), so 80.0 % of the plan done is 11.7 percentage points behind. Pure functions.
"""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd

from metrics.base import Query, Scope
from reform.config import Config


def calendar_share(day: date, weights: tuple[float, ...] | None = None) -> float:
    """The share of the year gone by the end of ``day``: whole months by their weight, the current one
    by its days (equal weights: linear by month)."""
    weights = weights or (1.0,) * 12
    days = calendar.monthrange(day.year, day.month)[1]
    done = sum(weights[: day.month - 1]) + weights[day.month - 1] * day.day / days
    return done / sum(weights)


def development_this_year(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    """Per township, this year's member development so far (planned, admitted, rate), from the rows
    reported during the year; empty when nothing of this year is reported yet."""
    from metrics.pathways import by_township

    today = scope.today or cfg.today()
    return by_township(q, cfg, scope, year=today.year, towns_only=True)


def behind_calendar(q: Query, cfg: Config, scope: Scope) -> tuple[float, pd.DataFrame]:
    """(calendar share, per township this year's rate and its gap to the calendar in points of share)."""
    today = scope.today or cfg.today()
    share = calendar_share(today, cfg.month_weights)
    towns = development_this_year(q, cfg, scope)
    return share, towns.assign(gap=towns["rate"] - share)
