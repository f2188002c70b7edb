"""Casablanca time from the tzdata package (2026 rules), and the fold/gap policy."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.rules import due_utc, next_occurrence

CASABLANCA = ZoneInfo("Africa/Casablanca")


def test_casablanca_is_utc_plus_zero_on_2026_10_01():
    assert datetime(2026, 10, 1, 12, tzinfo=CASABLANCA).utcoffset() == timedelta(0)


def test_a_09_00_reminder_on_2026_11_30_fires_at_09_00_utc():
    assert due_utc(datetime(2026, 11, 30, 9, 0), "Africa/Casablanca") == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("local", "expected_utc"),
    [
        # Before Ramadan 2026 Morocco was on UTC+1 …
        (datetime(2026, 2, 10, 9, 0), datetime(2026, 2, 10, 8, 0)),
        # … UTC+0 during Ramadan (from 2026-02-15) …
        (datetime(2026, 2, 25, 9, 0), datetime(2026, 2, 25, 9, 0)),
        # … UTC+1 again from 2026-03-22 …
        (datetime(2026, 4, 1, 9, 0), datetime(2026, 4, 1, 8, 0)),
        # … and UTC+0 for good from 2026-09-20 (tzdb 2026c).
        (datetime(2026, 9, 21, 9, 0), datetime(2026, 9, 21, 9, 0)),
        (datetime(2027, 6, 1, 9, 0), datetime(2027, 6, 1, 9, 0)),
    ],
)
def test_local_wall_times_follow_the_2026_clock_changes(local, expected_utc):
    assert due_utc(local, "Africa/Casablanca") == expected_utc.replace(tzinfo=UTC)


def test_a_local_time_that_happens_twice_fires_at_its_first_occurrence():
    # 2026-02-15 03:00 +01 became 02:00 +00: 02:30 happened twice.
    assert due_utc(datetime(2026, 2, 15, 2, 30), "Africa/Casablanca") == datetime(
        2026, 2, 15, 1, 30, tzinfo=UTC
    )


def test_a_local_time_skipped_by_the_clock_fires_when_that_hour_would_have_been():
    # 2026-03-22 02:00 +00 jumped to 03:00 +01: 02:30 never existed on the wall.
    fired = due_utc(datetime(2026, 3, 22, 2, 30), "Africa/Casablanca")
    assert fired == datetime(2026, 3, 22, 2, 30, tzinfo=UTC)
    assert fired.astimezone(CASABLANCA).hour == 3


def test_the_operating_system_copy_of_the_rules_is_not_used():
    import zoneinfo

    assert zoneinfo.TZPATH == ()


@pytest.mark.parametrize(
    ("recurrence", "local", "following"),
    [
        ("daily", datetime(2026, 11, 30, 9), datetime(2026, 12, 1, 9)),
        ("weekly", datetime(2026, 11, 30, 9), datetime(2026, 12, 7, 9)),
        ("monthly", datetime(2026, 12, 1, 9), datetime(2027, 1, 1, 9)),
        ("monthly", datetime(2027, 1, 31, 9), datetime(2027, 2, 28, 9)),
    ],
)
def test_a_repetition_keeps_the_wall_time(recurrence, local, following):
    assert next_occurrence(local, recurrence) == following
