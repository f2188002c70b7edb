"""Advisors' hours: open days, Morocco's public holidays, and ODCO's extra closed dates."""

from datetime import UTC, date, datetime

from bot.config import load_settings


def hours(**overrides):
    return load_settings(_env_file=None, **overrides).office_hours()


def test_throne_day_is_closed_and_the_next_opening_is_the_next_working_morning():
    throne_day = datetime(2026, 7, 30, 10, 0, tzinfo=UTC)  # a Thursday morning
    office = hours()
    assert not office.is_open(throne_day)
    assert office.next_opening(throne_day).isoformat() == "2026-07-31T09:00:00+01:00"


def test_a_request_on_the_eve_of_eid_and_a_weekend_waits_for_the_working_day_after():
    # Eid al-Adha 2026 (estimated) is Wednesday 27 and Thursday 28 May
    evening = datetime(2026, 5, 26, 18, 0, tzinfo=UTC)
    assert hours().next_opening(evening).date() == date(2026, 5, 29)


def test_an_ordinary_working_day_is_open():
    assert hours().is_open(datetime(2026, 12, 3, 10, 0, tzinfo=UTC))


def test_dates_odco_configures_are_closed_too():
    day = datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    assert hours().is_open(day)
    closed = hours(advisor_closed_dates=["2026-12-31"])
    assert not closed.is_open(day)
    assert closed.next_opening(day).date() == date(2027, 1, 4)  # 1 Jan holiday, weekend


def test_the_public_calendar_can_be_turned_off():
    assert hours(advisor_public_holidays=False).is_open(datetime(2026, 7, 30, 10, tzinfo=UTC))
