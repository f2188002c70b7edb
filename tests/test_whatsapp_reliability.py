"""WhatsApp: every message stored or redelivered, never silently dropped (issue #19)."""

import json

import pytest
from sqlalchemy import select, update

from bot.store.database import Database
from bot.store.models import Message, OutboxItem, UnprocessableUpdate, User
from tests.fakes.whatsapp_api import (
    failed_status,
    sign_bytes,
    signed,
    text_message,
    webhook,
)

pytestmark = pytest.mark.store
UNREACHABLE = "postgresql+asyncpg://fadaa@127.0.0.1:9/down"  # nothing listens on port 9
# a greeting in Arabic letters is answered by one message, the language question
ONE_REPLY = "سلام"


async def post(service, payload):
    body, headers = signed(payload)
    return await service.client.post("/whatsapp/webhook", content=body, headers=headers)


async def post_bytes(service, body: bytes):
    return await service.client.post("/whatsapp/webhook", content=body, headers=sign_bytes(body))


async def rows(service, model):
    async with service.services.db.transaction() as session:
        return (await session.scalars(select(model).order_by(model.id))).all()


def metas_documented_shape(wamid: str, text: str) -> dict:
    """Meta's webhook reference: the contact has a wa_id and no business-scoped user_id."""
    payload = webhook(text_message(wamid, text), wa_id="212612345678")
    value = payload["entry"][0]["changes"][0]["value"]
    del value["contacts"][0]["user_id"], value["messages"][0]["from_user_id"]
    return payload


async def test_a_contact_with_a_wa_id_and_no_user_id_is_stored_and_answered(service):
    response = await post(service, metas_documented_shape("wamid.W1", "salam"))
    await service.delivered()
    assert response.status_code == 200
    [user] = await rows(service, User)
    assert (user.channel_user_id, user.phone) == ("212612345678", "212612345678")
    assert len(await rows(service, Message)) >= 1
    assert service.graph.messages[-1]["to"] == "212612345678"


@pytest.mark.parametrize("text", ["salam \\ud83d khoya", "salam\\u0000 khoya", "\\udfff\\ud800"])
async def test_lone_surrogates_and_nul_bytes_are_stored_and_answered(service, text):
    body = json.dumps(webhook(text_message("wamid.S1", "MARKER"))).replace("MARKER", text).encode()
    response = await post_bytes(service, body)
    await service.delivered()
    assert response.status_code == 200
    stored = [m for m in await rows(service, Message) if m.direction == "in"]
    assert len(stored) == 1 and "\x00" not in stored[0].text
    assert service.graph.messages


async def test_an_over_long_message_id_is_stored_once(service):
    payload = webhook(text_message("wamid." + "A" * 300, ONE_REPLY))
    first, again = await post(service, payload), await post(service, payload)
    await service.delivered()
    assert (first.status_code, again.status_code) == (200, 200)
    assert len([m for m in await rows(service, Message) if m.direction == "in"]) == 1
    assert len(service.graph.messages) == 1


async def test_during_a_database_outage_a_message_is_answered_503_then_stored_on_redelivery(
    service,
):
    engine = service.services.engine
    working, engine.db = engine.db, Database(UNREACHABLE)
    try:
        down = await post(service, webhook(text_message("wamid.O1", ONE_REPLY)))
    finally:
        await engine.db.dispose()
        engine.db = working
    assert down.status_code == 503
    assert await rows(service, Message) == []
    again = await post(service, webhook(text_message("wamid.O1", ONE_REPLY)))
    await service.delivered()
    assert again.status_code == 200 and len(service.graph.messages) == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "whatsapp_business_account"},
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": "x"},
        {
            "object": "whatsapp_business_account",
            "entry": [{"changes": [{"field": "messages", "value": 5}]}],
        },
        {
            "object": "whatsapp_business_account",
            "entry": [{"changes": [{"field": "messages", "value": {"messages": "hi"}}]}],
        },
        "huge timestamp",
        "message without sender",
    ],
    ids=[
        "no entry",
        "unknown object",
        "entry not a list",
        "value not an object",
        "messages not a list",
        "huge timestamp",
        "no sender",
    ],
)
async def test_malformed_updates_are_kept_and_acknowledged(service, payload):
    if payload == "huge timestamp":
        payload = webhook(text_message("wamid.M1", "salam"))
        payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "9" * 30
    elif payload == "message without sender":
        payload = webhook(text_message("wamid.M2", "salam"), wa_id=None)
        value = payload["entry"][0]["changes"][0]["value"]
        del value["contacts"], value["messages"][0]["from_user_id"]
    response = await post(service, payload)
    assert response.status_code == 200
    assert len(await rows(service, UnprocessableUpdate)) == 1


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[" * 100_000, b"[1, 2]"],
    ids=["not JSON", "deep nesting", "not an object"],
)
async def test_a_body_that_is_not_a_json_object_is_a_400(service, body):
    response = await post_bytes(service, body)
    assert response.status_code == 400


async def test_a_bare_hex_signature_is_refused(service):
    body, headers = signed(webhook(text_message("wamid.H1", "salam")))
    bare = headers["X-Hub-Signature-256"].removeprefix("sha256=")
    response = await service.client.post(
        "/whatsapp/webhook", content=body, headers={**headers, "X-Hub-Signature-256": bare}
    )
    assert response.status_code == 403
    assert await rows(service, Message) == []


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (1, "pending"),
        (2, "pending"),
        (4, "pending"),
        (131000, "pending"),
        (131016, "pending"),
        (133004, "pending"),
        (130429, "pending"),
        (131026, "failed"),
        (131047, "failed"),
        (100, "failed"),
        (131051, "failed"),
    ],
)
async def test_graph_errors_are_retried_or_given_up_by_metas_codes(service, code, status):
    service.graph.failures = [code]
    await post(service, webhook(text_message("wamid.G1", ONE_REPLY)))
    await service.delivered()
    [item] = await rows(service, OutboxItem)
    assert (item.status, item.attempts) == (status, 1)


async def test_an_http_5xx_with_an_unknown_code_is_retried(service):
    service.graph.failures, service.graph.failure_status = [987654], 503
    await post(service, webhook(text_message("wamid.G2", ONE_REPLY)))
    await service.delivered()
    [item] = await rows(service, OutboxItem)
    assert item.status == "pending"


async def test_a_later_failed_status_is_recorded_on_the_reply(service):
    await post(service, webhook(text_message("wamid.F1", ONE_REPLY)))
    await service.delivered()
    [item] = await rows(service, OutboxItem)
    assert item.channel_message_id == "wamid.OUT1"
    response = await post(service, failed_status("wamid.OUT1", 131026))
    [item] = await rows(service, OutboxItem)
    assert response.status_code == 200
    assert item.status == "failed" and "131026" in item.last_error


async def test_a_later_temporary_failure_sends_the_reply_again(service):
    await post(service, webhook(text_message("wamid.F2", ONE_REPLY)))
    await service.delivered()
    await post(service, failed_status("wamid.OUT1", 131000, "Something went wrong"))
    async with service.services.db.transaction() as session:
        await session.execute(update(OutboxItem).values(not_before=None))
    await service.delivered()
    [item] = await rows(service, OutboxItem)
    assert item.status == "sent" and len(service.graph.messages) == 2
