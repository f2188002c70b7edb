"""What one SQL statement costs on the webhook's path, layer by layer, on SQLite.

    python -m bench.statement_cost [--times 5000]

The same indexed one-row SELECT, inside one open transaction, through: the sqlite3
driver alone; SQLAlchemy Core on a plain (sync) Connection; Core on an AsyncConnection
(the greenlet hand-offs of the async adaptation); the ORM's AsyncSession (as the turn
runs it); and a sync ORM Session inside run_sync. The gap between the first line
and the others is what a statement costs beyond SQLite's own work: a text update's turn
runs six of them. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import Select, create_engine, select
from sqlalchemy.orm import Session

from bot.store.database import Database
from bot.store.models import User


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=5000)
    times = parser.parse_args().times
    db = Database(f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'cost.sqlite'}")
    await db.migrate()
    query = select(User.id).where(User.id == 1)
    print(f"one indexed SELECT, {times} times, microseconds each")
    async with db.transaction() as session:
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection._conn

        async def raw() -> None:
            driver.execute("SELECT id FROM users WHERE id = ?", (1,)).fetchall()

        async def core() -> None:
            (await connection.execute(query)).all()

        async def orm() -> None:
            (await session.execute(query)).all()

        def sync_orm(sync_session: Session) -> float:
            started = time.perf_counter()
            for _ in range(times):
                sync_session.execute(query).all()
            return time.perf_counter() - started

        for name, statement in (
            ("sqlite3 driver alone", raw),
            ("SQLAlchemy Core, AsyncConnection", core),
            ("SQLAlchemy ORM, AsyncSession", orm),
        ):
            print(f"| {name:34} | {await _each(statement, times):7.1f} |")
        sync_seconds = await session.run_sync(sync_orm)
        print(f"| {'SQLAlchemy ORM, Session in run_sync':34} | {sync_seconds / times * 1e6:7.1f} |")
    print(f"| {'SQLAlchemy Core, sync Connection':34} | {_sync_core(db, query, times):7.1f} |")
    await db.dispose()


def _sync_core(db: Database, query: Select[tuple[int]], times: int) -> float:
    engine = create_engine(db.engine.url.set(drivername="sqlite"))
    with engine.begin() as connection:
        for _ in range(times // 10):
            connection.execute(query).all()
        started = time.perf_counter()
        for _ in range(times):
            connection.execute(query).all()
    engine.dispose()
    return (time.perf_counter() - started) / times * 1e6


async def _each(statement: Callable[[], Awaitable[None]], times: int) -> float:
    for _ in range(times // 10):  # warm: compiled-statement cache, pool
        await statement()
    started = time.perf_counter()
    for _ in range(times):
        await statement()
    return (time.perf_counter() - started) / times * 1e6


if __name__ == "__main__":
    asyncio.run(main())
