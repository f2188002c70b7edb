"""What editors do with a campaign: create it, preview its audience, send it now or at a
time, pause, resume, cancel, and try it on one user first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaigns import audience
from bot.campaigns.message import in_window, render
from bot.clock import utcnow
from bot.content import claims
from bot.store.models import Campaign, CampaignDelivery, OutboxItem, User
from bot.store.repo import enqueue

# status: what may happen next
NEXT = {
    "draft": {"scheduled", "cancelled"},
    "scheduled": {"paused", "cancelled", "scheduled"},
    "sending": {"paused", "cancelled"},
    "paused": {"sending", "scheduled", "cancelled"},
    "done": set(),
    "cancelled": set(),
}


class CampaignStateError(Exception):
    """The change does not apply to a campaign in this state (a 409 for the API)."""


async def create(session: AsyncSession, *, values: dict[str, Any], actor: str) -> Campaign:
    """Raises claims.ForbiddenClaim when a text says what the fact sheet forbids."""
    claims.check_texts(values["texts"], field="text", where="campaign: ")
    campaign = Campaign(status="draft", created_by=actor, created_at=utcnow(), **values)
    session.add(campaign)
    await session.flush()
    return campaign


async def get(session: AsyncSession, campaign_id: int) -> Campaign | None:
    return await session.get(Campaign, campaign_id)


async def listed(session: AsyncSession) -> list[Campaign]:
    return list((await session.scalars(select(Campaign).order_by(Campaign.id.desc()))).all())


async def audience_size(session: AsyncSession, campaign: Campaign) -> int:
    return await audience.count(
        session, topic=campaign.topic, audience=audience.Audience.from_dict(campaign.audience)
    )


async def schedule(session: AsyncSession, campaign: Campaign, send_at: datetime | None) -> None:
    """Now (the next round of the sender) or at `send_at` (an instant)."""
    _move(campaign, "scheduled")
    campaign.send_at = send_at


async def pause(session: AsyncSession, campaign: Campaign) -> None:
    _move(campaign, "paused")


async def resume(session: AsyncSession, campaign: Campaign) -> None:
    _move(campaign, "sending" if campaign.queued_at else "scheduled")


async def cancel(session: AsyncSession, campaign: Campaign) -> None:
    """Nothing more goes out: waiting deliveries and their outbox rows not yet claimed are
    cancelled (a message already in a sender's hands still leaves)."""
    _move(campaign, "cancelled")
    campaign.finished_at = utcnow()
    waiting = select(CampaignDelivery.outbox_id).where(
        CampaignDelivery.campaign_id == campaign.id, CampaignDelivery.status == "outboxed"
    )
    removed = await session.execute(
        delete(OutboxItem)
        .where(OutboxItem.id.in_(waiting), OutboxItem.status == "pending")
        .returning(OutboxItem.id)
    )
    ids = list(removed.scalars().all())
    await session.execute(
        update(CampaignDelivery)
        .where(
            CampaignDelivery.campaign_id == campaign.id,
            CampaignDelivery.status.in_(("queued",)) | CampaignDelivery.outbox_id.in_(ids or [-1]),
        )
        .values(status="cancelled")
    )


async def test_send(session: AsyncSession, campaign: Campaign, user: User) -> str | None:
    """Queue the campaign to one user (an editor's own account) as they would see it, with
    no consent needed and nothing counted; returns a skip reason instead, if any."""
    outbound = render(
        campaign,
        channel=user.channel,
        language=user.language,
        in_window=in_window(user.last_seen_at),
    )
    if isinstance(outbound, str):
        return outbound
    await enqueue(session, user=user, outbounds=[outbound])
    return None


def _move(campaign: Campaign, status: str) -> None:
    if status not in NEXT[campaign.status]:
        raise CampaignStateError(f"a {campaign.status} campaign cannot become {status}")
    campaign.status = status
