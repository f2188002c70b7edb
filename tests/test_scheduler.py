"""The background jobs every worker runs, listed in one place (bot/scheduler.py)."""

import asyncio
import logging
from datetime import timedelta

from bot.scheduler import Job, Scheduler, background_jobs


def test_every_background_job_is_listed_in_one_place_reminders_first(engine):
    jobs = background_jobs(engine.settings, engine, Scheduler())
    names = ["reminders", "retention-purge", "handoff-sweep", "campaigns"]
    assert [job.name for job in jobs] == names
    assert [job.at_start for job in jobs] == [True, False, False, False]


async def test_a_failing_job_is_logged_and_the_others_keep_running(caplog):
    runs: list[str] = []

    async def broken() -> None:
        raise RuntimeError("the database went away")

    async def counted() -> None:
        runs.append("ran")

    every = timedelta(seconds=0.05)
    scheduler = Scheduler()
    scheduler.add([Job("broken", every, broken, at_start=True), Job("counted", every, counted)])
    scheduler.start()
    await asyncio.sleep(0.4)
    await scheduler.stop()
    assert len(runs) >= 2
    assert "background job broken failed" in caplog.text


async def test_a_stopped_scheduler_starts_no_new_run():
    runs: list[str] = []

    async def counted() -> None:
        runs.append("ran")

    scheduler = Scheduler()
    scheduler.add([Job("counted", timedelta(seconds=0.05), counted, at_start=True)])
    scheduler.start()
    await asyncio.sleep(0.2)
    await scheduler.stop()
    seen = len(runs)
    await asyncio.sleep(0.2)
    assert seen >= 1 and len(runs) == seen


async def test_a_job_slower_than_its_period_runs_once_at_a_time_without_warnings(caplog):
    running, overlaps = 0, 0

    async def slow() -> None:
        nonlocal running, overlaps
        running += 1
        overlaps += running > 1
        await asyncio.sleep(0.15)
        running -= 1

    scheduler = Scheduler()
    scheduler.add([Job("campaigns", timedelta(seconds=0.02), slow, at_start=True)])
    scheduler.start()
    await asyncio.sleep(0.5)
    await scheduler.stop()
    assert overlaps == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
