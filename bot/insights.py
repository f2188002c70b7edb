"""What people ask and how well Fadaa answers: for editors deciding what content to add."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.store.models import Message, Reminder, User

UNANSWERED_LIMIT = 200


async def summary(session: AsyncSession, *, days: int, fallback_below: float) -> dict[str, Any]:
    since = utcnow() - timedelta(days=days)
    inbound = (Message.direction == "in", Message.created_at >= since)
    missed = or_(Message.intent == "out_of_scope", Message.confidence < fallback_below)
    day = func.date(Message.created_at)
    daily = await session.execute(
        select(day, Message.channel, Message.language, func.count())
        .where(*inbound).group_by(day, Message.channel, Message.language).order_by(day))
    intents = await session.execute(
        select(Message.intent, func.count()).where(*inbound, Message.intent.is_not(None))
        .group_by(Message.intent).order_by(func.count().desc()))
    understood = await session.scalar(select(func.count()).where(
        *inbound, Message.intent.is_not(None)))
    fallbacks = await session.scalar(select(func.count()).where(
        *inbound, Message.intent.is_not(None), missed))
    unanswered = await session.execute(
        select(Message.text, Message.language, Message.created_at)
        .where(*inbound, Message.intent.is_not(None), missed)
        .order_by(Message.created_at.desc()).limit(UNANSWERED_LIMIT))
    reminders = await session.execute(
        select(Reminder.status, func.count()).group_by(Reminder.status))
    return {
        "days": days,
        "users": await session.scalar(select(func.count()).select_from(User)),
        "daily": [{"day": str(d), "channel": c, "language": lang or "", "messages": n}
                  for d, c, lang, n in daily.all()],
        "intents": [{"intent": i, "messages": n} for i, n in intents.all()],
        "fallback_rate": round(fallbacks / understood, 4) if understood else 0.0,
        "unanswered": [{"text": t[:500], "language": lang or "", "date": str(at)[:19]}
                       for t, lang, at in unanswered.all()],
        "reminders": [{"status": s, "count": n} for s, n in reminders.all()],
    }
