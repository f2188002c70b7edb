"""Running the channels: database, engine, outbox worker, reminder ticks, and the enabled
Telegram and WhatsApp adapters. Used by the web service and by `fadaa worker`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from telegram.request import BaseRequest

from bot import capsules, metrics
from bot.channels import telegram, whatsapp
from bot.channels.advisor_group import AdvisorGroup
from bot.config import Settings
from bot.content import editing
from bot.engine import Engine
from bot.nlu import understand
from bot.outbox import Deliver, Delivery, OutboxWorker, PermanentDeliveryError
from bot.redaction import redact_in_logs
from bot.reminders import Ticker, recompute_due_times
from bot.runtime import live_capsules, live_content
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
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


@asynccontextmanager
async def running_services(
    settings: Settings,
    connections: Connections = Connections(),  # noqa: B008
    *,
    deliver: bool = True,
    remind: bool = True,
) -> AsyncIterator[Services]:
    redact_in_logs(settings.secret_values())
    db = Database(settings.resolved_database_url)
    await schema_ready(db, settings)
    await recompute_due_times(db)
    engine = Engine(db, settings, await live_content(db), understand)
    engine.capsules = await live_capsules(db, settings)
    engine.warm_up()
    senders: dict[str, Deliver] = {}
    worker = OutboxWorker(db, senders, lease=timedelta(seconds=settings.outbox_lease_seconds))
    worker.on_given_up = engine.message_given_up
    services = Services(settings, db, engine, worker)
    async with contextlib.AsyncExitStack() as stack:
        if settings.telegram_enabled:
            bot = await stack.enter_async_context(
                telegram.build_bot(settings, connections.telegram_request)
            )
            services.telegram = telegram.TelegramChannel(bot, engine, worker.poke)
            senders[telegram.CHANNEL] = counted(telegram.CHANNEL, services.telegram.deliver)
        if settings.whatsapp_enabled:
            client = whatsapp.build_client(settings, connections.whatsapp_session)
            services.whatsapp = whatsapp.WhatsAppChannel(client, engine, settings, worker.poke)
            senders[whatsapp.CHANNEL] = counted(whatsapp.CHANNEL, services.whatsapp.deliver)
        if settings.desk_enabled:
            _open_advisor_desk(services, senders)
        if deliver:
            services.tasks.append(asyncio.create_task(worker.run()))
        stopping = asyncio.Event()
        services.tasks.append(asyncio.create_task(follow_edits(engine, stopping)))
        ticker = ticker_for(settings, engine, worker.poke).start() if remind else None
        try:
            yield services
        finally:
            if ticker:
                await ticker.stop()
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


def _open_advisor_desk(services: Services, senders: dict[str, Deliver]) -> None:
    """Advisors' posts go to their group through the same bot, and are retried for hours
    rather than minutes when the group cannot be reached."""
    fetchers = {whatsapp.CHANNEL: services.whatsapp.fetch_media} if services.whatsapp else {}
    group = AdvisorGroup(services.telegram.bot, services.engine, services.worker.poke, fetchers)
    services.telegram.advisor_group = group
    senders[DESK_CHANNEL] = counted(DESK_CHANNEL, group.deliver)
    services.worker.max_attempts[DESK_CHANNEL] = DESK_ATTEMPTS


def counted(channel: str, deliver: Deliver) -> Deliver:
    """The channel's sender, with its outcomes counted for /metrics."""

    async def send(delivery: Delivery) -> str | None:
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


def ticker_for(settings: Settings, engine: Engine, after_dispatch: Callable[[], None]) -> Ticker:
    return Ticker(
        engine.db,
        worker=settings.worker_id,
        policy=settings.dispatch_policy(),
        seconds=settings.reminder_tick_seconds,
        after_dispatch=after_dispatch,
        retention=timedelta(days=settings.message_retention_days),
        every_minute=engine.sweep_handoffs,
    )


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
