"""What became of a campaign: queued, sent, failed, skipped (no consent, no template,
blocked), stopped, button taps, and users who wrote back within 48 hours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Interval, and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Campaign, CampaignDelivery, Message

REPLY_WINDOW = timedelta(hours=48)
COUNTS = (
    "audience",
    "queued",
    "in_outbox",
    "sent",
    "failed",
    "blocked",
    "skipped_no_consent",
    "skipped_no_template",
    "skipped_blocked",
    "cancelled",
    "stopped",
    "button_taps",
    "wrote_back_48h",
)
_STATUS_COUNT = {
    "queued": "queued",
    "outboxed": "in_outbox",
    "sent": "sent",
    "failed": "failed",
    "blocked": "blocked",
    "skipped_consent": "skipped_no_consent",
    "skipped_template": "skipped_no_template",
    "skipped_blocked": "skipped_blocked",
    "cancelled": "cancelled",
}


async def counts(session: AsyncSession, *, campaign_id: int) -> dict[str, int]:
    return (await counts_of(session, [campaign_id]))[campaign_id]


async def counts_of(session: AsyncSession, campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    result = {cid: dict.fromkeys(COUNTS, 0) for cid in campaign_ids}
    if not campaign_ids:
        return result
    delivery = CampaignDelivery
    by_status = await session.execute(
        select(delivery.campaign_id, delivery.status, func.count())
        .where(delivery.campaign_id.in_(campaign_ids))
        .group_by(delivery.campaign_id, delivery.status)
    )
    for campaign_id, status, n in by_status:
        result[campaign_id][_STATUS_COUNT.get(status, status)] = n
        result[campaign_id]["audience"] += n
    marks = await session.execute(
        select(
            delivery.campaign_id,
            func.count(delivery.stopped_at),
            func.count(delivery.tapped_at),
        )
        .where(delivery.campaign_id.in_(campaign_ids))
        .group_by(delivery.campaign_id)
    )
    for campaign_id, stopped, taps in marks:
        result[campaign_id]["stopped"], result[campaign_id]["button_taps"] = stopped, taps
    wrote_back = await session.execute(
        select(delivery.campaign_id, func.count(func.distinct(delivery.user_id)))
        .join(
            Message,
            and_(
                Message.user_id == delivery.user_id,
                Message.direction == "in",
                Message.created_at > delivery.sent_at,
                Message.created_at <= _later(session, delivery.sent_at),
            ),
        )
        .where(delivery.campaign_id.in_(campaign_ids), delivery.sent_at.is_not(None))
        .group_by(delivery.campaign_id)
    )
    for campaign_id, n in wrote_back:
        result[campaign_id]["wrote_back_48h"] = n
    return result


def _later(session: AsyncSession, moment: Any) -> Any:
    """`moment` plus the reply window, in SQL (SQLite keeps instants as text)."""
    if session.get_bind().dialect.name == "sqlite":
        hours = int(REPLY_WINDOW.total_seconds() // 3600)
        return func.strftime("%Y-%m-%d %H:%M:%f", moment, f"+{hours} hours")
    return moment + literal(REPLY_WINDOW, type_=Interval())


async def summary(session: AsyncSession) -> list[dict[str, Any]]:
    """Every campaign with its counts, newest first (for /admin/insights)."""
    campaigns = (
        await session.execute(
            select(Campaign.id, Campaign.name, Campaign.topic, Campaign.status).order_by(
                Campaign.id.desc()
            )
        )
    ).all()
    all_counts = await counts_of(session, [c.id for c in campaigns])
    return [
        {"id": c.id, "name": c.name, "topic": c.topic, "status": c.status, **all_counts[c.id]}
        for c in campaigns
    ]
