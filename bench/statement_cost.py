"""What one SQL statement, and one transaction, cost on the webhook's path, on SQLite.

    python -m bench.statement_cost [--times 5000]

The same indexed one-row SELECT, inside one open transaction, through: the sqlite3
driver alone; SQLAlchemy Core on a plain (sync) Connection; Core on an AsyncConnection
(the greenlet hand-offs of the async adaptation); the ORM's AsyncSession on the async
engine; and the session the transactions use (`Database.transaction()`, an InlineSession:
the ORM Session called directly on a plain sqlite3 engine). Then a whole transaction with
that one statement, both ways, against the driver's BEGIN IMMEDIATE … COMMIT. The gap
between the driver's line and the others is what the layers cost beyond SQLite's own
work: a text update's turn runs six statements in one transaction. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import select

from bot.store.database import Database
from bot.store.models import User

QUERY = select(User.id).where(User.id == 1)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=5000)
    times = parser.parse_args().times
    db = Database(f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'cost.sqlite'}")
    await db.migrate()
    print(f"one indexed SELECT, {times} times, microseconds each")
    async with db.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection._conn

        async def raw() -> None:
            driver.execute("SELECT id FROM users WHERE id = ?", (1,)).fetchall()

        async def core() -> None:
            (await connection.execute(QUERY)).all()

        await _row("sqlite3 driver alone", raw, times)
        await _row("SQLAlchemy Core, AsyncConnection", core, times)
    async with db.sessions() as session:

        async def greenlet_orm() -> None:
            (await session.execute(QUERY)).all()

        await _row("SQLAlchemy ORM, AsyncSession", greenlet_orm, times)
    async with db.transaction() as session:

        async def inline_orm() -> None:
            (await session.execute(QUERY)).all()

        await _row("ORM, the transactions' session", inline_orm, times)
    with db.sync_engine.connect() as sync_connection:

        async def sync_core() -> None:
            sync_connection.execute(QUERY).all()

        await _row("SQLAlchemy Core, sync Connection", sync_core, times)
    await _transactions(db, driver_path=db.engine.url.database or "", times=times // 5)
    await db.dispose()


async def _transactions(db: Database, *, driver_path: str, times: int) -> None:
    print(f"a transaction with that SELECT, {times} times, microseconds each")

    async def inline() -> None:
        async with db.transaction() as session:
            (await session.execute(QUERY)).all()

    async def greenlets() -> None:
        async with db.sessions() as session, session.begin():
            (await session.execute(QUERY)).all()

    driver = sqlite3.connect(driver_path, isolation_level=None)

    async def raw() -> None:
        driver.execute("BEGIN IMMEDIATE")
        driver.execute("SELECT id FROM users WHERE id = ?", (1,)).fetchall()
        driver.execute("COMMIT")

    await _row("sqlite3 driver alone", raw, times)
    await _row("db.transaction() (InlineSession)", inline, times)
    await _row("AsyncSession on the async engine", greenlets, times)
    driver.close()


async def _row(name: str, statement: Callable[[], Awaitable[None]], times: int) -> None:
    print(f"| {name:34} | {await _each(statement, times):7.1f} |")


async def _each(statement: Callable[[], Awaitable[None]], times: int) -> float:
    for _ in range(times // 10):  # warm: compiled-statement cache, pool
        await statement()
    started = time.perf_counter()
    for _ in range(times):
        await statement()
    return (time.perf_counter() - started) / times * 1e6


if __name__ == "__main__":
    asyncio.run(main())
