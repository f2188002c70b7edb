"""Awareness campaigns end to end: users ask for news in conversation, an editor sends a
campaign through the admin API, and the fake Telegram and WhatsApp APIs receive it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot import admin_tokens
from bot.campaigns.dispatch import feed, sender_for
from bot.clock import utcnow
from bot.store import repo, turn_rows
from bot.store.database import Database
from bot.store.models import CampaignDelivery, Consent, User
from tests.fakes.telegram_api import button_update, text_update
from tests.fakes.whatsapp_api import signed, text_message, webhook
from tests.service import TELEGRAM_SECRET
from tests.statements import counting_statements

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
AMINA, KARIM, SAID = 5551001, 5551002, 5551003
FATIMA = "MA.2120000000001"
NEWS = {
    "fr": "Intilaka : un nouvel appel à projets est ouvert aux coopératives.",
    "ar": "انطلاقة: طلب مشاريع جديد مفتوح أمام التعاونيات.",
    "ary": "انطلاقة: كاين طلب مشاريع جديد للتعاونيات.",
    "ary-Latn": "Intilaka: kayn talab machari3 jdid l ta3awoniyat.",
}
_updates = iter(range(1000, 100000))


async def editor(service) -> dict[str, str]:
    async with service.services.db.transaction() as session:
        _row, secret = await admin_tokens.create(session, name="Salma", role="editor")
    return {"Authorization": f"Bearer {secret}"}


async def telegram_says(service, chat: int, text: str) -> None:
    update = text_update(next(_updates), chat, text)
    assert (await service.client.post("/telegram/webhook", json=update, headers=HEADERS)).is_success


async def telegram_taps(service, chat: int, payload: str) -> None:
    update = button_update(next(_updates), chat, payload)
    assert (await service.client.post("/telegram/webhook", json=update, headers=HEADERS)).is_success


async def whatsapp_says(service, user: str, text: str) -> None:
    body, headers = signed(webhook(text_message(f"wamid.IN{next(_updates)}", text), bsuid=user))
    assert (
        await service.client.post("/whatsapp/webhook", content=body, headers=headers)
    ).is_success


async def campaign_round(service) -> int:
    """One run of the scheduler's campaigns job, now rather than at its next tick."""
    services = service.services
    return await sender_for(services.settings, services.db, services.worker.poke).round()


async def campaign(service, headers, **fields) -> int:
    body = {"name": "Intilaka 2027", "topic": "news", "text": NEWS} | fields
    response = await service.client.post("/admin/campaigns", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def sent_out(service, headers, campaign_id: int) -> dict:
    """Send now, and run the campaign sender and the outbox until the campaign is done."""
    response = await service.client.post(f"/admin/campaigns/{campaign_id}/send", headers=headers)
    assert response.status_code == 200, response.text
    for _round in range(50):
        await campaign_round(service)
        await service.delivered()
        found = await service.client.get(f"/admin/campaigns/{campaign_id}", headers=headers)
        if found.json()["status"] == "done":
            return found.json()
    raise AssertionError("the campaign did not finish")


def campaign_texts(service, chat: int) -> list[str]:
    return [t for t in service.telegram.texts(chat) if t == NEWS["fr"] or t == NEWS["ary"]]


async def test_users_who_asked_for_news_get_the_campaign_once_and_the_others_nothing(service):
    headers = await editor(service)
    await telegram_says(service, AMINA, "Bonjour, je veux recevoir les nouvelles de l'ODCO")
    await telegram_says(service, KARIM, "Bonjour, c'est quoi le programme Intilaka ?")
    await whatsapp_says(service, FATIMA, "بغيت نتوصل بالأخبار ديال المكتب")
    await service.delivered()

    done = await sent_out(service, headers, await campaign(service, headers))
    await campaign_round(service)  # another round sends nothing more
    await service.delivered()

    assert campaign_texts(service, AMINA) == [NEWS["fr"]]
    assert campaign_texts(service, KARIM) == []
    assert [m["interactive"]["body"]["text"] for m in service.graph.messages[-1:]] == [NEWS["ary"]]
    assert done["counts"]["sent"] == 2 and done["counts"]["audience"] == 2


async def test_the_stop_button_ends_the_topic_and_the_next_campaign_skips_the_user(service):
    headers = await editor(service)
    await telegram_says(service, AMINA, "Bonjour, je veux recevoir les nouvelles de l'ODCO")
    first = await campaign(service, headers)
    await sent_out(service, headers, first)
    keyboard = service.telegram.sent(chat_id=AMINA)[-1]["reply_markup"]["inline_keyboard"]
    stop = next(row[0] for row in keyboard if row[0]["text"] == "Stop")

    await telegram_taps(service, AMINA, stop["callback_data"])
    await service.delivered()
    second = await sent_out(service, headers, await campaign(service, headers, name="Second"))

    assert "ne recevrez plus" in service.telegram.texts(AMINA)[-1]
    assert campaign_texts(service, AMINA) == [NEWS["fr"]]
    assert second["counts"]["audience"] == 0
    results = await service.client.get(f"/admin/campaigns/{first}/results", headers=headers)
    assert results.json()["counts"]["stopped"] == 1


async def test_a_bare_wqef_after_a_campaign_message_stops_its_topic(service):
    headers = await editor(service)
    await telegram_says(service, SAID, "بغيت نتوصل بالأخبار ديال المكتب")
    await sent_out(service, headers, await campaign(service, headers))

    await telegram_says(service, SAID, "وقف")
    await service.delivered()

    assert "ما بقاش" in service.telegram.texts(SAID)[-1]
    async with service.services.db.transaction() as session:
        consent = await session.scalar(select(Consent))
    assert consent.topic == "news" and consent.withdrawn_at is not None


async def test_a_campaign_button_opens_its_flow_and_is_counted(service):
    headers = await editor(service)
    await telegram_says(service, AMINA, "Bonjour, je veux recevoir les nouvelles de l'ODCO")
    button = {
        "payload": "intent:talk_to_advisor",
        "title": {"fr": "Parler à un conseiller", "ar": "محادثة مستشار", "ary": "هضر مع مستشار"},
    }
    campaign_id = await campaign(service, headers, buttons=[button])
    await sent_out(service, headers, campaign_id)
    keyboard = service.telegram.sent(chat_id=AMINA)[-1]["reply_markup"]["inline_keyboard"]

    await telegram_taps(service, AMINA, keyboard[0][0]["callback_data"])
    await service.delivered()
    results = await service.client.get(f"/admin/campaigns/{campaign_id}", headers=headers)

    assert "conseill" in service.telegram.texts(AMINA)[-1]
    assert results.json()["counts"]["button_taps"] == 1
    assert results.json()["counts"]["wrote_back_48h"] == 1


async def test_whatsapp_outside_the_window_gets_the_template_of_its_language_or_is_skipped(
    service,
):
    headers = await editor(service)
    await whatsapp_says(service, FATIMA, "بغيت نتوصل بالأخبار ديال المكتب")
    await whatsapp_says(service, "MA.2120000000002", "Je veux recevoir les nouvelles de l'ODCO")
    await service.delivered()
    async with service.services.db.transaction() as session:
        await session.execute(update(User).values(last_seen_at=utcnow() - timedelta(days=3)))
    templates = {"ary": {"name": "odco_news", "code": "ar"}}

    done = await sent_out(service, headers, await campaign(service, headers, templates=templates))

    template = service.graph.messages[-1]
    assert template["type"] == "template" and template["template"]["name"] == "odco_news"
    assert (done["counts"]["sent"], done["counts"]["skipped_no_template"]) == (1, 1)


async def test_a_user_who_blocked_the_bot_is_marked_counted_and_skipped_next_time(service):
    headers = await editor(service)
    await telegram_says(service, KARIM, "Bonjour, je veux recevoir les nouvelles de l'ODCO")
    await service.delivered()
    service.telegram.forbidden_chats.add(str(KARIM))

    first = await sent_out(service, headers, await campaign(service, headers))
    second = await sent_out(service, headers, await campaign(service, headers, name="Second"))

    assert first["counts"]["blocked"] == 1
    assert second["counts"]["skipped_blocked"] == 1
    assert len(service.telegram.sent(chat_id=KARIM)) == 2  # the welcome and the consent


async def test_a_reply_is_sent_before_the_campaign_messages_already_queued(service):
    headers = await editor(service)
    await telegram_says(service, AMINA, "Bonjour, je veux recevoir les nouvelles de l'ODCO")
    await service.delivered()
    async with service.services.db.transaction() as session:
        session.add_all(
            User(channel="telegram", channel_user_id=str(7000 + n), language="fr")
            for n in range(200)
        )
        await session.flush()
        others = select(User.id).where(User.channel_user_id != str(AMINA))
        for user_id in (await session.scalars(others)).all():
            session.add(Consent(user_id=user_id, topic="news"))
    campaign_id = await campaign(service, headers)
    service.services.worker.stop()  # the outbox waits: campaign messages pile up
    await service.client.post(f"/admin/campaigns/{campaign_id}/send", headers=headers)
    await campaign_round(service)
    async with service.services.db.transaction() as session:
        await feed(session, channel="telegram", rate=1000, now=utcnow() + timedelta(seconds=2))

    await telegram_says(service, AMINA, "c'est quoi Intilaka ?")
    async with service.services.db.transaction() as session:
        first = await repo.claim_outbox(session, channel="telegram", limit=1)

    ((item, user),) = first
    assert user.channel_user_id == str(AMINA) and item.priority == 0
    assert "Intilaka" in item.body["text"]


async def test_the_api_schedules_at_a_casablanca_time_and_refuses_impossible_changes(service):
    headers = await editor(service)
    campaign_id = await campaign(service, headers)
    path = f"/admin/campaigns/{campaign_id}"

    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT09:30")
    scheduled = await service.client.post(f"{path}/send", json={"send_at": later}, headers=headers)
    paused = await service.client.post(f"{path}/pause", headers=headers)
    resumed = await service.client.post(f"{path}/resume", headers=headers)
    cancelled = await service.client.post(f"{path}/cancel", headers=headers)
    again = await service.client.post(f"{path}/resume", headers=headers)
    past = await service.client.post(
        f"/admin/campaigns/{await campaign(service, headers)}/send",
        json={"send_at": "2020-01-01T09:00"},
        headers=headers,
    )

    assert scheduled.json()["send_at"] == later and scheduled.json()["status"] == "scheduled"
    assert [r.json()["status"] for r in (paused, resumed, cancelled)] == [
        "paused",
        "scheduled",
        "cancelled",
    ]
    assert (again.status_code, past.status_code) == (409, 422)


async def test_the_audience_preview_counts_consent_channel_and_questionnaire_answers(service):
    headers = await editor(service)
    await telegram_says(service, AMINA, "Bonjour, je veux recevoir les nouvelles de l'ODCO")
    await telegram_says(service, KARIM, "Je veux recevoir les nouvelles et les échéances")
    await whatsapp_says(service, FATIMA, "بغيت نتوصل بالأخبار ديال المكتب")
    await service.delivered()
    async with service.services.db.transaction() as session:
        karim = await turn_rows.user_for(session, channel="telegram", channel_user_id=str(KARIM))
        state = await repo.state_for(session, user=karim)
        state.answers = {"financing_finder": {"sector": "agriculture", "stage": "created"}}
    everyone = await campaign(service, headers)
    telegram = await campaign(service, headers, audience={"channels": ["telegram"]})
    farmers = await campaign(
        service, headers, audience={"answers": {"sector": ["agriculture", "crafts"]}}
    )

    counts = [
        (await service.client.get(f"/admin/campaigns/{c}/audience", headers=headers)).json()
        for c in (everyone, telegram, farmers)
    ]

    assert counts == [{"count": 3}, {"count": 2}, {"count": 1}]


async def test_results_come_as_csv_and_in_the_insights(service):
    headers = await editor(service)
    await telegram_says(service, AMINA, "Bonjour, je veux recevoir les nouvelles de l'ODCO")
    campaign_id = await campaign(service, headers)
    await sent_out(service, headers, campaign_id)

    csv = await service.client.get(f"/admin/campaigns/{campaign_id}/results.csv", headers=headers)
    insights = await service.client.get("/admin/insights", headers=headers)

    header, row = csv.text.strip().splitlines()
    assert header.startswith("id,name,topic,status,audience,queued")
    assert row.startswith(f"{campaign_id},Intilaka 2027,news,done,1,")
    assert insights.json()["campaigns"][0]["sent"] == 1


async def test_a_test_send_reaches_one_editor_without_consent(service):
    headers = await editor(service)
    await telegram_says(service, SAID, "salam")
    await service.delivered()
    campaign_id = await campaign(service, headers)

    sent = await service.client.post(
        f"/admin/campaigns/{campaign_id}/test",
        json={"channel": "telegram", "user": str(SAID)},
        headers=headers,
    )
    await service.delivered()

    assert sent.json() == {"queued": True, "skipped": None}
    assert service.telegram.texts(SAID)[-1] in (NEWS["ary"], NEWS["fr"], NEWS["ary-Latn"])


async def test_a_campaign_body_with_an_unknown_topic_or_missing_text_is_a_422(service):
    headers = await editor(service)
    wrong_topic = {"name": "x", "topic": "sport", "text": NEWS}
    no_arabic = {"name": "x", "topic": "news", "text": {"fr": "Bonjour"}}
    for body in (wrong_topic, no_arabic):
        response = await service.client.post("/admin/campaigns", json=body, headers=headers)
        assert response.status_code == 422
    advisor = await service.client.get("/admin/campaigns", headers={"Authorization": "Bearer nope"})
    assert advisor.status_code == 401


async def test_a_campaign_making_a_forbidden_claim_in_darija_is_refused_naming_the_rule(service):
    headers = await editor(service)
    text = NEWS | {"ary-Latn": "Khass sb3a dyal nas bach tdiro cooperative, sjlo daba!"}
    body = {"name": "Création", "topic": "news", "text": text}
    response = await service.client.post("/admin/campaigns", json=body, headers=headers)
    assert response.status_code == 422
    assert "seven_founders" in response.json()["detail"]
    assert "ary-Latn" in response.json()["detail"]
    listed = await service.client.get("/admin/campaigns", headers=headers)
    assert listed.json() == []


async def test_erasing_my_data_erases_my_consents_and_deliveries(service):
    headers = await editor(service)
    await telegram_says(service, AMINA, "Bonjour, je veux recevoir les nouvelles de l'ODCO")
    await sent_out(service, headers, await campaign(service, headers))

    await telegram_says(service, AMINA, "supprimer mes données")
    await telegram_taps(service, AMINA, "privacy:erase")
    await service.delivered()

    async with service.services.db.transaction() as session:
        assert (await session.scalars(select(Consent))).all() == []
        assert (await session.scalars(select(CampaignDelivery))).all() == []


async def test_the_hint_to_receive_news_comes_once_after_a_first_answer(chat):
    first = await chat.send("Bonjour, c'est quoi le programme Intilaka ?")
    second = await chat.send("Et comment obtenir l'agrément ONSSA ?")

    assert "je veux recevoir les nouvelles" in first[-1].text
    assert all("recevoir les nouvelles" not in o.text for o in second)


async def test_a_reminder_asked_just_after_subscribing_is_a_reminder_not_a_topic(chat, db):
    await chat.send("السلام عليكم، ما هي شروط الحصول على تمويل انطلاقة؟")
    await chat.send("أريد التوصل بالأخبار")
    replies = await chat.send("ذكرني غدا على الساعة العاشرة بإيداع التقرير المالي")
    assert "التقرير المالي" in replies[-1].text
    assert "ستتوصل" not in replies[-1].text
    async with db.transaction() as session:
        topics = await session.scalars(select(Consent.topic))
        assert list(topics) == ["news"]


async def test_asking_for_news_after_a_greeting_in_the_very_first_message_subscribes_at_once(
    chat, db
):
    replies = await chat.send("salam bghit nwsal b lakhbar")  # no language question first
    assert "lakhbar" in replies[-1].text
    async with db.transaction() as session:
        assert list(await session.scalars(select(Consent.topic))) == ["news"]


async def test_consent_and_its_withdrawal_are_kept_with_their_time(chat, db):
    await chat.send("Salam, bghit nwsal b lakhbar dyal ODCO 3afak")
    async with db.transaction() as session:
        granted = await session.scalar(select(Consent))
    await chat.send("ma b9itch bghit nwsal b lakhbar")
    async with db.transaction() as session:
        withdrawn = await session.scalar(select(Consent))

    assert (granted.topic, granted.withdrawn_at) == ("news", None)
    assert withdrawn.withdrawn_at >= withdrawn.granted_at == granted.granted_at


async def test_asking_which_messages_exist_shows_the_topics_and_subscribes_nobody(chat, db):
    replies = await chat.send("Quels types de messages vous pouvez m'envoyer ?")
    chosen = await chat.send("seulement les capsules")

    assert [b.payload for b in replies[-1].buttons][:3] == [
        "consent:news",
        "consent:deadlines",
        "consent:capsules",
    ]
    assert "capsules" in chosen[-1].text
    async with db.transaction() as session:
        assert [c.topic for c in (await session.scalars(select(Consent))).all()] == ["capsules"]


async def test_the_campaign_routes_are_documented_with_examples(service):
    schema = (await service.client.get("/openapi.json")).json()

    paths = {path for path in schema["paths"] if path.startswith("/admin/campaigns")}
    body = schema["components"]["schemas"]["CampaignIn"]

    assert {
        "/admin/campaigns",
        "/admin/campaigns/{campaign_id}",
        "/admin/campaigns/{campaign_id}/audience",
        "/admin/campaigns/{campaign_id}/send",
        "/admin/campaigns/{campaign_id}/pause",
        "/admin/campaigns/{campaign_id}/resume",
        "/admin/campaigns/{campaign_id}/cancel",
        "/admin/campaigns/{campaign_id}/test",
        "/admin/campaigns/{campaign_id}/results",
        "/admin/campaigns/{campaign_id}/results.csv",
    } <= paths
    assert body["examples"][0]["topic"] == "deadlines"


async def test_with_no_campaign_under_way_a_senders_round_is_one_query(service):
    headers = await editor(service)
    await campaign(service, headers)  # a draft is not under way
    own = Database(service.services.settings.resolved_database_url)  # no background job's
    try:
        with counting_statements(own) as idle:
            assert await sender_for(service.services.settings, own, lambda: None).round() == 0
    finally:
        await own.dispose()
    assert len(idle) == 1
