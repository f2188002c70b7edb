"""Reminder rules, due-time computation and dispatch.

Reminders are rows in our database (the source of truth). Each worker runs an in-memory
APScheduler tick that claims due rows atomically (FOR UPDATE SKIP LOCKED on PostgreSQL; an
UPDATE … RETURNING claim on SQLite), queues the message in the outbox with the reminder id
as idempotency key, and marks the row sent, all in one short transaction: a worker that
dies in the middle leaves nothing claimed (the transaction is rolled back), so no reminder
waits for a lease. Rows left in 'sending' by older versions return after the lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select

from bot.clock import utcnow
from bot.i18n import _, use_language
from bot.messages import Outbound
from bot.reminder_rules import (
    TZDATA_VERSION,
    DispatchPolicy,
    due_utc,
    new_reminder,
    next_occurrence,
)
from bot.store import repo
from bot.store.database import Database
from bot.store.locks import only_one
from bot.store.models import Reminder, User
from bot.tasks import settle

log = logging.getLogger(__name__)


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
        claimed = await repo.claim_reminders(session, now=now, limit=policy.batch, worker=worker)
        if not claimed:
            return 0
        rows = (
            await session.execute(
                select(Reminder, User)
                .join(User, User.id == Reminder.user_id)
                .where(Reminder.id.in_(claimed), Reminder.status == "sending")
            )
        ).all()
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
        await repo.finish_reminders(
            session,
            now=now,
            sent=[reminder.id for reminder, _user, message in messages if message],
            skipped=[reminder.id for reminder, _user, message in messages if not message],
        )
        session.add_all(
            [
                new_reminder(
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
    return len(claimed)


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
        return await repo.release_reminder_claims(session, older_than=lease, now=now)


async def recompute_due_times(db: Database) -> int:
    """After a tzdata upgrade, pending reminders keep their wall time; their UTC instant moves."""
    async with db.transaction() as session:
        if not await only_one(session, "recompute-due-times"):
            return 0  # processes starting together: one of them does it
        stale = (
            await session.scalars(
                select(Reminder).where(
                    Reminder.status == "pending", Reminder.tzdata_version != TZDATA_VERSION
                )
            )
        ).all()
        for reminder in stale:
            reminder.due_at = due_utc(reminder.local_time, reminder.zone)
            reminder.tzdata_version = TZDATA_VERSION
    return len(stale)


class Ticker:
    """An in-memory APScheduler interval job in this worker; the database decides who
    sends what, so any number of workers may tick at once."""

    def __init__(
        self,
        db: Database,
        *,
        worker: str,
        policy: DispatchPolicy,
        seconds: float,
        after_dispatch: Callable[[], None],
        retention: timedelta | None = None,
        every_minute: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.db, self.worker, self.policy = db, worker, policy
        self.after_dispatch = after_dispatch
        self._running: set[asyncio.Task[None]] = set()
        self._stopped = False
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        jobs = [(self._tick, {"seconds": seconds, "next_run_time": datetime.now(UTC)})]
        if retention:
            jobs.append((partial(self._purge, retention), {"hours": 1}))
        if every_minute:
            jobs.append((every_minute, {"minutes": 1}))
        for job, when in jobs:
            self.scheduler.add_job(
                self._guarded, "interval", args=[job], max_instances=1, coalesce=True, **when
            )

    def start(self) -> Ticker:
        self.scheduler.start()
        return self

    async def stop(self) -> None:
        """No new job starts; running ones finish their current step (or are cancelled
        after a grace period) before the database closes."""
        self._stopped = True
        self.scheduler.shutdown(wait=False)
        await settle(list(self._running))

    async def _guarded(self, job: Callable[[], Awaitable[object]]) -> None:
        """Every job runs here: tracked, so stop() can wait for it; a job the scheduler
        handed over just before stop() does nothing."""
        if self._stopped:
            return
        task = asyncio.current_task()
        self._running.add(task)
        try:
            await job()
        except asyncio.CancelledError:
            return  # the worker is stopping; claimed rows return after their lease
        except Exception:  # noqa: BLE001 — the next run tries again; the rows are the truth
            log.exception("scheduled job failed")
        finally:
            self._running.discard(task)

    async def _purge(self, retention: timedelta) -> None:
        async with self.db.transaction() as session:
            if not await only_one(session, "retention-purge"):
                return
            removed = await repo.purge_messages(session, older_than=retention)
        log.info("retention: %d old messages removed", removed)

    async def _tick(self) -> None:
        await recover_claims(self.db, lease=self.policy.lease)
        while not self._stopped and await dispatch_due(
            self.db, worker=self.worker, policy=self.policy
        ):
            self.after_dispatch()
