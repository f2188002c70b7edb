"""Several processes on one SQLite file: a writer waits for the one before it, even a slow
one, instead of failing with "database is locked" (issue #19); and the transactions' own
session, which runs on the loop's thread without greenlets (issue #20)."""

import asyncio
import os

import greenlet
import pytest
from sqlalchemy import event, func, select

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


@pytest.mark.skipif(not SQLITE, reason="SQLite's sessions only")
async def test_a_transactions_statements_run_in_the_calling_coroutine_without_a_greenlet(db):
    seen_in: list[object] = []

    def seen(*_args: object) -> None:
        seen_in.append(greenlet.getcurrent())

    event.listen(db.sync_engine, "before_cursor_execute", seen)
    try:
        async with db.transaction() as session:
            await add_user(session, "inline")
            await session.scalar(select(func.count()).select_from(User))
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", seen)
    assert seen_in and set(seen_in) == {greenlet.getcurrent()}


@pytest.mark.skipif(not SQLITE, reason="SQLite's locking only")
async def test_a_transaction_takes_the_write_lock_only_at_its_first_statement(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite'}"
    first, second = Database(url), Database(url)
    await first.migrate()
    try:
        async with first.transaction() as idle:  # opened, nothing asked yet
            async with second.transaction() as session:
                await add_user(session, "meanwhile")
            assert await idle.scalar(select(func.count()).select_from(User)) == 1
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_transaction_that_fails_leaves_nothing_written(db):
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await add_user(session, "half")
            await session.flush()
            raise RuntimeError("the turn failed")
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
