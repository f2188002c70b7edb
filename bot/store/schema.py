"""The schema's revision: upgraded by one process at a time, awaited by the others.

Processes started together on an empty database used to run the migrations side by side
and fail on each other's half-created tables. Now the upgrade runs under a lock (a
PostgreSQL advisory lock held for the migration's transaction, a lock file next to a SQLite
database); whoever gets it second finds the schema at head and has nothing to do.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]  # no file locks: one process at a time

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Any fixed 64-bit number; every Fadaa process migrating the same database takes this one.
MIGRATION_LOCK_KEY = 0x46414441414D4947  # "FADAAMIG"
SCHEMA_POLL_SECONDS = 1.0


@asynccontextmanager
async def migration_lock(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that no other migrator holds at the same time."""
    if engine.dialect.name == "sqlite":
        async with _sqlite_lock(engine), engine.begin() as connection:
            yield connection
        return
    async with engine.begin() as connection:
        # released by the commit (or rollback) that ends this transaction
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_ID}
        )
        yield connection


@asynccontextmanager
async def _sqlite_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """An exclusive lock on `<database>.migrate.lock`, for processes (flock) and for
    tasks of this process (flock is per open file, so each holder opens its own)."""
    path = engine.url.database
    if not path or path == ":memory:" or fcntl is None:
        yield  # a private database, or a platform without flock: one migrator only
        return
    try:
        handle = open(f"{path}.migrate.lock", "a+b")  # noqa: SIM115 — closed below
    except OSError:
        # a read-only folder: nothing can be migrated there, and the database's own error
        # (explained by Database.migrate) is the useful message
        yield
        return
    with handle:
        # flock blocks; waiting in a thread keeps this process's event loop running
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _signed(key: int) -> int:
    """PostgreSQL's bigint is signed."""
    return key - (1 << 64) if key >= 1 << 63 else key


MIGRATION_LOCK_ID = _signed(MIGRATION_LOCK_KEY)


def head_revisions(script_location: Path) -> set[str]:
    return set(ScriptDirectory(str(script_location)).get_heads())


def current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def wait_for_schema(engine: AsyncEngine, script_location: Path, timeout: float) -> None:
    """Return once the database is at the newest revision (`fadaa migrate` ran); a
    database still starting or still migrating is waited for, up to `timeout` seconds."""
    wanted = head_revisions(script_location)
    deadline = time.monotonic() + timeout
    seen: set[str] | str = "nothing (not reachable yet)"
    while True:
        try:
            async with engine.connect() as connection:
                seen = await connection.run_sync(current_revisions)
            if seen == wanted:
                return
        except (DBAPIError, OSError):
            pass  # the database is starting, or a migrator holds its tables
        if time.monotonic() >= deadline:
            raise SchemaNotReady(
                f"the database schema is at {sorted(seen) if isinstance(seen, set) else seen}, "
                f"not {sorted(wanted)}, after waiting {timeout:.0f} s: run `fadaa migrate` "
                "(or set FADAA_MIGRATE_ON_START=true)"
            )
        await asyncio.sleep(SCHEMA_POLL_SECONDS)


class SchemaNotReady(Exception):
    """The schema did not reach the newest revision in time."""
