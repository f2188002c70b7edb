"""When a reminder fires: local wall time + IANA zone -> UTC instant, and repetitions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import tzdata

TZDATA_VERSION = tzdata.IANA_VERSION


@dataclass(frozen=True)
class DispatchPolicy:
    """Late means overdue by more than `late_after`: sent with a note, or skipped."""

    late_after: timedelta = timedelta(hours=1)
    skip_late: bool = False
    lease: timedelta = timedelta(seconds=30)
    batch: int = 50  # claimed, queued and marked in one short transaction


def due_utc(local: datetime, zone: str) -> datetime:
    """The UTC instant of a local wall time.

    A wall time that happens twice (clocks going back) is its first occurrence (fold=0); one
    that never happens (clocks going forward) is read with the offset before the jump, so
    it fires at the same instant the skipped hour would have had.
    """
    return local.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def next_occurrence(local: datetime, recurrence: str) -> datetime:
    if recurrence == "daily":
        return local + timedelta(days=1)
    if recurrence == "weekly":
        return local + timedelta(weeks=1)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)
