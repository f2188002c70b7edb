"""When advisors work: open days and hours in one zone (Africa/Casablanca by default),
closed on Morocco's public holidays and on the extra dates ODCO configures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

# Long enough to cross Eid (two days) next to a weekend and a few closed dates ODCO adds.
SEARCH_DAYS = 62


@cache
def _moroccan_calendar() -> holidays.HolidayBase:
    """Fixed national days and the Islamic holidays (the package estimates the lunar
    dates; ODCO adds or corrects a date with FADAA_ADVISOR_CLOSED_DATES)."""
    return holidays.country_holidays("MA")


@dataclass(frozen=True)
class OfficeHours:
    weekdays: frozenset[int]
    opens: time
    closes: time
    zone: str
    public_holidays: bool = True
    closed_dates: frozenset[date] = frozenset()

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.zone))
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.weekdays or day in self.closed_dates:
            return False
        return not (self.public_holidays and day in _moroccan_calendar())

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when open, else the next opening, as a local aware time."""
        local = moment.astimezone(ZoneInfo(self.zone))
        if self.is_open(local):
            return local
        for days in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=days)
            opening = datetime.combine(day, self.opens, ZoneInfo(self.zone))
            if self.is_working_day(day) and opening > local:
                return opening
        raise ValueError("advisors have no open day configured")
