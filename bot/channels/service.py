"""The one place that assembles the running app: database, schema, engine, content,
outbox worker, background jobs, and the enabled Telegram and WhatsApp adapters. Used by
the web service (`fadaa serve`), `fadaa worker` and `fadaa chat`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.request import BaseRequest

from bot import capsules, metrics
from bot.capsules import CapsuleView
from bot.channels import telegram, web, whatsapp
from bot.channels.advisor_group import AdvisorGroup, FetchMedia
from bot.config import Settings
from bot.content import Content, editing
from bot.engine import Engine
from bot.handoff import canned
from bot.nlu import understand
from bot.outbox import Deliver, Delivery, OutboxWorker, PermanentDeliveryError
from bot.redaction import redact_in_logs
from bot.reminders.dispatch import recompute_due_times
from bot.scheduler import Scheduler, scheduler_for
from bot.store.database import Database
from bot.store.repo import DESK_CHANNEL
from bot.tasks import settle, stopped_within

log = logging.getLogger(__name__)
DESK_ATTEMPTS = 60  # with back-off capped at 10 minutes: about ten hours


@dataclass(frozen=True)
class Connections:
    """How to reach the channel APIs; tests pass in-process fakes here."""

    telegram_request: BaseRequest | None = None
    whatsapp_session: httpx.AsyncClient | None = None


@dataclass
class Services:
    settings: Settings
    db: Database
    engine: Engine
    worker: OutboxWorker
    telegram: telegram.TelegramChannel | None = None
    whatsapp: whatsapp.WhatsAppChannel | None = None
    scheduler: Scheduler | None = None
    web: web.WebChannel | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


@asynccontextmanager
async def running_services(
    settings: Settings,
    connections: Connections = Connections(),  # noqa: B008
    *,
    channels: bool = True,
    deliver: bool = True,
    remind: bool = True,
    poll_seconds: float = 1.0,
) -> AsyncIterator[Services]:
    """`channels`: run the Telegram and WhatsApp adapters that are configured (not in
    `fadaa chat`); `deliver`: run the outbox worker, poked by this process's turns and
    looking for other processes' messages every `poll_seconds`; `remind`: run the
    background jobs."""
    redact_in_logs(settings.secret_values())
    db = Database(settings.resolved_database_url)
    await schema_ready(db, settings)
    await recompute_due_times(db)
    engine = Engine(db, settings, await live_content(db), understand)
    engine.capsules = await live_capsules(db, settings)
    engine.warm_up()
    senders: dict[str, Deliver] = {}
    worker = OutboxWorker(
        db, senders, interval=poll_seconds, lease=timedelta(seconds=settings.outbox_lease_seconds)
    )
    worker.on_given_up = engine.message_given_up
    services = Services(settings, db, engine, worker)
    async with contextlib.AsyncExitStack() as stack:
        if channels and settings.telegram_enabled:
            bot = await stack.enter_async_context(
                telegram.build_bot(settings, connections.telegram_request)
            )
            services.telegram = telegram.TelegramChannel(bot, engine, worker.poke)
            senders[telegram.CHANNEL] = counted(telegram.CHANNEL, services.telegram.deliver)
        if channels and settings.whatsapp_enabled:
            client = whatsapp.build_client(settings, connections.whatsapp_session)
            services.whatsapp = whatsapp.WhatsAppChannel(client, engine, settings, worker.poke)
            senders[whatsapp.CHANNEL] = counted(whatsapp.CHANNEL, services.whatsapp.deliver)
        if channels and settings.desk_enabled and services.telegram:
            _open_advisor_desk(services, services.telegram, senders)
        if settings.web_enabled:  # no sender: the page's event streams read the outbox
            services.web = web.WebChannel(engine, settings)
        if deliver:
            services.tasks.append(asyncio.create_task(worker.run()))
        stopping = asyncio.Event()
        services.tasks.append(asyncio.create_task(follow_edits(engine, stopping)))
        if services.web:
            watching = services.web.news.watch(stopping, settings.web_poll_seconds)
            services.tasks.append(asyncio.create_task(watching))
            services.tasks.append(asyncio.create_task(services.web.keep_tidy(stopping)))
        if remind:
            services.scheduler = scheduler_for(settings, engine, worker.poke).start()
        try:
            yield services
        finally:
            if services.scheduler:
                await services.scheduler.stop()
            worker.stop()
            stopping.set()
            await settle(services.tasks)
            await db.dispose()


async def schema_ready(db: Database, settings: Settings) -> None:
    """Upgrade the schema (one process at a time), or wait for `fadaa migrate` to do it."""
    if settings.migrate_on_start:
        await db.migrate()
    else:
        await db.wait_for_schema(settings.schema_wait_seconds)


def _open_advisor_desk(
    services: Services, bot: telegram.TelegramChannel, senders: dict[str, Deliver]
) -> None:
    """Advisors' posts go to their group through the same bot, and are retried for hours
    rather than minutes when the group cannot be reached."""
    fetchers: dict[str, FetchMedia] = {}
    if services.whatsapp:
        fetchers[whatsapp.CHANNEL] = services.whatsapp.fetch_media
    group = AdvisorGroup(bot.bot, services.engine, services.worker.poke, fetchers)
    bot.advisor_group = group
    senders[DESK_CHANNEL] = counted(DESK_CHANNEL, group.deliver)
    services.worker.max_attempts[DESK_CHANNEL] = DESK_ATTEMPTS


def counted(channel: str, deliver: Deliver) -> Deliver:
    """The channel's sender, with its outcomes counted for /metrics."""

    async def send(delivery: Delivery) -> object:
        try:
            sent_id = await deliver(delivery)  # the channel's id, for its later statuses
        except PermanentDeliveryError:
            metrics.reply_failed(channel, permanent=True)
            raise
        except Exception:
            metrics.reply_failed(channel, permanent=False)
            raise
        metrics.reply_sent(channel)
        return sent_id

    return send


async def follow_edits(engine: Engine, stopping: asyncio.Event, every: float = 5.0) -> None:
    """Editors' changes made through another worker reach this one within `every` seconds."""
    seen = await _edits_revision(engine.db)
    while not await stopped_within(stopping, every):
        try:
            revision = await _edits_revision(engine.db)
            if revision != seen:
                engine.content = await live_content(engine.db)
                engine.capsules = await live_capsules(engine.db, engine.settings)
                seen = revision
        except Exception:  # noqa: BLE001 — keep serving the content already loaded
            log.exception("could not reload content")


async def _edits_revision(db: Database) -> tuple[object, ...]:
    async with db.transaction() as session:
        return (await editing.revision(session), await capsules.revision(session))


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
