"""What people ask and how well Fadaa answers: for editors deciding what content to add."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import median, quantiles
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import funnels
from bot.campaigns import results as campaign_results
from bot.clock import utcnow
from bot.store.models import Handoff, Message, Reminder, User

UNANSWERED_LIMIT = 200
# The CSV exports and their columns: an empty table is still a CSV with its header.
CSV_COLUMNS = {
    "daily": ("day", "channel", "language", "messages"),
    "intents": ("intent", "messages"),
    "unanswered": ("text", "language", "date"),
    "handoffs": ("day", "requests", "answered", "left_by_user", "first_response_minutes_median"),
    "campaigns": ("id", "name", "topic", "status", *campaign_results.COUNTS),
    "funnels": ("flow", "step", "users"),
}


async def summary(session: AsyncSession, *, days: int, fallback_below: float) -> dict[str, Any]:
    since = utcnow() - timedelta(days=days)
    inbound = (Message.direction == "in", Message.created_at >= since)
    missed = or_(Message.intent == "out_of_scope", Message.confidence < fallback_below)
    day = func.date(Message.created_at)
    daily = await session.execute(
        select(day, Message.channel, Message.language, func.count())
        .where(*inbound)
        .group_by(day, Message.channel, Message.language)
        .order_by(day)
    )
    intents = await session.execute(
        select(Message.intent, func.count())
        .where(*inbound, Message.intent.is_not(None))
        .group_by(Message.intent)
        .order_by(func.count().desc())
    )
    understood = await session.scalar(
        select(func.count()).where(*inbound, Message.intent.is_not(None))
    )
    fallbacks = await session.scalar(
        select(func.count()).where(*inbound, Message.intent.is_not(None), missed)
    )
    unanswered = await session.execute(
        select(Message.text, Message.language, Message.created_at)
        .where(*inbound, Message.intent.is_not(None), missed)
        .order_by(Message.created_at.desc())
        .limit(UNANSWERED_LIMIT)
    )
    reminders = await session.execute(
        select(Reminder.status, func.count()).group_by(Reminder.status)
    )
    return {
        "days": days,
        "users": await session.scalar(select(func.count()).select_from(User)),
        "daily": [
            {"day": str(d), "channel": c, "language": lang or "", "messages": n}
            for d, c, lang, n in daily.all()
        ],
        "intents": [{"intent": i, "messages": n} for i, n in intents.all()],
        "fallback_rate": round((fallbacks or 0) / understood, 4) if understood else 0.0,
        "unanswered": [
            {"text": t[:500], "language": lang or "", "date": str(at)[:19]}
            for t, lang, at in unanswered.all()
        ],
        "reminders": [{"status": s, "count": n} for s, n in reminders.all()],
        **await handoff_figures(session, since),
        "campaigns": await campaign_results.summary(session),
        "funnels": await funnels.figures(session, since=since),
    }


def csv_rows(data: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """The rows of one CSV export: the summary's list, flattened for the funnels."""
    return funnels.csv_rows(data["funnels"]) if table == "funnels" else list(data[table])


async def handoff_figures(session: AsyncSession, since: datetime) -> dict[str, Any]:
    """Requests for an advisor per day, and how fast advisors first answered: counted from
    when advisors were at work (a request made on Saturday counts from Monday 09:00)."""
    rows = (
        await session.execute(
            select(
                Handoff.created_at,
                Handoff.expected_from,
                Handoff.first_response_at,
                Handoff.closed_by,
                Handoff.rating,
            )
            .where(Handoff.created_at >= since)
            .order_by(Handoff.created_at)
        )
    ).all()
    by_day: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_day[str(row.created_at)[:10]].append(row)
    ratings = [row.rating for row in rows if row.rating]
    return {
        "handoffs": [{"day": day, **_handoff_counts(day_rows)} for day, day_rows in by_day.items()],
        "handoff_summary": _handoff_counts(rows)
        | {
            "first_response_minutes_p90": _p90(_response_minutes(rows)),
            "rating_average": round(sum(ratings) / len(ratings), 2) if ratings else None,
            "ratings": len(ratings),
        },
    }


def _handoff_counts(rows: Sequence[Any]) -> dict[str, Any]:
    minutes = _response_minutes(rows)
    return {
        "requests": len(rows),
        "answered": len(minutes),
        "left_by_user": sum(row.closed_by == "user" for row in rows),
        "first_response_minutes_median": round(median(minutes), 1) if minutes else None,
    }


def _response_minutes(rows: Sequence[Any]) -> list[float]:
    return [
        max(0.0, (row.first_response_at - row.expected_from).total_seconds() / 60)
        for row in rows
        if row.first_response_at
    ]


def _p90(values: list[float]) -> float | None:
    if len(values) < 2:
        return round(values[0], 1) if values else None
    return round(quantiles(values, n=10, method="inclusive")[-1], 1)
