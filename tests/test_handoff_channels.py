"""Handoff end to end: users on WhatsApp and Telegram, advisors in a fake forum group."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.clock import utcnow
from bot.i18n import _, use_language
from bot.store.models import Handoff, HandoffEvent, OutboxItem, User
from tests.desk import (
    CONFIGURED_ADVISOR,
    GROUP,
    KARIMA,
    STRANGER,
    TELEGRAM_USER,
    YOUSSEF,
    from_whatsapp,
    handoff_row,
    in_the_group,
    to_telegram,
    whatsapp_user_asks_an_advisor,
)
from tests.fakes.telegram_api import group_update, text_update, voice_update
from tests.fakes.whatsapp_api import (
    image_message,
    list_reply,
    text_message,
    voice_message,
)

pytestmark = pytest.mark.store


async def test_a_whatsapp_user_reaches_an_advisor_and_comes_back_to_the_bot(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    assert desk.telegram.topics[thread].startswith("#1 · ary-Latn · ")
    summary, question = desk.telegram.topic_texts(thread)[:2]
    assert "whatsapp · Fatima" in summary and "bghit nhder m3a chi mostachar" in summary
    assert question == "👤 Fatima: 3ndi mochkil f dossier dyal intilaka, lbanka ma bghatch tjawbni"

    await in_the_group(desk, 501, KARIMA, "Salam Fatima, chno smiyt lbanka?")
    await desk.delivered()
    assert desk.graph.texts()[-1].endswith("Salam Fatima, chno smiyt lbanka?")
    assert "Karima" in desk.graph.texts()[-1]

    await from_whatsapp(desk, text_message("wamid.H3", "CIH f Agadir"))
    await desk.delivered()
    assert desk.telegram.topic_texts(thread)[-1] == "👤 Fatima: CIH f Agadir"
    assert desk.graph.texts()[-1].endswith("chno smiyt lbanka?")  # the bot stayed quiet

    await in_the_group(desk, 502, KARIMA, "/close")
    await desk.delivered()
    rating = desk.graph.interactive()[-1]
    assert [row["id"] for row in rating["action"]["sections"][0]["rows"]] == [
        f"rate:1:{score}" for score in (1, 2, 3, 4, 5)
    ]

    await from_whatsapp(desk, list_reply("wamid.H4", "rate:1:5", "⭐⭐⭐⭐⭐"))
    await desk.delivered()
    assert desk.telegram.topic_texts(thread)[-1].endswith("5/5.")
    assert (await handoff_row(desk)).rating == 5


async def test_the_rating_list_after_an_advisor_closes_is_labelled_in_the_users_language(desk):
    await whatsapp_user_asks_an_advisor(desk)  # in Darija, Latin letters
    await in_the_group(desk, 501, KARIMA, "/close")
    await desk.delivered()
    rating = desk.graph.interactive()[-1]
    assert rating["action"]["button"] == "Nkhtar"
    assert rating["action"]["sections"][0]["title"] == "Nkhtar"


async def test_the_first_advisor_to_answer_claims_and_a_second_is_told_who_has_it(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    await asyncio.gather(
        in_the_group(desk, 601, KARIMA, "Salam, ana Karima."),
        in_the_group(desk, 602, YOUSSEF, "Salam, ana Youssef."),
    )
    await desk.delivered()
    relayed = [text for text in desk.graph.texts() if "ana " in text]
    assert len(relayed) == 1
    handoff = await handoff_row(desk)
    loser = "Youssef" if handoff.advisor_name == "Karima" else "Karima"
    assert any(
        text.startswith("⚠️") and handoff.advisor_name in text
        for text in desk.telegram.topic_texts(thread)
    )
    assert loser not in relayed[0]


async def test_a_transfer_lets_another_advisor_answer(desk):
    await whatsapp_user_asks_an_advisor(desk)
    await in_the_group(desk, 611, KARIMA, "Salam, ghadi nchouf m3ak.")
    await in_the_group(desk, 612, KARIMA, "/transfer Youssef")
    await in_the_group(desk, 613, YOUSSEF, "Ana Youssef, lmilaf dyalk 3ndi daba.")
    await desk.delivered()
    assert desk.graph.texts()[-1].startswith("Youssef")
    assert (await handoff_row(desk)).advisor_name == "Youssef"


async def test_someone_who_is_not_a_registered_advisor_is_ignored_in_the_group(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    before = len(desk.telegram.topic_texts(thread))
    await in_the_group(desk, 701, STRANGER, "Salam, ana mn l'équipe, 3tini rqmk")
    await desk.delivered()
    assert not any("3tini rqmk" in text for text in desk.graph.texts())
    assert len(desk.telegram.topic_texts(thread)) == before
    assert (await handoff_row(desk)).status == "waiting"


async def test_an_advisor_listed_in_the_configuration_answers_without_a_public_name(desk):
    await whatsapp_user_asks_an_advisor(desk)
    await in_the_group(desk, 711, CONFIGURED_ADVISOR, "Salam, kanchoufo f talab dyalk.")
    await desk.delivered()
    assert "Karima" not in desk.graph.texts()[-1]
    assert desk.graph.texts()[-1].endswith("kanchoufo f talab dyalk.")


async def test_a_redelivered_advisor_message_reaches_the_user_once(desk):
    await whatsapp_user_asks_an_advisor(desk)
    await in_the_group(desk, 721, KARIMA, "Wach 3ndk l'attestation négative?")
    await in_the_group(desk, 721, KARIMA, "Wach 3ndk l'attestation négative?")
    await desk.delivered()
    assert sum("attestation" in text for text in desk.graph.texts()) == 1


async def test_a_note_stays_in_the_group(desk):
    await whatsapp_user_asks_an_advisor(desk)
    await in_the_group(desk, 731, KARIMA, "/note khassha tmchi l délégation d Agadir")
    await desk.delivered()
    assert not any("délégation" in text for text in desk.graph.texts())
    async with desk.services.db.transaction() as session:
        note = await session.scalar(select(HandoffEvent).where(HandoffEvent.author == "note"))
    assert note.text == "khassha tmchi l délégation d Agadir"


async def test_a_voice_note_and_a_photo_reach_the_topic_as_they_are(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    await from_whatsapp(desk, voice_message("wamid.V1"))
    await from_whatsapp(desk, image_message("wamid.P1", "hadi l'attestation"))
    await desk.delivered()
    kinds = [name for name, _params in desk.telegram.in_topic(thread)]
    assert kinds[-3:] == ["sendVoice", "sendMessage", "sendPhoto"]
    assert desk.telegram.topic_texts(thread)[-2] == "👤 Fatima: hadi l'attestation"


async def test_a_telegram_users_voice_note_is_copied_into_the_topic(desk):
    await to_telegram(
        desk,
        text_update(
            1, TELEGRAM_USER, "Bonjour, je veux parler à un conseiller pour mon dossier de label"
        ),
    )
    await desk.delivered()
    await to_telegram(desk, voice_update(2, TELEGRAM_USER))
    await desk.delivered()
    thread = next(iter(desk.telegram.topics))
    copy = desk.telegram.in_topic(thread)[-1]
    assert copy[0] == "copyMessage"
    assert (copy[1]["from_chat_id"], copy[1]["message_id"]) == (str(TELEGRAM_USER), "2")


async def test_a_burst_of_messages_opens_one_topic(desk):
    await from_whatsapp(desk, text_message("wamid.B1", "bghit nhder m3a chi mostachar"))
    await from_whatsapp(desk, text_message("wamid.B2", "3ndi so2al 3la la TVA dyal t3awniya"))
    burst = ["wach kayna chi 7al?", "3afak", "rani msta3jla", "ila mumkin lyoum", "chokran", "?"]
    await asyncio.gather(
        *(
            from_whatsapp(desk, text_message(f"wamid.B{n}", text))
            for n, text in enumerate(burst, start=3)
        )
    )
    await desk.delivered()
    assert len(desk.telegram.topics) == 1
    # the summary, the question, then the six messages of the burst
    assert len(desk.telegram.topic_texts(next(iter(desk.telegram.topics)))) == 8


async def test_a_topic_an_admin_deleted_is_opened_again_with_the_summary(desk):
    first = await whatsapp_user_asks_an_advisor(desk)
    desk.telegram.deleted_topics.add(first)
    await from_whatsapp(desk, text_message("wamid.D2", "wach kayn chi jdid?"))
    await desk.delivered()
    second = max(desk.telegram.topics)
    assert second != first
    texts = desk.telegram.topic_texts(second)
    assert texts[0].startswith("♻️") and texts[-1] == "👤 Fatima: wach kayn chi jdid?"
    assert (await handoff_row(desk)).thread_id == second
    await in_the_group(desk, 801, KARIMA, "Salam, ana hna.", thread=second)
    await desk.delivered()
    assert desk.graph.texts()[-1].endswith("Salam, ana hna.")


async def test_an_unreachable_group_keeps_the_request_retries_it_and_tells_the_user(desk):
    desk.telegram.unreachable_chats.add(str(GROUP))
    await from_whatsapp(
        desk,
        text_message("wamid.U1", "bghit nhder m3a chi mostachar, 3ndi mochkil f l'inscription"),
    )
    await desk.delivered()
    assert not desk.telegram.topics
    with use_language("ary-Latn"):
        unreachable = _(
            "Our advisors cannot be reached right now. Your request is saved and will "
            "reach them as soon as possible; you will get the answer here."
        )
    told = [t for t in desk.graph.texts() if t.startswith(unreachable[:40])]
    assert len(told) == 1
    async with desk.services.db.transaction() as session:
        waiting = await session.scalar(select(OutboxItem).where(OutboxItem.channel == "advisors"))
        assert waiting.status == "pending" and waiting.not_before is not None
        waiting.not_before = None  # the back-off has passed
    desk.telegram.unreachable_chats.clear()
    await desk.delivered()
    assert len(desk.telegram.topics) == 1
    assert "l'inscription" in desk.telegram.topic_texts(next(iter(desk.telegram.topics)))[0]


async def test_a_user_who_erases_their_data_during_a_handoff_leaves_no_trace(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    await from_whatsapp(desk, text_message("wamid.E1", "bghit tmse7 ga3 les données dyali"))
    await desk.delivered()
    await from_whatsapp(
        desk,
        list_reply("wamid.E2", "privacy:erase")
        | {
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": "privacy:erase", "title": "…"},
            }
        },
    )
    await desk.delivered()
    assert thread in desk.telegram.deleted_topics
    async with desk.services.db.transaction() as session:
        for table in (User, Handoff, HandoffEvent, OutboxItem):
            assert await session.scalar(select(func.count()).select_from(table)) == 0
    await in_the_group(desk, 901, KARIMA, "Salam?", thread=thread)
    await desk.delivered()
    assert not any(text.endswith("Salam?") for text in desk.graph.texts())


async def test_service_messages_and_the_general_topic_are_left_alone(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    created = group_update(951, GROUP, thread, KARIMA, "")
    del created["message"]["text"]
    created["message"]["forum_topic_created"] = {"name": "x", "icon_color": 7322096}
    await to_telegram(desk, created)
    await to_telegram(desk, group_update(952, GROUP, None, KARIMA, "Salam l'équipe!"))
    await desk.delivered()
    assert not any("Salam l'équipe" in text for text in desk.graph.texts())
    assert (await handoff_row(desk)).status == "waiting"


async def test_an_answer_after_a_day_of_silence_goes_to_whatsapp_as_the_approved_template(desk):
    await whatsapp_user_asks_an_advisor(desk)
    async with desk.services.db.transaction() as session:
        await session.execute(update(User).values(last_seen_at=utcnow() - timedelta(hours=25)))
    await in_the_group(desk, 961, KARIMA, "Salam Fatima, l'attestation dyalk wajda.")
    await desk.delivered()
    sent = desk.graph.messages[-1]
    assert sent["type"] == "template"
    assert "l'attestation dyalk wajda" in json.dumps(sent, ensure_ascii=False)


async def test_a_file_whatsapp_no_longer_has_is_announced_in_words(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    desk.graph.media.clear()
    await from_whatsapp(desk, voice_message("wamid.V9"))
    await desk.delivered()
    note = desk.telegram.topic_texts(thread)[-1]
    assert note.startswith("👤 Fatima: [") and "n'a pas pu être transmis" in note
    assert desk.telegram.in_topic(thread)[-1][0] == "sendMessage"


async def last_in_topic_once_settled(desk, thread: int, expected_start: str) -> str:
    """The topic's last text once it starts so (or after 10 s): the advisors' notice of a
    failure is queued after the failure is recorded, by the sender that saw it, so an
    empty outbox for a moment does not mean it is there yet."""
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        await desk.delivered()
        last = desk.telegram.topic_texts(thread)[-1]
        if last.startswith(expected_start) or asyncio.get_running_loop().time() > deadline:
            return last
        await asyncio.sleep(0.05)


async def test_advisors_hear_when_their_answer_could_not_reach_the_user(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    desk.graph.failures.append(131026)  # "message undeliverable"
    await in_the_group(desk, 981, KARIMA, "Salam Fatima, wach nta hna?")
    notice = await last_in_topic_once_settled(desk, thread, "⚠️")
    assert notice.startswith("⚠️") and "131026" in notice
    async with desk.services.db.transaction() as session:
        event = await session.scalar(select(HandoffEvent).where(HandoffEvent.author == "bot"))
    assert "131026" in event.text  # seen by advisors working through the API too


async def test_a_closed_conversations_topic_is_closed_and_still_gets_the_rating(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    desk.telegram.bots_write_in_closed_topics = False
    await in_the_group(desk, 991, KARIMA, "/close")
    await desk.delivered()
    assert thread in desk.telegram.closed_topics
    await from_whatsapp(desk, list_reply("wamid.R9", "rate:1:3", "⭐⭐⭐"))
    await desk.delivered()
    assert desk.telegram.topic_texts(thread)[-1].endswith("3/5.")


async def test_leaving_the_queue_closes_the_topic(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    await from_whatsapp(desk, text_message("wamid.L1", "menu"))
    await desk.delivered()
    assert thread in desk.telegram.closed_topics
