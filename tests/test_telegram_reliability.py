"""Telegram: a malformed update is kept and acknowledged (Telegram would retry it ahead of
every other update), a well-formed one is never acknowledged unless stored (issue #19)."""

import json

import pytest
from sqlalchemy import select

from bot.store.database import Database
from bot.store.models import Message, UnprocessableUpdate
from tests.fakes.telegram_api import text_update
from tests.service import TELEGRAM_SECRET

pytestmark = pytest.mark.store
UNREACHABLE = "postgresql+asyncpg://fadaa@127.0.0.1:9/down"
# a greeting in Arabic letters is answered by one message, the language question
ONE_REPLY = "سلام"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


async def post(service, **kwargs):
    return await service.client.post("/telegram/webhook", headers=HEADERS, **kwargs)


async def rows(service, model):
    async with service.services.db.transaction() as session:
        return (await session.scalars(select(model))).all()


def without_chat():
    update = text_update(1, 42, "salam")
    del update["message"]["chat"]
    return update


def with_text(value):
    update = text_update(2, 42, "salam")
    update["message"]["text"] = value
    return update


def with_date(value):
    update = text_update(3, 42, "salam")
    update["message"]["date"] = value
    return update


@pytest.mark.parametrize(
    "update",
    [
        without_chat(),
        with_text(12345),
        with_text({"a": 1}),
        with_date(10**20),
        {"update_id": 4, "message": "salam"},
    ],
    ids=["no chat", "number text", "object text", "huge date", "message not an object"],
)
async def test_a_malformed_update_is_kept_and_answered_200(service, update):
    response = await post(service, json=update)
    assert response.status_code == 200
    assert len(await rows(service, UnprocessableUpdate)) == 1
    after = await post(service, json=text_update(99, 42, "salam"))
    await service.delivered()
    assert after.status_code == 200 and service.telegram.texts("42")


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[" * 100_000, b"[1]", b'{"message": {}}'],
    ids=["not JSON", "deep nesting", "not an object", "no update_id"],
)
async def test_a_body_that_is_not_an_update_is_a_400_without_internal_details(service, body):
    response = await post(service, content=body)
    assert response.status_code == 400
    assert "Error" not in response.text and "Traceback" not in response.text


async def test_during_a_database_outage_an_update_is_answered_503_then_stored(service):
    engine = service.services.engine
    working, engine.db = engine.db, Database(UNREACHABLE)
    try:
        down = await post(service, json=text_update(7, 42, ONE_REPLY))
    finally:
        await engine.db.dispose()
        engine.db = working
    assert down.status_code == 503
    assert await rows(service, Message) == []
    again = await post(service, json=text_update(7, 42, ONE_REPLY))
    await service.delivered()
    assert again.status_code == 200 and len(service.telegram.texts("42")) == 1


async def test_nul_bytes_and_lone_surrogates_in_a_text_are_stored(service):
    body = text_update(8, 42, "MARKER")
    raw = json.dumps(body).replace("MARKER", "sa\\u0000lam \\ud800").encode()
    response = await post(service, content=raw)
    await service.delivered()
    assert response.status_code == 200
    assert [m.text for m in await rows(service, Message) if m.direction == "in"] == ["salam \ufffd"]
