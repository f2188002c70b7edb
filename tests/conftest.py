"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when
FADAA_TEST_DATABASE_URL is set), settings, and a real engine."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import Settings, load_settings
from bot.content import default_content
from bot.engine import Engine
from bot.nlu import understand
from bot.store.database import Database
from bot.store.models import Advisor
from tests.chat import Chat
from tests.desk import ALWAYS_OPEN, CONFIGURED_ADVISOR, GROUP, KARIMA, YOUSSEF
from tests.service import Running, channel_settings, running_service, scratch_data_dir


@pytest.fixture(autouse=True, scope="session")
def _no_data_folder_in_the_repository() -> Iterator[None]:
    """Processes the tests start inherit this environment: one that sets no data folder
    of its own writes to the scratch folder, never to ./data in the repository."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FADAA_DATA_DIR", os.environ.get("FADAA_DATA_DIR") or str(scratch_data_dir()))
        yield


def database_url(folder: Path) -> str:
    return os.environ.get("FADAA_TEST_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{folder / 'fadaa.sqlite'}"
    )


async def empty_database(url: str) -> Database:
    """A database with no tables at all (PostgreSQL is shared, so its schema is reset)."""
    database = Database(url)
    if not database.is_sqlite:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    return database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await empty_database(database_url(tmp_path))
    await database.migrate()
    yield database
    await database.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path, _env_file=None)


@pytest.fixture
def engine(db: Database, settings: Settings) -> Engine:
    return Engine(db, settings, default_content(), understand)


@pytest.fixture
def chat(engine: Engine) -> Chat:
    return Chat(engine)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Running]:
    database = await empty_database(database_url(tmp_path))
    await database.dispose()
    settings = channel_settings(database_url(tmp_path), data_dir=tmp_path)
    async with running_service(settings) as running:
        yield running


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Running]:
    database = await empty_database(database_url(tmp_path))
    await database.dispose()
    settings = channel_settings(
        database_url(tmp_path),
        data_dir=tmp_path,
        advisor_group_id=GROUP,
        advisor_telegram_ids=[CONFIGURED_ADVISOR],
        advisor_group_messages_per_minute=6000,
        **ALWAYS_OPEN,
    )
    async with running_service(settings) as running:
        async with running.services.db.transaction() as session:
            session.add_all(
                [
                    Advisor(telegram_user_id=KARIMA, public_name="Karima"),
                    Advisor(telegram_user_id=YOUSSEF, public_name="Youssef"),
                ]
            )
        yield running
