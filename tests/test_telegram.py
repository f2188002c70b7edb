"""Telegram end to end: the real app and PTB against a fake Bot API."""

from sqlalchemy import func, select

from bot.messages import Outbound
from bot.store import repo
from bot.store.models import Message, OutboxItem, User
from tests.fakes.telegram_api import button_update, text_update, voice_update
from tests.service import TELEGRAM_SECRET

CHAT = 5550001
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
BOT = {"id": 7000000001, "is_bot": True, "first_name": "Fadaa"}


async def post(service, update, headers=HEADERS):
    return await service.client.post("/telegram/webhook", json=update, headers=headers)


async def test_a_darija_conversation_goes_from_greeting_to_a_flow_answer(service):
    assert (await post(service, text_update(1, CHAT, "السلام عليكم"))).status_code == 200
    await service.delivered()
    keyboard = service.telegram.sent()[-1]["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == [
        "الدارجة",
        "العربية",
        "Français",
        "Darija (latin)",
    ]

    await post(service, button_update(2, CHAT, "lang:ary"))
    await post(service, text_update(3, CHAT, "فين خاصني نديبوزي الدوسي ديال التعاونية؟"))
    await service.delivered()
    answer = service.telegram.texts(CHAT)[-1]
    assert "المحكمة الابتدائية" in answer
    assert service.telegram.sent("answerCallbackQuery")


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(service):
    wrong_secret = {"X-Telegram-Bot-Api-Secret-Token": "x"}
    wrong = await post(service, text_update(10, CHAT, "salam"), wrong_secret)
    missing = await post(service, text_update(11, CHAT, "salam"), {})
    assert (wrong.status_code, missing.status_code) == (403, 403)
    async with service.services.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 0


async def test_a_redelivered_update_gets_one_reply(service):
    await post(service, text_update(20, CHAT, "Bonjour, je veux créer une coopérative"))
    await post(service, text_update(20, CHAT, "Bonjour, je veux créer une coopérative"))
    await service.delivered()
    assert len(service.telegram.texts(CHAT)) == 2  # the welcome and the answer, once


async def test_a_429_is_retried_and_the_message_delivered_once(service):
    service.telegram.rate_limited_calls = 1
    await post(service, text_update(30, CHAT, "سلام"))
    await service.delivered()
    assert len(service.telegram.texts(CHAT)) == 1


async def test_a_long_answer_is_split_under_4096_characters_with_buttons_on_the_last(service):
    from bot.channels.telegram import TelegramChannel
    from bot.messages import Button, Outbound
    from bot.outbox import Delivery

    channel: TelegramChannel = service.services.telegram
    text = ("Étape importante pour la coopérative. " * 300).strip()
    await channel.deliver(
        Delivery(str(CHAT), Outbound(text, (Button("menu:main", "Menu"),)), "fr", None, "k")
    )
    sent = service.telegram.sent(chat_id=CHAT)
    assert len(sent) == 3 and all(len(m["text"]) <= 4096 for m in sent)
    assert " ".join(m["text"] for m in sent) == text
    assert "reply_markup" in sent[-1] and "reply_markup" not in sent[0]


async def test_a_voice_note_gets_a_polite_text_answer_with_the_menu(service):
    await post(service, text_update(40, CHAT, "سلام"))
    await post(service, button_update(41, CHAT, "lang:fr"))
    await post(service, voice_update(42, CHAT))
    await service.delivered()
    last = service.telegram.sent(chat_id=CHAT)[-1]
    assert "ne lis que le texte" in last["text"]
    assert last["reply_markup"]["inline_keyboard"]


async def test_a_user_who_blocks_the_bot_is_sent_nothing_more(service):
    await post(service, text_update(50, CHAT, "سلام"))
    await service.delivered()
    await post(
        service,
        {
            "update_id": 51,
            "my_chat_member": {
                "chat": {"id": CHAT, "type": "private"},
                "date": 1764100000,
                "from": {"id": CHAT, "is_bot": False, "first_name": "Amina"},
                "old_chat_member": {"status": "member", "user": BOT},
                "new_chat_member": {"status": "kicked", "until_date": 0, "user": BOT},
            },
        },
    )
    async with service.services.db.transaction() as session:
        user = await session.scalar(select(User))
        await repo.enqueue(session, user=user, outbounds=[Outbound("تذكير: الجمع العام غدا")])
    await service.delivered()
    assert len(service.telegram.texts(CHAT)) == 1
    async with service.services.db.transaction() as session:
        statuses = (await session.scalars(select(OutboxItem.status).order_by(OutboxItem.id))).all()
    assert statuses == ["sent", "failed"]


async def test_group_messages_edits_and_unknown_updates_are_ignored_without_error(service):
    group = text_update(60, -100123, "salam")
    group["message"]["chat"]["type"] = "supergroup"
    edited = {"update_id": 61, "edited_message": text_update(61, CHAT, "x")["message"]}
    future_kind = {"update_id": 62, "some_future_update": {"id": 1}}
    for update in (group, edited, future_kind):
        assert (await post(service, update)).status_code == 200
    await service.delivered()
    assert service.telegram.texts() == []


async def test_a_body_that_is_not_json_is_a_400(service):
    response = await service.client.post("/telegram/webhook", content=b"{nope", headers=HEADERS)
    assert response.status_code == 400


async def test_set_webhook_registers_the_url_with_the_secret_and_the_update_types(tmp_path):
    import httpx
    from telegram.request import HTTPXRequest

    from bot.channels import telegram as telegram_channel
    from tests.fakes.telegram_api import FakeTelegram
    from tests.service import channel_settings

    fake = FakeTelegram()
    settings = channel_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite'}", public_url="https://fadaa.example.ma"
    )
    request = HTTPXRequest(httpx_kwargs={"transport": httpx.ASGITransport(app=fake.app)})
    url = await telegram_channel.register_webhook(settings, request)
    assert url == "https://fadaa.example.ma/telegram/webhook"
    (call,) = fake.sent("setWebhook")
    assert call["secret_token"] == TELEGRAM_SECRET
    assert call["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
