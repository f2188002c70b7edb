"""The reminder rows: created, listed, changed by a flow's effects, claimed and finished by
the dispatch. Keyword-only, session first, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.effects import CancelReminder, CreateReminder, ReminderEffect, ReminderView
from bot.reminders.rules import TZDATA_VERSION, due_utc
from bot.store.models import Reminder, User
from bot.store.repo import release_claims


def new_reminder(
    *, user_id: int, text: str, local: datetime, zone: str, recurrence: str | None
) -> Reminder:
    return Reminder(
        user_id=user_id,
        text=text[:500],
        local_time=local,
        zone=zone,
        due_at=due_utc(local, zone),
        recurrence=recurrence,
        status="pending",
        attempts=0,
        tzdata_version=TZDATA_VERSION,
        created_at=utcnow(),
    )


async def pending_reminders(session: AsyncSession, *, user: User) -> list[ReminderView]:
    rows = await session.scalars(
        select(Reminder)
        .where(Reminder.user_id == user.id, Reminder.status == "pending")
        .order_by(Reminder.due_at)
        .limit(20)
    )
    return [ReminderView(r.id, r.text, r.local_time, r.recurrence) for r in rows]


async def apply_effects(
    session: AsyncSession, *, user: User, effects: Sequence[ReminderEffect]
) -> None:
    """Reminder changes a flow decided, in the same transaction as its state."""
    for effect in effects:
        if isinstance(effect, CreateReminder):
            session.add(
                new_reminder(
                    user_id=user.id,
                    text=effect.text,
                    local=effect.local,
                    zone=effect.zone,
                    recurrence=effect.recurrence,
                )
            )
            continue
        reminder = await session.get(Reminder, effect.reminder_id)
        if reminder is None or reminder.user_id != user.id or reminder.status != "pending":
            continue
        if isinstance(effect, CancelReminder):
            reminder.status = "cancelled"
        else:
            reminder.local_time = effect.local
            reminder.due_at = due_utc(effect.local, reminder.zone)


async def claim_reminders(
    session: AsyncSession, *, now: datetime, limit: int, worker: str
) -> list[tuple[Reminder, User]]:
    """Atomically take up to `limit` due reminders for this worker (others skip them);
    with their users."""
    due = (
        select(Reminder.id)
        .where(Reminder.status == "pending", Reminder.due_at <= now)
        .order_by(Reminder.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = (
        await session.scalars(
            update(Reminder)
            .where(Reminder.id.in_(due))
            .values(
                status="sending", locked_by=worker, claimed_at=now, attempts=Reminder.attempts + 1
            )
            .returning(Reminder.id)
        )
    ).all()
    if not claimed:
        return []
    rows = await session.execute(
        select(Reminder, User)
        .join(User, User.id == Reminder.user_id)
        .where(Reminder.id.in_(claimed), Reminder.status == "sending")
    )
    return [(reminder, user) for reminder, user in rows.all()]


async def release_reminder_claims(
    session: AsyncSession, *, older_than: timedelta, now: datetime | None = None
) -> int:
    """Give back reminders a crashed worker claimed but never queued."""
    return await release_claims(session, Reminder, older_than, now)


async def finish_reminders(
    session: AsyncSession, *, sent: Sequence[int], skipped: Sequence[int], now: datetime
) -> None:
    for status, ids in (("sent", sent), ("skipped", skipped)):
        if ids:
            await session.execute(
                update(Reminder).where(Reminder.id.in_(ids)).values(status=status, sent_at=now)
            )


async def stale_due_times(session: AsyncSession) -> Sequence[Reminder]:
    """Pending reminders whose UTC instant an older tzdata computed."""
    return (
        await session.scalars(
            select(Reminder).where(
                Reminder.status == "pending", Reminder.tzdata_version != TZDATA_VERSION
            )
        )
    ).all()
