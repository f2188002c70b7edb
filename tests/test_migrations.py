"""Migrations: one migrator at a time, `fadaa migrate`, and processes that start together."""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.store.database import Database
from bot.store.models import Base
from bot.store.schema import MIGRATION_LOCK_ID, SchemaNotReady
from tests.conftest import database_url, empty_database

pytestmark = pytest.mark.store
READY = "fadaa worker: ready"


async def tables_of(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(lambda c: set(inspect(c).get_table_names()))


async def test_migrators_started_together_on_an_empty_database_all_succeed(tmp_path):
    url = database_url(tmp_path)
    await (await empty_database(url)).dispose()
    databases = [Database(url) for _ in range(4)]
    try:
        await asyncio.gather(*(database.migrate() for database in databases))
        assert {"users", "outbox", "handoffs", "alembic_version"} <= await tables_of(databases[0])
    finally:
        for database in databases:
            await database.dispose()


async def test_a_migrator_waits_while_another_holds_the_migration_lock(tmp_path):
    url = database_url(tmp_path)
    holder, migrator = await empty_database(url), Database(url)
    try:
        async with _migration_lock_held(holder, url):
            migrating = asyncio.create_task(migrator.migrate())
            await asyncio.sleep(0.5)
            assert not migrating.done()
        await asyncio.wait_for(migrating, 60)
        assert "users" in await tables_of(migrator)
    finally:
        await holder.dispose()
        await migrator.dispose()


class _migration_lock_held:
    """Hold the lock `fadaa migrate` takes, as another process would."""

    def __init__(self, database: Database, url: str) -> None:
        self.database, self.url = database, url

    async def __aenter__(self) -> None:
        if self.database.is_sqlite:
            self.handle = open(f"{self.database.engine.url.database}.migrate.lock", "a+b")  # noqa: SIM115
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX)
            return
        self.connection = await self.database.engine.connect()
        await self.connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_ID})

    async def __aexit__(self, *_exc: object) -> None:
        if self.database.is_sqlite:
            self.handle.close()  # closing the file releases its lock
            return
        await self.connection.execute(
            text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_ID}
        )
        await self.connection.close()


async def test_a_process_that_does_not_migrate_waits_for_the_schema(tmp_path):
    url = database_url(tmp_path)
    waiting_db, migrator = await empty_database(url), Database(url)
    try:
        with pytest.raises(SchemaNotReady, match="fadaa migrate"):
            await waiting_db.wait_for_schema(timeout=0)
        waiting = asyncio.create_task(waiting_db.wait_for_schema(timeout=60))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        await migrator.migrate()
        await asyncio.wait_for(waiting, 30)
    finally:
        await waiting_db.dispose()
        await migrator.dispose()


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        cwd=Path(__file__).parent.parent,
    )


def _wait_ready(processes: list[tuple[subprocess.Popen, Path]], timeout: float) -> list[str]:
    """The stderr of every process that did not become ready (empty: all did)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(READY in log.read_text() for _p, log in processes):
            return []
        if any(p.poll() is not None for p, _log in processes):
            break
        time.sleep(0.2)
    return [log.read_text() for _p, log in processes if READY not in log.read_text()]


def _stop(processes: list[tuple[subprocess.Popen, Path]]) -> None:
    for process, _log in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process, _log in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _worker_env(url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FADAA_")}
    return env | {"FADAA_DATABASE_URL": url, "FADAA_DATA_DIR": str(data_dir), **extra}


@pytest.fixture
async def empty_postgresql(tmp_path) -> str:
    url = database_url(tmp_path)
    if url.startswith("sqlite"):
        pytest.skip("processes racing on one server: PostgreSQL (FADAA_TEST_DATABASE_URL)")
    await (await empty_database(url)).dispose()
    return url


def test_eight_workers_started_at_once_on_an_empty_postgresql_all_come_up(
    empty_postgresql, tmp_path
):
    env = _worker_env(empty_postgresql, tmp_path)
    processes = [
        (_start(["worker"], env, tmp_path / f"worker{n}.log"), tmp_path / f"worker{n}.log")
        for n in range(8)
    ]
    try:
        failed = _wait_ready(processes, timeout=180)
    finally:
        _stop(processes)
    assert not failed, failed[0]


def test_workers_told_not_to_migrate_wait_for_fadaa_migrate(empty_postgresql, tmp_path):
    env = _worker_env(empty_postgresql, tmp_path, FADAA_MIGRATE_ON_START="false")
    processes = [
        (_start(["worker"], env, tmp_path / f"waiting{n}.log"), tmp_path / f"waiting{n}.log")
        for n in range(3)
    ]
    try:
        time.sleep(1)
        migrate = subprocess.run(
            [sys.executable, "-m", "api.cli", "migrate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert migrate.returncode == 0, migrate.stderr
        failed = _wait_ready(processes, timeout=180)
    finally:
        _stop(processes)
    assert not failed, failed[0]


async def test_the_migrated_schema_is_the_one_the_models_describe(db):
    def differences(connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []
