"""Delivering campaigns: due campaigns get their audience, then their deliveries are put
in the outbox a few at a time, at each channel's pace, as low-priority rows (replies go
first), and their outcome is read back from the outbox.

Exactly once per (campaign, user): a delivery row is unique per pair, and it moves to the
outbox in the same transaction as the outbox row is written (whose idempotency key is the
pair too). A sender killed during a call leaves its row 'sending': the outbox then marks
it failed rather than sending it again (repo.release_stale_claims), so a crash costs at
most the messages in flight, never a duplicate.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ScalarSelect, String, cast, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaigns import audience
from bot.campaigns.message import in_window, render
from bot.clock import utcnow
from bot.config import Settings
from bot.store.database import Database
from bot.store.locks import only_one
from bot.store.models import Campaign, CampaignDelivery, Consent, OutboxItem, User
from bot.store.repo import _insert, rowcount

log = logging.getLogger(__name__)
CAMPAIGN_PRIORITY = 1
WINDOW = timedelta(seconds=1)  # the most a channel's pace may catch up at once
DAY = timedelta(hours=24)
SYNC_BATCH = 5000
FEEDING = "feeding"


@dataclass(frozen=True)
class Pace:
    """Campaign messages per second per channel (leaving room for replies), and the most
    users a channel may be sent to in 24 hours (WhatsApp's messaging tier)."""

    per_second: dict[str, float] = field(default_factory=dict)
    per_day: dict[str, int] = field(default_factory=dict)


class CampaignSender:
    """The background job (bot/scheduler.py runs `round` every tick): start due
    campaigns, feed the outbox, read back outcomes."""

    def __init__(self, db: Database, pace: Pace, *, after_feed: Callable[[], None]) -> None:
        self.db, self.pace, self.after_feed = db, pace, after_feed

    async def round(self) -> int:
        """One pass; returns how many messages were put in the outbox. Every process runs
        it several times a second, so with no campaign under way it costs one query."""
        if not await under_way(self.db):
            return 0
        await start_due(self.db)
        fed = 0
        for channel, rate in self.pace.per_second.items():
            async with self.db.transaction() as session:
                fed += await feed(
                    session, channel=channel, rate=rate, per_day=self.pace.per_day.get(channel)
                )
        if fed:
            self.after_feed()
        async with self.db.transaction() as session:
            await read_outcomes(session)
            await finish_done(session)
        return fed


async def under_way(db: Database) -> bool:
    """A campaign is scheduled or sending, or some of its messages still await an outcome."""
    async with db.transaction() as session:
        campaign = exists().where(Campaign.status.in_(("scheduled", "sending")))
        awaiting = exists().where(CampaignDelivery.status == "outboxed")
        return bool(await session.scalar(select(campaign | awaiting)))


def sender_for(settings: Settings, db: Database, after_feed: Callable[[], None]) -> CampaignSender:
    """Campaigns leave at each enabled channel's pace, below its limit, replies first."""
    per_second = {}
    if settings.telegram_enabled:
        per_second["telegram"] = settings.campaign_telegram_per_second
    if settings.whatsapp_enabled:
        per_second["whatsapp"] = settings.campaign_whatsapp_per_second
    pace = Pace(per_second, {"whatsapp": settings.campaign_whatsapp_users_per_day})
    return CampaignSender(db, pace, after_feed=after_feed)


async def start_due(db: Database, now: datetime | None = None) -> list[int]:
    """Scheduled campaigns whose time has come get their audience and start sending."""
    now = now or utcnow()
    started = []
    async with db.transaction() as session:
        due = await session.scalars(
            select(Campaign)
            .where(
                Campaign.status == "scheduled",
                Campaign.send_at.is_(None) | (Campaign.send_at <= now),
            )
            .with_for_update(skip_locked=True)
        )
        for campaign in due.all():
            added = await audience.build(session, campaign=campaign)
            campaign.status, campaign.queued_at = "sending", now
            started.append(campaign.id)
            log.info("campaign %s: %s recipients queued", campaign.id, added)
    return started


async def feed(
    session: AsyncSession,
    *,
    channel: str,
    rate: float,
    per_day: int | None = None,
    now: datetime | None = None,
) -> int:
    """Put as many deliveries in the outbox as the channel's pace allows now."""
    now = now or utcnow()
    if not await only_one(session, f"campaign-feed:{channel}"):
        return 0
    budget, spent_until = await _budget(session, channel, rate, now)
    if per_day is not None:
        budget = min(budget, per_day - await _fed_since(session, channel, now - DAY))
    if budget <= 0:
        return 0
    due = (
        select(CampaignDelivery.id)
        .join(Campaign, Campaign.id == CampaignDelivery.campaign_id)
        .where(
            Campaign.status == "sending",
            CampaignDelivery.channel == channel,
            CampaignDelivery.status == "queued",
        )
        .order_by(CampaignDelivery.id)
        .limit(budget)
        .with_for_update(skip_locked=True, of=CampaignDelivery)
    )
    # 'feeding' lives only inside this transaction: it names this batch without id lists
    claimed = await session.execute(
        update(CampaignDelivery).where(CampaignDelivery.id.in_(due)).values(status=FEEDING)
    )
    if not rowcount(claimed):
        return 0
    return await _put_in_outbox(session, channel, now, spent_until)


async def _budget(
    session: AsyncSession, channel: str, rate: float, now: datetime
) -> tuple[int, datetime]:
    """A token bucket kept in the database, so every process shares one pace: rows carry
    the instant their batch's tokens were spent up to; tokens accrue at `rate` since then,
    at most a second's worth. Returns how many may go now, and the instant they spend up to."""
    last = await session.scalar(
        select(func.max(CampaignDelivery.fed_at)).where(CampaignDelivery.channel == channel)
    )
    start = max(last, now - WINDOW) if last else now - WINDOW
    budget = max(0, int((now - start).total_seconds() * rate))
    return budget, start + timedelta(seconds=budget / rate)


async def _fed_since(session: AsyncSession, channel: str, since: datetime) -> int:
    fed = (
        select(func.count())
        .select_from(CampaignDelivery)
        .where(CampaignDelivery.channel == channel, CampaignDelivery.fed_at >= since)
    )
    return typing.cast(int, await session.scalar(fed))  # a count is never NULL


async def _put_in_outbox(
    session: AsyncSession, channel: str, now: datetime, spent_until: datetime
) -> int:
    """The batch marked 'feeding' becomes outbox rows, or skips with their reason."""
    batch = (CampaignDelivery.status == FEEDING, CampaignDelivery.channel == channel)
    campaigns = {
        c.id: c
        for c in await session.scalars(
            select(Campaign).where(
                Campaign.id.in_(select(CampaignDelivery.campaign_id).where(*batch).distinct())
            )
        )
    }
    consented = (
        select(Consent.id)
        .where(
            Consent.user_id == CampaignDelivery.user_id,
            Consent.topic == Campaign.topic,
            Consent.withdrawn_at.is_(None),
        )
        .exists()
    )
    rows = (
        await session.execute(
            select(
                CampaignDelivery.id,
                CampaignDelivery.campaign_id,
                User.id.label("user_id"),
                User.channel_user_id,
                User.language,
                User.last_seen_at,
                User.blocked_at,
                consented.label("consented"),
            )
            .join(User, User.id == CampaignDelivery.user_id)
            .join(Campaign, Campaign.id == CampaignDelivery.campaign_id)
            .where(*batch)
        )
    ).all()
    outbox_rows: list[dict[str, Any]] = []
    skipped: dict[str, list[int]] = {}
    # one rendering per campaign, language and window
    bodies: dict[tuple[int, str | None, bool], dict[str, Any] | str] = {}
    for row in rows:
        campaign = campaigns[row.campaign_id]
        if not row.consented:  # withdrawn since the audience was built
            skipped.setdefault("skipped_consent", []).append(row.id)
            continue
        if row.blocked_at is not None:
            skipped.setdefault("skipped_blocked", []).append(row.id)
            continue
        window = in_window(row.last_seen_at, now)
        key = (campaign.id, row.language, window)
        if key not in bodies:
            outbound = render(campaign, channel=channel, language=row.language, in_window=window)
            bodies[key] = outbound if isinstance(outbound, str) else outbound.to_dict()
        body = bodies[key]
        if isinstance(body, str):
            skipped.setdefault(body, []).append(row.id)
            continue
        outbox_rows.append(
            {
                "user_id": row.user_id,
                "channel": channel,
                "recipient": row.channel_user_id,
                "body": body,
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "idempotency_key": f"campaign:{campaign.id}:{row.user_id}",
                "priority": CAMPAIGN_PRIORITY,
            }
        )
    for status, ids in skipped.items():
        await session.execute(
            update(CampaignDelivery).where(CampaignDelivery.id.in_(ids)).values(status=status)
        )
    if outbox_rows:
        outbox = OutboxItem.__table__
        await session.execute(  # RETURNING: one multi-row INSERT rather than one per row
            _insert(session, outbox)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])  # never expected
            .returning(outbox.c.id),
            outbox_rows,
        )
        await session.execute(
            update(CampaignDelivery)
            .where(*batch)
            .values(status="outboxed", fed_at=spent_until, outbox_id=_outbox_row_of_delivery())
        )
    return len(outbox_rows)


def _outbox_row_of_delivery() -> ScalarSelect[int]:
    """The outbox row a delivery became, found by its idempotency key (a unique index)."""
    key = (
        "campaign:"
        + cast(CampaignDelivery.campaign_id, String)
        + ":"
        + cast(CampaignDelivery.user_id, String)
    )
    return select(OutboxItem.id).where(OutboxItem.idempotency_key == key).scalar_subquery()


async def read_outcomes(session: AsyncSession) -> int:
    """Deliveries whose outbox row is done take its outcome; a permanent refusal marks the
    user (nothing more is sent to them until they write again)."""
    done = (
        await session.execute(
            select(
                CampaignDelivery.id,
                CampaignDelivery.user_id,
                OutboxItem.status,
                OutboxItem.sent_at,
                OutboxItem.last_error,
            )
            .join(OutboxItem, OutboxItem.id == CampaignDelivery.outbox_id)
            .where(CampaignDelivery.status == "outboxed", OutboxItem.status.in_(("sent", "failed")))
            .limit(SYNC_BATCH)
        )
    ).all()
    if not done:
        return 0
    refused = {row.user_id for row in done if _refused(row.status, row.last_error)}
    await session.execute(
        update(CampaignDelivery),
        [
            {
                "id": row.id,
                "status": "blocked" if row.user_id in refused else row.status,
                "sent_at": row.sent_at,
            }
            for row in done
        ],
    )
    if refused:
        await session.execute(
            update(User)
            .where(User.id.in_(refused), User.blocked_at.is_(None))
            .values(blocked_at=utcnow())
        )
    return len(done)


def _refused(status: str, error: str | None) -> bool:
    """The outbox's own classification: a permanent error is written "permanent: …"."""
    return status == "failed" and (error or "").startswith("permanent:")


async def finish_done(session: AsyncSession) -> None:
    waiting = exists().where(
        CampaignDelivery.campaign_id == Campaign.id,
        CampaignDelivery.status.in_(("queued", "outboxed")),
    )
    await session.execute(
        update(Campaign)
        .where(Campaign.status == "sending", ~waiting)
        .values(status="done", finished_at=utcnow())
    )
