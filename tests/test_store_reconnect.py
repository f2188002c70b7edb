"""PostgreSQL drops every connection (a restart, a failover, an idle timeout): the pool has
no pre-ping (bot/store/database.py), so the first statement on a dropped connection fails;
that update is answered 503 for the channel to redeliver, and everything after it goes
through on new connections, replies included."""

import contextlib
import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.fakes.telegram_api import text_update
from tests.service import TELEGRAM_SECRET

pytestmark = [
    pytest.mark.store,
    pytest.mark.skipif(
        not os.environ.get("FADAA_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="a server that drops its connections: PostgreSQL (FADAA_TEST_DATABASE_URL)",
    ),
]
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


async def post(service, update_id: int, chat_id: int, message: str) -> int:
    update = text_update(update_id, chat_id, message)
    response = await service.client.post("/telegram/webhook", headers=HEADERS, json=update)
    return response.status_code


def answered_once(texts: list[str]) -> bool:
    return bool(texts) and len(texts) == len(set(texts))


async def drop_every_other_connection(url: str) -> int:
    outsider = create_async_engine(url, poolclass=NullPool)
    try:
        async with outsider.connect() as connection:
            dropped = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await outsider.dispose()
    return int(dropped or 0)


async def test_after_the_server_drops_the_connections_an_update_is_answered_once_redelivered(
    service,
):
    assert await post(service, 1, 42, "salam") == 200
    await service.delivered()
    assert await drop_every_other_connection(service.services.db.url) >= 1

    first = await post(service, 2, 43, "bghit ndir cooperative")
    if first != 200:  # the dropped connection's update: Telegram sends it again
        assert first == 503
        assert await post(service, 2, 43, "bghit ndir cooperative") == 200
    assert await post(service, 3, 44, "Comment obtenir l'agrément ONSSA ?") == 200
    await service.delivered()

    assert answered_once(service.telegram.texts("43"))
    assert answered_once(service.telegram.texts("44"))


async def test_after_the_server_drops_the_connections_the_outbox_round_after_delivers(service):
    assert await post(service, 1, 42, "salam") == 200
    await service.delivered()
    await drop_every_other_connection(service.services.db.url)
    with contextlib.suppress(DBAPIError):  # the worker's loop logs it and goes on
        await service.services.worker.drain()

    assert await post(service, 2, 43, "شنو هي انطلاقة؟") == 200
    await service.delivered()
    assert answered_once(service.telegram.texts("43"))
