"""Every background job a worker runs, and the timer that runs them.

The jobs are listed in `background_jobs`: adding one is one `Job(...)` entry there. Each is
an in-memory APScheduler interval job in this process; the database decides who does what
(rows claimed with SKIP LOCKED, whole-table sweeps guarded by `only_one`), so any number
of workers may run the same jobs at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.campaigns.dispatch import sender_for as campaign_sender_for
from bot.config import Settings
from bot.engine import Engine
from bot.handoff import attachments
from bot.messages import Attachment
from bot.reminders import dispatch as reminders
from bot.store import repo
from bot.store.database import Database
from bot.store.locks import only_one
from bot.tasks import settle

log = logging.getLogger(__name__)


class _BusyTicksAreSkipped(logging.Filter):
    """A tick that finds the job's previous run still busy is skipped by design (one run at
    a time per job); the timer would log a warning for each, several a second under load."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


_timer_log = logging.getLogger("bot.scheduler.timer")
_timer_log.addFilter(_BusyTicksAreSkipped())


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], Awaitable[object]]
    at_start: bool = False  # first run now rather than after one period


def background_jobs(settings: Settings, engine: Engine, scheduler: Scheduler) -> list[Job]:
    """What runs in the background, whichever process (web service, worker, chat) runs it."""
    db, retention = engine.db, timedelta(days=settings.message_retention_days)
    reminder_tick = partial(
        reminders.tick,
        db,
        worker=settings.worker_id,
        policy=settings.dispatch_policy(),
        queued=scheduler.queued,
        stopping=scheduler.stopping,
    )
    tick = timedelta(seconds=settings.reminder_tick_seconds)
    campaigns = campaign_sender_for(settings, db, scheduler.queued)
    return [
        Job("reminders", tick, reminder_tick, at_start=True),
        Job(
            "retention-purge",
            timedelta(hours=1),
            partial(purge_old_data, db, settings.data_dir, retention),
        ),
        Job("handoff-sweep", timedelta(minutes=1), engine.sweep_handoffs),
        Job("campaigns", timedelta(seconds=settings.campaign_tick_seconds), campaigns.round),
    ]


def scheduler_for(
    settings: Settings, engine: Engine, after_dispatch: Callable[[], None]
) -> Scheduler:
    """A scheduler with every background job, not started; `after_dispatch` is told when
    a job has queued messages (the outbox worker's poke)."""
    scheduler = Scheduler(after_dispatch)
    scheduler.add(background_jobs(settings, engine, scheduler))
    return scheduler


async def purge_old_data(db: Database, data_dir: Path, older_than: timedelta) -> int:
    """Retention: forget messages, delivered outbox rows, flow steps and closed handoffs
    (with the files advisors sent in them) older than the period; returns the messages."""
    async with db.transaction() as session:
        if not await only_one(session, "retention-purge"):
            return 0
        removed = await repo.purge_messages(session, older_than=older_than)
        files = await repo.purge_handoffs(session, older_than=older_than)
    for file in files:  # after the commit: a failed purge keeps what its rows point to
        attachments.discard(data_dir, Attachment(**file))
    log.info("retention: %d old messages and %d advisors' files removed", removed, len(files))
    return removed


class Scheduler:
    """In-memory interval jobs in this process; a failing run is logged and the next one
    tries again, and stop() waits for the runs in progress."""

    def __init__(self, after_dispatch: Callable[[], None] = lambda: None) -> None:
        self.after_dispatch = after_dispatch
        self._running: set[asyncio.Task[object]] = set()
        self._stopped = False
        self._timer = AsyncIOScheduler(timezone=UTC, logger=_timer_log)

    def add(self, jobs: Iterable[Job]) -> None:
        for job in jobs:
            first = {"next_run_time": datetime.now(UTC)} if job.at_start else {}
            self._timer.add_job(
                self._guarded,
                "interval",
                args=[job],
                id=job.name,
                seconds=job.every.total_seconds(),
                max_instances=1,
                coalesce=True,
                **first,
            )

    def queued(self) -> None:
        """A job queued messages: tell whoever delivers them."""
        self.after_dispatch()

    def stopping(self) -> bool:
        return self._stopped

    def start(self) -> Scheduler:
        self._timer.start()
        return self

    async def stop(self) -> None:
        """No new run starts; running ones finish their current step (or are cancelled
        after a grace period) before the database closes."""
        self._stopped = True
        if self._timer.running:
            self._timer.shutdown(wait=False)
        await settle(list(self._running))

    async def _guarded(self, job: Job) -> None:
        """Every run goes through here: tracked, so stop() can wait for it; a run the timer
        handed over just before stop() does nothing."""
        if self._stopped:
            return
        task = asyncio.current_task()
        assert task is not None  # called by the timer, always inside a task
        self._running.add(task)
        try:
            await job.run()
        except asyncio.CancelledError:
            return  # the worker is stopping; claimed rows return after their lease
        except Exception:  # noqa: BLE001 — the next run tries again; the rows are the truth
            log.exception("background job %s failed", job.name)
        finally:
            self._running.discard(task)
