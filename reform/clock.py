"""Time, one way: stored times are UTC; what people see is in the configured time zone.

A server's own clock zone is whatever its operator left (UTC on most servers): showing it as is
put every time 8 hours off Beijing time. ``now()`` is what the store keeps (naive UTC, so every
backend compares it the same way); ``today(zone)`` is the calendar day that decides what is
overdue or in the future; ``shown(value, zone)`` turns a stored time into the local one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"


def now() -> datetime:
    """The time to store: UTC, naive, to the second."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@cache
def zone(name: str = DEFAULT_ZONE) -> tzinfo:
    """The named time zone; ValueError for a name the time-zone database does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def today(name: str = DEFAULT_ZONE) -> date:
    """Today's date where the district is (what is overdue, what is in the future)."""
    return datetime.now(zone(name)).date()


def shown(value: Any, name: str = DEFAULT_ZONE) -> Any:
    """A stored (naive UTC) time as local time, naive, to the minute's second; other values as they are."""
    if isinstance(value, datetime) and str(value) != "NaT":  # pandas' NaT is a datetime with no time
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(zone(name)).replace(tzinfo=None)
    return value
