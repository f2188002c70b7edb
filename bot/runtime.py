"""Assembling a working engine from settings: database, migrations, content, NLU."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import capsules
from bot.capsules import CapsuleView
from bot.config import Settings
from bot.content import Content, editing
from bot.engine import Engine
from bot.handoff import canned
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
    await _seed_once(db, lambda session: capsules.seed_if_empty(session, settings.data_dir))
    async with db.transaction() as session:
        return await capsules.catalogue(session)


async def live_content(db: Database) -> Content:
    """The content editors keep in the database, seeded from the files on first start."""
    await _seed_once(db, editing.seed_if_empty)
    await _seed_once(db, canned.seed_if_empty)
    async with db.transaction() as session:
        return await editing.load(session)


async def _seed_once(db: Database, seed: Callable[[AsyncSession], Awaitable[object]]) -> None:
    """Workers starting together may race to seed; the first one wins, the others read."""
    try:
        async with db.transaction() as session:
            await seed(session)
    except IntegrityError:
        pass
