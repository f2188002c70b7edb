"""Web processes that leave the sending to `fadaa worker` processes (`fadaa serve
--no-outbox`, compose's topology): the webhook only stores and queues, a worker sends."""

import asyncio

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select
from telegram.request import HTTPXRequest

from api.cli import main
from bot.channels.service import Connections, running_services
from bot.config import load_settings
from bot.store.models import OutboxItem
from tests.conftest import database_url, empty_database
from tests.fakes.telegram_api import FakeTelegram, text_update
from tests.service import (
    TELEGRAM_SECRET,
    Running,
    channel_settings,
    running_service,
    scratch_data_dir,
)

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
pytestmark = pytest.mark.store


async def until_sent(
    telegram: FakeTelegram, chat_id: int, containing: str, timeout: float = 10
) -> list[str]:
    """The texts sent to `chat_id`, once one contains `containing` (a welcome may come first)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not any(containing in text for text in telegram.texts(chat_id)):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"nothing containing {containing!r} was sent")
        await asyncio.sleep(0.02)
    return telegram.texts(chat_id)


def a_worker(settings, web: Running):
    """`fadaa worker` as the CLI runs it, on the web's fake APIs."""
    connections = Connections(
        telegram_request=HTTPXRequest(
            httpx_kwargs={"transport": httpx.ASGITransport(app=web.telegram.app)}
        ),
        whatsapp_session=httpx.AsyncClient(transport=httpx.ASGITransport(app=web.graph.app)),
    )
    return running_services(
        settings,
        connections,
        remind=False,
        poll_seconds=settings.worker_poll_seconds,
    )


async def split_settings(tmp_path, **overrides: object):
    """A web process that leaves sending to workers, on an empty database."""
    await (await empty_database(database_url(tmp_path))).dispose()
    return channel_settings(database_url(tmp_path), data_dir=tmp_path, web_sends=False, **overrides)


async def test_a_web_process_without_the_outbox_queues_the_reply_and_sends_nothing(tmp_path):
    settings = await split_settings(tmp_path)
    async with running_service(settings) as web:
        update = text_update(1, 4242, "salam, bghit ndir cooperative dyal l3sel")
        response = await web.client.post("/telegram/webhook", json=update, headers=HEADERS)
        await asyncio.sleep(1.5)  # longer than a sending web process's own round
        async with web.services.db.transaction() as session:
            queued = await session.scalar(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.status == "pending")
            )
    assert response.status_code == 200
    assert queued >= 1 and web.telegram.texts(4242) == []


async def test_a_worker_sends_what_a_web_process_queued_without_being_told(tmp_path):
    settings = await split_settings(tmp_path, worker_poll_seconds=0.05)
    async with running_service(settings) as web, a_worker(settings, web):
        update = text_update(1, 4243, "Bonjour, comment obtenir l'agrément ONSSA ?")
        await web.client.post("/telegram/webhook", json=update, headers=HEADERS)
        texts = await until_sent(web.telegram, 4243, containing="ONSSA")
    assert any("ONSSA" in text for text in texts)


def test_serve_no_outbox_reaches_the_web_processes_through_the_environment(monkeypatch):
    seen: list[bool] = []

    def uvicorn_run(*_args: object, **_kwargs: object) -> None:
        seen.append(load_settings(_env_file=None).web_sends)  # as each web process does

    monkeypatch.setenv("FADAA_WEB_SENDS", "true")  # restored after the test
    monkeypatch.setenv("FADAA_DATA_DIR", str(scratch_data_dir()))
    monkeypatch.setattr(uvicorn, "run", uvicorn_run)
    assert main(["serve", "--no-outbox"]) == 0
    assert seen == [False]
