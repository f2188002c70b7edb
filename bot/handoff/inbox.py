"""What a web inbox shows of the queue: how many wait or are claimed, and how many of each
user's messages came after the last advisor's answer (unread)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Handoff, HandoffEvent

ACTIVE = ("waiting", "claimed")


async def snapshot(session: AsyncSession) -> dict[str, Any]:
    """Counts by status, unread per active handoff, and the last event id (a change marker)."""
    counts = dict(
        (
            await session.execute(
                select(Handoff.status, func.count())
                .where(Handoff.status.in_(ACTIVE))
                .group_by(Handoff.status)
            )
        ).all()
    )
    events = await session.execute(
        select(HandoffEvent.handoff_id, HandoffEvent.author)
        .join(Handoff, Handoff.id == HandoffEvent.handoff_id)
        .where(Handoff.status.in_(ACTIVE))
        .order_by(HandoffEvent.id)
    )
    unread: dict[str, int] = {}
    for handoff_id, author in events.all():
        key = str(handoff_id)
        if author == "user":
            unread[key] = unread.get(key, 0) + 1
        elif author == "advisor":
            unread[key] = 0
    return {
        "counts": {status: counts.get(status, 0) for status in ACTIVE},
        "unread": {key: n for key, n in unread.items() if n},
        "marker": [
            await session.scalar(select(func.max(HandoffEvent.id))) or 0,
            await session.scalar(select(func.max(Handoff.id))) or 0,
            sum(counts.values()),
        ],
    }
