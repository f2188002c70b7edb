"""Assembling a working engine from settings: database, migrations, content, NLU."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import Settings
from bot.content import default_content
from bot.engine import Engine
from bot.nlu import understand
from bot.store.database import Database


@asynccontextmanager
async def running_engine(settings: Settings) -> AsyncIterator[Engine]:
    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        yield Engine(db, settings, default_content(), understand)
    finally:
        await db.dispose()
