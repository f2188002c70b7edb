"""Consent per topic, stored with the time it was given and withdrawn (law 09-08). Rows
belong to the user and go with them when their data is erased (ON DELETE CASCADE)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.effects import CampaignEffect, CampaignTap, ChangeConsent
from bot.nlu.consent import is_stop_word
from bot.store.models import Campaign, CampaignDelivery, Consent, User
from bot.store.repo import _insert

STOP_WINDOW = timedelta(days=7)  # a bare "stop" this long after a campaign message stops it


async def apply(session: AsyncSession, *, user: User, effects: Sequence[CampaignEffect]) -> None:
    """What a turn decided about campaigns, in the turn's transaction."""
    for effect in effects:
        if isinstance(effect, ChangeConsent):
            for topic in effect.topics:
                await set_consent(session, user_id=user.id, topic=topic, granted=effect.granted)
            if effect.campaign_id is not None and not effect.granted:
                await _mark(session, user.id, effect.campaign_id, stopped_at=utcnow())
        elif isinstance(effect, CampaignTap):
            await _mark(session, user.id, effect.campaign_id, tapped_at=utcnow())


async def set_consent(
    session: AsyncSession, *, user_id: int, topic: str, granted: bool, source: str = "conversation"
) -> None:
    """Grant (again) or withdraw; the time of the last change is kept either way."""
    now = utcnow()
    if granted:
        await session.execute(
            _insert(session, Consent)
            .values(user_id=user_id, topic=topic, granted_at=now, withdrawn_at=None, source=source)
            .on_conflict_do_update(
                index_elements=["user_id", "topic"],
                set_={"granted_at": now, "withdrawn_at": None, "source": source},
            )
        )
        return
    await session.execute(
        update(Consent)
        .where(Consent.user_id == user_id, Consent.topic == topic, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )


async def topics_of(session: AsyncSession, *, user_id: int) -> list[str]:
    rows = await session.scalars(
        select(Consent.topic).where(Consent.user_id == user_id, Consent.withdrawn_at.is_(None))
    )
    return sorted(rows.all())


async def stop_asked(session: AsyncSession, *, user: User, text: str) -> str | None:
    """For a bare "stop" / "وقف" / "safi baraka": the campaign message the user last
    received (within a week), as its Stop button's value ("news:12"), if they still receive
    its topic. Reads nothing for other text."""
    if not text or not is_stop_word(text):
        return None
    found = (
        await session.execute(
            select(Campaign.topic, Campaign.id)
            .join(CampaignDelivery, CampaignDelivery.campaign_id == Campaign.id)
            .join(
                Consent,
                (Consent.user_id == CampaignDelivery.user_id) & (Consent.topic == Campaign.topic),
            )
            .where(
                CampaignDelivery.user_id == user.id,
                CampaignDelivery.status.in_(("outboxed", "sent")),
                CampaignDelivery.fed_at >= utcnow() - STOP_WINDOW,
                Consent.withdrawn_at.is_(None),
            )
            .order_by(CampaignDelivery.id.desc())
            .limit(1)
        )
    ).first()
    return f"{found.topic}:{found.id}" if found else None


async def _mark(session: AsyncSession, user_id: int, campaign_id: int, **values: object) -> None:
    column = next(iter(values))
    await session.execute(
        update(CampaignDelivery)
        .where(
            CampaignDelivery.campaign_id == campaign_id,
            CampaignDelivery.user_id == user_id,
            getattr(CampaignDelivery, column).is_(None),
        )
        .values(**values)
    )
