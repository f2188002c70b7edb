"""When advisors work: open days and hours in one zone (Africa/Casablanca by default)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class OfficeHours:
    weekdays: frozenset[int]
    opens: time
    closes: time
    zone: str

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.zone))
        return local.weekday() in self.weekdays and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when open, else the next opening, as a local aware time."""
        local = moment.astimezone(ZoneInfo(self.zone))
        if self.is_open(local):
            return local
        for days in range(8):
            day = local.date() + timedelta(days=days)
            opening = datetime.combine(day, self.opens, ZoneInfo(self.zone))
            if day.weekday() in self.weekdays and opening > local:
                return opening
        raise ValueError("advisors have no open day configured")
