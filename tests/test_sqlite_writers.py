"""Several processes on one SQLite file: a writer waits for the one before it, even a slow
one, instead of failing with "database is locked" (issue #19)."""

import asyncio
import os

import pytest
from sqlalchemy import func, select

from bot.clock import utcnow
from bot.store.database import Database
from bot.store.models import User

SQLITE = not os.environ.get("FADAA_TEST_DATABASE_URL")


async def add_user(session, name: str) -> None:
    now = utcnow()
    session.add(User(channel="telegram", channel_user_id=name, created_at=now, last_seen_at=now))


@pytest.mark.skipif(not SQLITE, reason="SQLite's locking only")
async def test_a_second_process_waits_for_a_slow_writer_instead_of_failing(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite'}"
    first, second = Database(url), Database(url)  # two processes' connection pools
    await first.migrate()
    writing = asyncio.Event()

    async def slow_writer() -> None:
        async with first.transaction() as session:
            await session.scalar(select(func.count()).select_from(User))
            await add_user(session, "slow")
            await session.flush()
            writing.set()
            await asyncio.sleep(5.5)  # longer than the busy timeout used to be

    async def other_process() -> None:
        await writing.wait()
        async with second.transaction() as session:
            await session.scalar(select(func.count()).select_from(User))
            await add_user(session, "other")

    try:
        await asyncio.wait_for(asyncio.gather(slow_writer(), other_process()), timeout=30)
        async with first.transaction() as session:
            assert await session.scalar(select(func.count()).select_from(User)) == 2
    finally:
        await first.dispose()
        await second.dispose()
