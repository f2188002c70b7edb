"""Assembling a working engine from settings: database, migrations, content, NLU."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
        yield Engine(db, settings, await live_content(db), understand)
    finally:
        await db.dispose()


async def live_content(db: Database) -> Content:
    """The content editors keep in the database, seeded from the files on first start."""
    async with db.transaction() as session:
        await editing.seed_if_empty(session)
        return await editing.load(session)
