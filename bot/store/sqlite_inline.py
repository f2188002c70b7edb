"""SQLite without aiosqlite's thread: statements run on the event loop's own thread.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a thread of its own
and waits for the answer: about 9 thread hand-offs for a one-statement transaction, each
a wake-up and a GIL exchange. On this project's statements (an indexed row or two, a few
tens of microseconds in SQLite) the hand-offs cost far more than the work: measured here,
a one-statement transaction took 1.3 ms of CPU through the thread and 0.7 ms inline.

What could block the loop is a wait for another process's write lock. So no call waits
long: the busy timeout is a few milliseconds, and the one statement that waits for the
lock, every transaction's BEGIN IMMEDIATE (see database.py), retries with asyncio sleeps
until `LOCK_PATIENCE` runs out. Inside a transaction that holds the write lock, WAL lets
nothing else block: readers never do, and the automatic checkpoint is passive.

The sessions go one step further (`InlineSession`): their Session runs on a plain sqlite3
engine, called directly from the coroutine. An AsyncSession hands every call to a greenlet
and every driver call back to the loop (about 45 greenlet switches per webhook turn, each
copying the loop's deep stack). Measured with `python -m bench.statement_cost`: a
transaction with one indexed SELECT takes about 460 µs through an AsyncSession, 260 µs
through an InlineSession, and 8 µs in the sqlite3 driver alone.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Generator, Iterator
from functools import partial
from typing import Any, cast

import aiosqlite
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.util import await_

LOCK_PATIENCE = 30.0  # seconds a transaction waits for another process's write lock
BUSY_TIMEOUT_MS = 5  # the longest SQLite itself may block the loop on a lock
_FIRST_PAUSE, _LONGEST_PAUSE = 0.001, 0.05


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run at once, in the caller's thread."""

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InlineConnection]:  # no thread to start
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def creator(path: str) -> Any:
    """SQLAlchemy's `async_creator` for a database file (or ":memory:")."""

    async def connect() -> InlineConnection:
        connector = partial(sqlite3.connect, path, isolation_level=None, check_same_thread=False)
        return await InlineConnection(connector, iter_chunk_size=64)

    return connect


def begin_immediate(connection: Connection) -> None:
    """Every transaction takes SQLite's write lock when it starts. A deferred transaction
    that read first and writes later fails at once with "database is locked" when another
    process wrote in between (no busy timeout can help a stale snapshot); one that starts
    IMMEDIATE waits its turn: here in asyncio sleeps (the loop keeps serving), not in
    SQLite's busy handler (which would block it)."""
    raw = cast(InlineConnection, connection.connection.driver_connection)._conn
    pauses = _pauses()
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            pause = _pause_or_raise(pauses, error)
        await_(asyncio.sleep(pause))


def _pauses() -> Iterator[float]:
    """The waits between tries for the write lock, doubling, until LOCK_PATIENCE is spent."""
    deadline = time.monotonic() + LOCK_PATIENCE
    pause = _FIRST_PAUSE
    while time.monotonic() + pause <= deadline:
        yield pause
        pause = min(pause * 2, _LONGEST_PAUSE)


def _pause_or_raise(pauses: Iterator[float], error: Exception) -> float:
    """The next wait when another process holds the lock; the error once patience ran out,
    or at once for any other error."""
    pause = next(pauses, None) if "locked" in str(error) else None
    if pause is None:
        if isinstance(error, OperationalError):
            raise error
        raise OperationalError("BEGIN IMMEDIATE", None, error) from error
    return pause


def sync_engine(path: str) -> Engine:
    """The plain sqlite3 engine of the sessions (see InlineSession)."""
    return create_engine(
        f"sqlite+pysqlite:///{path}",
        connect_args={"check_same_thread": False, "isolation_level": None},
    )


def begin_immediate_at_once(connection: Connection) -> None:
    """The sessions' BEGIN IMMEDIATE (see begin_immediate): it fails after the few
    milliseconds of the busy timeout; InlineSession waits in asyncio sleeps and tries again."""
    raw = cast(sqlite3.Connection, connection.connection.driver_connection)
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise OperationalError("BEGIN IMMEDIATE", None, error) from error


class InlineSession(AsyncSession):
    """An AsyncSession whose everyday calls run its Session at once, on the loop's thread
    (its engine is a plain sqlite3 one). As with the async engine, the transaction takes
    SQLite's write lock at its first statement, waiting for another process's in asyncio
    sleeps. Other calls (refresh, merge, begin_nested…) still go through a greenlet, which
    works the same with a driver that never waits. `connection()` is not available: an
    AsyncConnection needs an async driver (run_sync gives the Session's connection)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(expire_on_commit=False)
        self.sync_session.bind = engine
        self._writing = False

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return (await self._ready()).execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return (await self._ready()).scalar(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return (await self._ready()).scalars(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return (await self._ready()).get(*args, **kwargs)

    async def get_one(self, *args: Any, **kwargs: Any) -> Any:
        return (await self._ready()).get_one(*args, **kwargs)

    async def flush(self, objects: Any = None) -> None:
        (await self._ready()).flush(objects)

    async def delete(self, instance: object) -> None:
        self.sync_session.delete(instance)  # written at the flush

    async def run_sync(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return fn(await self._ready(), *args, **kwargs)

    async def commit(self) -> None:
        session = self.sync_session
        if session.new or session.dirty or session.deleted:
            await self._ready()
        session.commit()

    async def _ready(self) -> Session:
        if not self._writing:
            await _lock_for_writing(self.sync_session)
            self._writing = True
        return self.sync_session


async def _lock_for_writing(session: Session) -> None:
    """Begin the session's transaction (BEGIN IMMEDIATE); while another process holds the
    write lock, sleep and try again until `LOCK_PATIENCE` runs out."""
    pauses = _pauses()
    while True:
        try:
            session.connection()  # the engine's "begin" event
            return
        except OperationalError as error:
            session.rollback()
            pause = _pause_or_raise(pauses, error)
        await asyncio.sleep(pause)
