"""What the routes need, built once in the app's lifespan and shared through app.state."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI, HTTPException, Request
from telegram.request import BaseRequest

from bot.channels import telegram, whatsapp
from bot.config import Settings
from bot.content import default_content
from bot.engine import Engine
from bot.nlu import understand
from bot.outbox import Deliver, OutboxWorker
from bot.redaction import redact_in_logs
from bot.store.database import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    engine: Engine
    worker: OutboxWorker
    telegram: telegram.TelegramChannel | None = None
    whatsapp: whatsapp.WhatsAppChannel | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


@dataclass(frozen=True)
class Connections:
    """How to reach the channel APIs; tests pass in-process fakes here."""

    telegram_request: BaseRequest | None = None
    whatsapp_session: httpx.AsyncClient | None = None


@asynccontextmanager
async def running_services(
    settings: Settings, connections: Connections
) -> AsyncIterator[Services]:
    redact_in_logs(settings.secret_values())
    db = Database(settings.resolved_database_url)
    await db.migrate()
    engine = Engine(db, settings, default_content(), understand)
    senders: dict[str, Deliver] = {}
    worker = OutboxWorker(db, senders)
    services = Services(settings, db, engine, worker)
    async with contextlib.AsyncExitStack() as stack:
        if settings.telegram_enabled:
            bot = await stack.enter_async_context(
                telegram.build_bot(settings, connections.telegram_request))
            services.telegram = telegram.TelegramChannel(bot, engine, worker.poke)
            senders[telegram.CHANNEL] = services.telegram.deliver
        if settings.whatsapp_enabled:
            client = whatsapp.build_client(settings, connections.whatsapp_session)
            services.whatsapp = whatsapp.WhatsAppChannel(client, engine, settings, worker.poke)
            senders[whatsapp.CHANNEL] = services.whatsapp.deliver
        services.tasks.append(asyncio.create_task(worker.run()))
        try:
            yield services
        finally:
            for task in services.tasks:
                task.cancel()
            await asyncio.gather(*services.tasks, return_exceptions=True)
            await db.dispose()


def services_of(request: Request) -> Services:
    return request.app.state.services


def lifespan_for(settings: Settings, connections: Connections):  # noqa: ANN201
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_services(settings, connections) as services:
            app.state.services = services
            yield

    return lifespan


def channel_or_404(channel: object, name: str) -> object:
    if channel is None:
        raise HTTPException(status_code=404, detail=f"the {name} channel is not enabled")
    return channel
