"""Who a campaign goes to: the users who consented to its topic, narrowed by channel,
language, last activity and the answers they gave in questionnaires."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.store.models import Campaign, CampaignDelivery, Consent, ConversationState, User
from bot.store.repo import _insert, rowcount

CHUNK = 5000  # delivery rows written per statement when answers are filtered here


@dataclass(frozen=True)
class Audience:
    channels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    active_within_days: int | None = None  # wrote to the bot in the last N days
    inactive_for_days: int | None = None  # silent for at least N days
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # slot: accepted values

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Audience:
        data = data or {}
        return cls(
            channels=tuple(data.get("channels") or ()),
            languages=tuple(data.get("languages") or ()),
            active_within_days=data.get("active_within_days"),
            inactive_for_days=data.get("inactive_for_days"),
            answers={k: tuple(v) for k, v in (data.get("answers") or {}).items()},
        )


async def count(session: AsyncSession, *, topic: str, audience: Audience) -> int:
    if audience.answers:
        return len(await _answered(session, topic, audience))
    query = select(func.count()).select_from(_matching(topic, audience).subquery())
    return cast(int, await session.scalar(query))  # a count is never NULL


async def build(session: AsyncSession, *, campaign: Campaign) -> int:
    """One 'queued' delivery per user in the audience (a user already there is skipped:
    the unique (campaign, user) constraint); returns how many were added."""
    audience, now = Audience.from_dict(campaign.audience), utcnow()
    table = CampaignDelivery.__table__
    if not audience.answers:
        users = _matching(campaign.topic, audience).subquery()
        rows = select(  # WHERE true: SQLite reads "SELECT … ON CONFLICT" only with a WHERE
            literal(campaign.id), users.c.id, users.c.channel, literal("queued"), literal(now)
        ).where(true())
        result = await session.execute(
            _insert(session, table)
            .from_select(["campaign_id", "user_id", "channel", "status", "queued_at"], rows)
            .on_conflict_do_nothing(index_elements=["campaign_id", "user_id"])
        )
        return rowcount(result)
    added = 0
    matched = await _answered(session, campaign.topic, audience)
    for start in range(0, len(matched), CHUNK):
        deliveries = [
            {
                "campaign_id": campaign.id,
                "user_id": user_id,
                "channel": channel,
                "status": "queued",
                "queued_at": now,
            }
            for user_id, channel in matched[start : start + CHUNK]
        ]
        result = await session.execute(
            _insert(session, table).on_conflict_do_nothing(
                index_elements=["campaign_id", "user_id"]
            ),
            deliveries,
        )
        added += max(rowcount(result), 0)
    return added


def _matching(topic: str, audience: Audience, now: datetime | None = None) -> Select[int, str]:
    now = now or utcnow()
    query = (
        select(User.id, User.channel)
        .join(Consent, (Consent.user_id == User.id) & (Consent.topic == topic))
        .where(Consent.withdrawn_at.is_(None))
    )
    if audience.channels:
        query = query.where(User.channel.in_(audience.channels))
    if audience.languages:
        query = query.where(User.language.in_(audience.languages))
    if audience.active_within_days is not None:
        query = query.where(User.last_seen_at >= now - timedelta(days=audience.active_within_days))
    if audience.inactive_for_days is not None:
        query = query.where(User.last_seen_at < now - timedelta(days=audience.inactive_for_days))
    return query


async def _answered(session: AsyncSession, topic: str, audience: Audience) -> list[tuple[int, str]]:
    """Answers are JSON kept per questionnaire: filtered here, the same on both databases."""
    query = _matching(topic, audience).add_columns(ConversationState.answers)
    query = query.join(ConversationState, ConversationState.user_id == User.id)
    rows = await session.execute(query)
    return [
        (user_id, channel)
        for user_id, channel, answers in rows
        if _answers_match(answers or {}, audience.answers)
    ]


def _answers_match(answers: dict[str, Any], wanted: dict[str, tuple[str, ...]]) -> bool:
    given = [slots for slots in answers.values() if isinstance(slots, dict)]
    return all(any(slots.get(slot) in values for slots in given) for slot, values in wanted.items())
