"""Engine, sessions and migrations for SQLite (default) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.store import schema, sqlite_inline

MIGRATIONS = Path(__file__).parent / "migrations"


# No pre-ping: asyncpg's costs three round trips (BEGIN, ";", ROLLBACK) at every checkout,
# as many as half a turn. A connection the server dropped fails its first statement
# instead; SQLAlchemy then discards every pooled connection at once, the webhook answers
# 503 and the channel redelivers (tests/test_store_reconnect.py). Connections are renewed
# every few minutes, before a firewall's idle timeout cuts them silently.
POSTGRESQL_POOL = {"pool_pre_ping": False, "pool_recycle": 300}


class StoreUnavailable(Exception):
    """The database cannot be opened or written; the message says what to do."""


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        sqlite = make_url(url).get_backend_name() == "sqlite"
        self.engine: AsyncEngine = create_async_engine(
            url,
            # statements on the loop's thread, not aiosqlite's (see sqlite_inline.py)
            **(
                {"async_creator": sqlite_inline.creator(make_url(url).database or "")}
                if sqlite
                else POSTGRESQL_POOL
            ),
        )
        # the engine the transactions' statements go through (for events: counting them)
        self.sync_engine: Engine = self.engine.sync_engine
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", sqlite_inline.begin_immediate)
            self.sync_engine = sqlite_inline.sync_engine(make_url(url).database or "")
            event.listen(self.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.sync_engine, "begin", sqlite_inline.begin_immediate_at_once)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # the same pool, each statement its own transaction: no BEGIN and COMMIT round trips
        self._autocommit_sessions = async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )
        self._one_writer = _OneWriter()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        if not self.is_sqlite:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._one_writer.turn():
            session = sqlite_inline.InlineSession(self.sync_engine)
            try:
                yield session
                await session.commit()
            except BaseException:
                session.sync_session.rollback()
                raise
            finally:
                session.sync_session.close()

    @asynccontextmanager
    async def each_statement_alone(self) -> AsyncIterator[AsyncSession]:
        """A session whose statements commit one by one, for work where each statement is
        whole by itself (claiming rows, marking them sent). On PostgreSQL this spares the
        BEGIN and COMMIT round trips; SQLite's writes take the one-writer turn anyway."""
        if self.is_sqlite:
            async with self.transaction() as session:
                yield session
            return
        async with self._autocommit_sessions() as session:
            yield session

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (creates every table on an empty database);
        one process at a time, the others wait and then find nothing to do."""
        self._prepare_sqlite_file()
        try:
            async with schema.migration_lock(self.engine) as connection:
                await connection.run_sync(_upgrade_to_head)
                if self.is_sqlite:  # fail now, not at the first message, on a read-only file
                    await connection.execute(text("PRAGMA user_version = 1"))
        except (DBAPIError, OSError, sqlite3.Error) as error:  # asyncpg's refusals are OSError
            raise StoreUnavailable(_explain(self.url, error)) from None

    async def wait_for_schema(self, timeout: float) -> None:
        """Wait until another process (`fadaa migrate`) has brought the schema to head."""
        await schema.wait_for_schema(self.engine, MIGRATIONS, timeout)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (DBAPIError, OSError):
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.is_sqlite:  # the sessions' own engine (see sqlite_inline.InlineSession)
            self.sync_engine.dispose()

    def _prepare_sqlite_file(self) -> None:
        path = self.engine.url.database
        if not self.is_sqlite or not path or path == ":memory:":
            return
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(
                f"cannot create the data directory {Path(path).parent}: {error.strerror}. "
                "Set FADAA_DATA_DIR to a writable folder."
            ) from None


class _OneWriter:
    """SQLite lets one transaction write at a time. Within a process, transactions wait
    for their turn here, first come first served, instead of in SQLite's busy handler,
    which sleeps and retries and woke writers late (webhook p95 665 ms, and "database is
    locked" after 5 s, with 16 updates in flight). Other processes still meet the busy
    timeout. A task already inside a transaction goes through (a nested transaction)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            yield
            return
        async with self._lock:
            self._holder = task
            try:
                yield
            finally:
                self._holder = None


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # The driver's own deferred BEGIN is turned off: see sqlite_inline.begin_immediate.
    if dbapi_connection.isolation_level is not None:  # inline connections open without it
        dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Several processes (web + workers) may share the file: a new file turns to WAL once.
    cursor.execute(f"PRAGMA busy_timeout={int(sqlite_inline.LOCK_PATIENCE * 1000)}")
    # WAL with NORMAL sync: commits survive a process crash without an fsync each time.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # From here on SQLite never blocks the event loop on a lock for long: a transaction
    # waits for another process's write lock in asyncio sleeps (sqlite_inline.py).
    cursor.execute(f"PRAGMA busy_timeout={sqlite_inline.BUSY_TIMEOUT_MS}")
    cursor.close()


def _explain(url: str, error: Exception) -> str:
    reason = str(getattr(error, "orig", error)).strip()
    if "sqlite" in url:
        return (
            f"the database file cannot be used ({reason}). Check that FADAA_DATA_DIR is "
            "writable and that the file is a Fadaa SQLite database; move a damaged file aside "
            "and a new one will be created."
        )
    return f"the database cannot be reached ({reason}). Check FADAA_DATABASE_URL."
