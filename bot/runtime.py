"""Assembling a working engine from settings: database, migrations, content, NLU."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot import capsules
from bot.capsules import CapsuleView
from bot.config import Settings
from bot.content import Content, editing
from bot.engine import Engine
from bot.nlu import understand
from bot.store.database import Database


@asynccontextmanager
async def running_engine(settings: Settings) -> AsyncIterator[Engine]:
    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        engine = Engine(db, settings, await live_content(db), understand)
        engine.capsules = await live_capsules(db, settings)
        yield engine
    finally:
        await db.dispose()


async def live_capsules(db: Database, settings: Settings) -> list[CapsuleView]:
    async with db.transaction() as session:
        await capsules.seed_if_empty(session, settings.data_dir)
    async with db.transaction() as session:
        return await capsules.catalogue(session)


async def live_content(db: Database) -> Content:
    """The content editors keep in the database, seeded from the files on first start."""
    async with db.transaction() as session:
        await editing.seed_if_empty(session)
        return await editing.load(session)
