"""The real FastAPI app wired to in-process fakes of the Telegram and WhatsApp APIs."""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from telegram.request import HTTPXRequest

from api.main import create_app
from bot.channels.service import Connections, Services
from bot.config import Settings, load_settings
from bot.store.models import OutboxItem
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.whatsapp_api import APP_SECRET, PHONE_ID, FakeGraph

TELEGRAM_SECRET = "s3cret-Token_1"
VERIFY_TOKEN = "verify-me"


def channel_settings(database_url: str, **overrides: object) -> Settings:
    """Settings with both channels on; files (capsule videos) go to this run's scratch
    folder unless `data_dir` is given, never to ./data in the repository."""
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": scratch_data_dir(),
        "telegram_token": "123456:TEST-token",
        "telegram_webhook_secret": TELEGRAM_SECRET,
        "telegram_api_base": "http://telegram.fake",
        "whatsapp_phone_id": PHONE_ID,
        "whatsapp_token": "wa-token",
        "whatsapp_app_secret": APP_SECRET,
        "whatsapp_verify_token": VERIFY_TOKEN,
    }
    return load_settings(_env_file=None, **(values | overrides))


@cache
def scratch_data_dir() -> Path:
    """One temporary data folder per test (or bench) process, removed when it exits."""
    folder = Path(tempfile.mkdtemp(prefix="fadaa-scratch-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@dataclass
class Running:
    client: httpx.AsyncClient
    services: Services
    telegram: FakeTelegram
    graph: FakeGraph
    app: FastAPI

    async def delivered(self, timeout: float = 10.0) -> None:
        """Wait until the outbox has nothing due, running it now rather than on its timer."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            await self.services.worker.drain()
            async with self.services.db.transaction() as session:
                busy = await session.scalar(
                    select(func.count())
                    .select_from(OutboxItem)
                    .where(
                        OutboxItem.status.in_(("pending", "sending")),
                        OutboxItem.not_before.is_(None),
                        OutboxItem.channel != "web",  # read by the chat page's stream
                    )
                )
            if not busy:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the outbox still has messages due")


@asynccontextmanager
async def running_service(settings: Settings) -> AsyncIterator[Running]:
    telegram, graph = FakeTelegram(), FakeGraph()
    connections = Connections(
        telegram_request=HTTPXRequest(
            httpx_kwargs={"transport": httpx.ASGITransport(app=telegram.app)}
        ),
        whatsapp_session=httpx.AsyncClient(transport=httpx.ASGITransport(app=graph.app)),
    )
    app = create_app(settings, connections)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://fadaa.test"
        ) as client,
    ):
        yield Running(client, app.state.services, telegram, graph, app)
