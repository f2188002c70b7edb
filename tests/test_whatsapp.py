"""WhatsApp end to end: the real app and pywa against a fake Graph API."""

from datetime import timedelta

from sqlalchemy import select, update

from bot.clock import utcnow
from bot.messages import Button, Outbound
from bot.outbox import Delivery
from bot.store import repo
from bot.store.models import Message, OutboxItem, User
from tests.fakes.whatsapp_api import (
    button_reply,
    list_reply,
    signed,
    status_update,
    text_message,
    voice_message,
    webhook,
)
from tests.service import VERIFY_TOKEN

BSUID = "MA.1234567890123"


async def post(service, payload, secret=None):
    body, headers = signed(payload) if secret is None else signed(payload, secret)
    return await service.client.post("/whatsapp/webhook", content=body, headers=headers)


async def test_a_darija_conversation_goes_from_greeting_to_a_flow_answer(service):
    await post(service, webhook(text_message("wamid.A1", "السلام عليكم خويا")))
    await service.delivered()
    languages = service.graph.interactive()[-1]["action"]["sections"][0]["rows"]
    assert [row["title"] for row in languages] == [
        "الدارجة",
        "العربية",
        "Français",
        "Darija (latin)",
    ]

    await post(service, webhook(button_reply("wamid.A2", "lang:ary", "الدارجة")))
    question = "ch7al khass mn wa7ed bach ndiro cooperative?"
    await post(service, webhook(text_message("wamid.A3", question)))
    await service.delivered()
    answer = service.graph.interactive()[-1]
    assert "5" in answer["body"]["text"]
    assert service.graph.messages[-1]["recipient"] == BSUID


async def test_the_user_is_keyed_by_the_bsuid_and_the_phone_is_kept(service):
    await post(service, webhook(text_message("wamid.B1", "Bonjour")))
    async with service.services.db.transaction() as session:
        user = await session.scalar(select(User))
    assert (user.channel_user_id, user.phone) == (BSUID, "212612345678")


async def test_a_user_without_a_phone_number_works_too(service):
    await post(service, webhook(text_message("wamid.C1", "Bonjour"), wa_id=None))
    await service.delivered()
    assert service.graph.messages[-1]["recipient"] == BSUID


async def test_a_wrong_or_missing_signature_is_refused_and_nothing_is_stored(service):
    wrong = await post(service, webhook(text_message("wamid.D1", "salam")), secret="not-it")
    body, _ = signed(webhook(text_message("wamid.D2", "salam")))
    missing = await service.client.post("/whatsapp/webhook", content=body)
    assert (wrong.status_code, missing.status_code) == (403, 403)
    async with service.services.db.transaction() as session:
        assert (await session.scalars(select(Message))).all() == []


async def test_the_verification_challenge_is_answered_only_with_the_right_token(service):
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    good = await service.client.get(
        "/whatsapp/webhook", params=params | {"hub.verify_token": VERIFY_TOKEN}
    )
    bad = await service.client.get("/whatsapp/webhook", params=params | {"hub.verify_token": "x"})
    assert (good.status_code, good.text) == (200, "1158201444")
    assert bad.status_code == 403


async def test_a_redelivered_message_gets_one_reply(service):
    payload = webhook(text_message("wamid.E1", "سلام"))
    await post(service, payload)
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "1"  # other bytes
    await post(service, payload)
    await service.delivered()
    assert len(service.graph.messages) == 1


async def test_four_choices_become_a_list_not_four_buttons(service):
    await post(service, webhook(text_message("wamid.F1", "سلام")))
    await post(service, webhook(button_reply("wamid.F2", "lang:fr")))
    await service.delivered()
    menu = service.graph.interactive()[-1]
    assert menu["type"] == "list"
    rows = menu["action"]["sections"][0]["rows"]
    assert len(rows) == 8 and all(len(r["title"]) <= 24 for r in rows)
    assert len(menu["action"]["button"]) <= 20


async def test_a_list_choice_comes_back_as_its_exact_payload(service):
    await post(service, webhook(text_message("wamid.G1", "سلام")))
    await post(service, webhook(button_reply("wamid.G2", "lang:fr")))
    await post(service, webhook(list_reply("wamid.G3", "intent:financing_options")))
    await service.delivered()
    assert "Intilaka" in service.graph.interactive()[-1]["body"]["text"]


async def test_a_voice_note_gets_a_polite_answer_in_the_users_language(service):
    await post(service, webhook(text_message("wamid.H1", "سلام")))
    await post(service, webhook(button_reply("wamid.H2", "lang:ary")))
    await post(service, webhook(voice_message("wamid.H3")))
    await service.delivered()
    assert "كنقرا غير الكتابة" in service.graph.interactive()[-1]["body"]["text"]


async def test_status_updates_are_accepted_and_ignored(service):
    response = await post(service, status_update())
    await service.delivered()
    assert response.status_code == 200 and service.graph.messages == []


async def test_a_long_text_with_buttons_keeps_the_interactive_body_under_1024(service):
    channel = service.services.whatsapp
    text = "Étape importante pour la coopérative. " * 60
    buttons = (Button("menu:main", "Menu principal"),)
    await channel.deliver(Delivery(BSUID, Outbound(text, buttons), "fr", utcnow(), "k"))
    assert service.graph.messages[0]["type"] == "text"
    assert len(service.graph.interactive()[0]["body"]["text"]) <= 1024


async def test_outside_the_24_hour_window_a_proactive_message_goes_as_a_template(service):
    await post(service, webhook(text_message("wamid.I1", "salam")))
    await service.delivered()
    async with service.services.db.transaction() as session:
        await session.execute(update(User).values(last_seen_at=utcnow() - timedelta(hours=30)))
        user = await session.scalar(select(User))
        await repo.enqueue(session, user=user, outbounds=[Outbound("تذكير: الجمع العام غدا")])
    await service.delivered()
    template = service.graph.messages[-1]
    assert template["type"] == "template"
    assert template["template"]["name"] == "fadaa_message"


async def test_a_graph_rate_limit_is_retried_later(service):
    service.graph.failures = [130429]
    await post(service, webhook(text_message("wamid.J1", "سلام")))
    await service.delivered()  # returns once the failed row waits for its retry time
    async with service.services.db.transaction() as session:
        item = await session.scalar(select(OutboxItem).order_by(OutboxItem.id))
        assert (item.status, item.attempts) == ("pending", 1)
        assert item.not_before is not None
        await session.execute(update(OutboxItem).values(not_before=None))
    await service.delivered()
    assert len(service.graph.messages) == 1


async def test_a_permanent_graph_error_marks_the_message_failed(service):
    service.graph.failures = [131026]
    await post(service, webhook(text_message("wamid.K1", "salam")))
    await service.delivered()
    async with service.services.db.transaction() as session:
        item = await session.scalar(select(OutboxItem).order_by(OutboxItem.id))
    assert item.status == "failed" and "131026" in item.last_error
