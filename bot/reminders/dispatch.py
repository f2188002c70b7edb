"""Reminder dispatch: claim what is due, queue the messages, recover, recompute.

Reminders are rows in our database (the source of truth). Each worker's reminder tick (a
job of `bot/scheduler.py`) claims due rows atomically (FOR UPDATE SKIP LOCKED on
PostgreSQL; an UPDATE … RETURNING claim on SQLite), queues the message in the outbox with
the reminder id as idempotency key, and marks the row sent, all in one short transaction:
a worker that dies in the middle leaves nothing claimed (the transaction is rolled back),
so no reminder waits for a lease. Rows left in 'sending' by older versions return after
the lease.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.i18n import _, use_language
from bot.messages import Outbound
from bot.reminders import queries
from bot.reminders.rules import TZDATA_VERSION, DispatchPolicy, due_utc, next_occurrence
from bot.store import repo
from bot.store.database import Database
from bot.store.locks import only_one
from bot.store.models import Reminder, User


async def dispatch_due(
    db: Database,
    *,
    worker: str,
    policy: DispatchPolicy = DispatchPolicy(),  # noqa: B008
    now: datetime | None = None,
) -> int:
    """Claim what is due, queue the messages, mark the rows, in one transaction; returns
    how many were claimed."""
    now = now or utcnow()
    async with db.transaction() as session:
        rows = await queries.claim_reminders(session, now=now, limit=policy.batch, worker=worker)
        if not rows:
            return 0
        messages = [
            (reminder, user, _message(reminder, user, now, policy)) for reminder, user in rows
        ]
        await repo.enqueue_many(
            session,
            [
                (user, [message], f"reminder:{reminder.id}")
                for reminder, user, message in messages
                if message
            ],
        )
        await queries.finish_reminders(
            session,
            now=now,
            sent=[reminder.id for reminder, _user, message in messages if message],
            skipped=[reminder.id for reminder, _user, message in messages if not message],
        )
        session.add_all(
            [
                queries.new_reminder(
                    user_id=reminder.user_id,
                    text=reminder.text,
                    zone=reminder.zone,
                    local=next_occurrence(reminder.local_time, reminder.recurrence),
                    recurrence=reminder.recurrence,
                )
                for reminder, _user in rows
                if reminder.recurrence
            ]
        )
    return len(rows)


def _message(
    reminder: Reminder, user: User, now: datetime, policy: DispatchPolicy
) -> Outbound | None:
    """The reminder as the user will read it; None when it must not be sent."""
    late = now - reminder.due_at > policy.late_after
    if user.blocked_at is not None or (late and policy.skip_late):
        return None
    with use_language(user.language or "ary"):
        text = _("⏰ Reminder: {text}").format(text=reminder.text)
        if late:
            text += "\n" + _("(Sent late: the service was unavailable at the planned time.)")
    return Outbound(text)


async def recover_claims(db: Database, *, lease: timedelta, now: datetime | None = None) -> int:
    async with db.transaction() as session:
        return await queries.release_reminder_claims(session, older_than=lease, now=now)


async def recompute_due_times(db: Database) -> int:
    """After a tzdata upgrade, pending reminders keep their wall time; their UTC instant moves."""
    async with db.transaction() as session:
        if not await only_one(session, "recompute-due-times"):
            return 0  # processes starting together: one of them does it
        stale = await queries.stale_due_times(session)
        for reminder in stale:
            reminder.due_at = due_utc(reminder.local_time, reminder.zone)
            reminder.tzdata_version = TZDATA_VERSION
    return len(stale)


async def tick(
    db: Database,
    *,
    worker: str,
    policy: DispatchPolicy,
    queued: Callable[[], None],
    stopping: Callable[[], bool],
) -> None:
    """One round of the reminder job: take back abandoned claims, then dispatch batches
    until nothing is due (or the worker stops), telling `queued` after each one."""
    await recover_claims(db, lease=policy.lease)
    while not stopping() and await dispatch_due(db, worker=worker, policy=policy):
        queued()
