"""Asking for an advisor, waiting, leaving and rating, as the user lives it (no group
configured: advisors then work through the API)."""

from __future__ import annotations

import asyncio
import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.channels.terminal import TerminalChat
from bot.handoff.desk import AdvisorRef
from bot.i18n import _, use_language
from bot.messages import Media
from bot.store.models import Handoff, HandoffEvent, Reminder

# Morocco is on UTC+00 all year since 20 September 2026 (tzdata 2026c).
# Thursday 26 November 2026, 10:00 in Casablanca: advisors are at work.
OPEN = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
# Saturday 28 November 2026, 20:00 in Casablanca: they are not.
CLOSED = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
# Friday 18 September 2026, 17:00 in Casablanca (still UTC+01): the weekend starts, and the
# clocks go back before Monday.
BEFORE_THE_CLOCK_CHANGE = datetime(2026, 9, 18, 16, 0, tzinfo=UTC)
KARIMA = AdvisorRef("telegram:9001", "Karima")

pytestmark = pytest.mark.store


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive UTC times, PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def say(chat, text="", at=OPEN, **kwargs):
    return await chat.send(text, received_at=at, **kwargs)


async def asks_in_darija(chat, at=OPEN):
    """A Darija user asks for an advisor in so many words: the replies to that request."""
    await say(chat, "salam", at=at)
    await say(chat, payload="lang:ary", at=at)
    return await say(chat, "بغيت نهضر مع شي مستشار", at=at)


async def in_darija_handoff(chat, at=OPEN):
    """Asked, then said what it is about: the replies to that question."""
    await asks_in_darija(chat, at=at)
    return await say(chat, "عندي مشكل مع البنك ف الملف ديال انطلاقة", at=at)


async def the_handoff(chat) -> Handoff:
    async with chat.engine.db.transaction() as session:
        return await session.scalar(select(Handoff).order_by(Handoff.id.desc()))


async def test_asking_for_an_advisor_queues_the_request_at_once_and_invites_the_question(chat):
    await say(chat, "Bonjour")
    await say(chat, payload="lang:fr")
    replies = await say(chat, "je veux parler à un conseiller")
    handoff = await the_handoff(chat)
    assert (handoff.status, handoff.description) == ("waiting", "")
    with use_language("fr"):
        assert _("Write your question here: the advisor will read it.") in replies[0].text
    assert [b.payload for b in replies[0].buttons] == ["handoff:leave"]


async def test_greetings_and_please_around_the_request_do_not_make_it_a_description(chat):
    await say(chat, "Bonjour")
    await say(chat, payload="lang:fr")
    await say(chat, "Bonjour, je voudrais parler à un conseiller s'il vous plaît")
    assert (await the_handoff(chat)).description == ""


async def test_a_request_after_an_answer_tells_the_advisor_what_the_user_was_reading(chat):
    await say(chat, "Bonjour")
    await say(chat, payload="lang:fr")
    await say(chat, "c'est quoi le programme Intilaka ?")
    await say(chat, "je veux parler à un conseiller")
    handoff = await the_handoff(chat)
    assert handoff.description == "Demandé après la réponse sur « Programme Intilaka »"
    assert handoff.description in handoff.summary


async def test_a_request_that_says_what_it_is_about_opens_at_once(chat):
    await say(chat, "Bonjour")
    await say(chat, payload="lang:fr")
    await say(
        chat,
        "Bonjour, je voudrais parler à un conseiller, j'ai un problème avec mon "
        "dossier de coopérative",
    )
    handoff = await the_handoff(chat)
    assert handoff.status == "waiting"
    assert handoff.description.endswith("mon dossier de coopérative")


async def test_the_message_after_the_request_reaches_the_advisors_as_its_question(chat):
    await asks_in_darija(chat)
    replies = await say(chat, "عندي مشكل مع البنك ف الملف ديال انطلاقة")
    handoff = await the_handoff(chat)
    assert handoff.description == "عندي مشكل مع البنك ف الملف ديال انطلاقة"
    assert (handoff.language, handoff.channel) == ("ary", "terminal")
    async with chat.engine.db.transaction() as session:
        events = (await session.scalars(select(HandoffEvent))).all()
    assert [(e.author, e.text) for e in events] == [
        ("user", "عندي مشكل مع البنك ف الملف ديال انطلاقة")
    ]
    with use_language("ary"):
        assert replies[0].text == _("Added to your request ✓ An advisor will answer here.")


async def test_only_the_first_message_after_the_request_becomes_its_question(chat):
    await in_darija_handoff(chat)
    await say(chat, "و الفاتورات ديال الماكينة")
    handoff = await the_handoff(chat)
    assert handoff.description == "عندي مشكل مع البنك ف الملف ديال انطلاقة"


async def test_a_request_that_said_what_it_is_about_keeps_its_words(chat):
    await say(chat, "Bonjour")
    await say(chat, payload="lang:fr")
    replies = await say(
        chat, "je veux parler à un conseiller pour notre dossier d'agrément ONSSA qui bloque"
    )
    await say(chat, "on a déposé le dossier il y a deux mois")
    handoff = await the_handoff(chat)
    assert handoff.description.endswith("notre dossier d'agrément ONSSA qui bloque")
    with use_language("fr"):
        assert _("You can add details here: the advisor will read them.") in replies[0].text


async def test_changing_ones_mind_right_after_the_request_leaves_the_queue_and_says_so(chat):
    await asks_in_darija(chat)
    replies = await say(chat, "لا صافي ما بقيتش باغي")
    with use_language("ary"):
        assert replies[0].text == _("You have left the advisors' queue. I am here again:")
    handoff = await the_handoff(chat)
    assert (handoff.status, handoff.closed_by) == ("closed", "user")


async def test_a_question_about_the_handoff_right_after_the_request_is_answered_not_passed_on(
    chat,
):
    await say(chat, "Bonjour")
    await say(chat, payload="lang:fr")
    await say(chat, "je veux parler à un conseiller")
    replies = await say(chat, "je peux annuler ?")
    assert "Quitter la file" in replies[0].text
    handoff = await the_handoff(chat)
    assert (handoff.status, handoff.description) == ("waiting", "")
    async with chat.engine.db.transaction() as session:
        assert (await session.scalars(select(HandoffEvent))).all() == []


async def test_outside_working_hours_the_user_learns_when_advisors_are_back(chat):
    replies = await asks_in_darija(chat, at=CLOSED)
    assert "الاثنين" in replies[0].text and "09:00" in replies[0].text
    handoff = await the_handoff(chat)
    assert as_utc(handoff.expected_from) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def test_the_next_opening_is_nine_oclock_local_across_the_clock_change(chat):
    await in_darija_handoff(chat, at=BEFORE_THE_CLOCK_CHANGE)
    handoff = await the_handoff(chat)
    assert as_utc(handoff.expected_from) == datetime(2026, 9, 21, 9, 0, tzinfo=UTC)


async def test_the_menu_button_queues_the_request_at_once(chat):
    await say(chat, "salam")
    await say(chat, payload="lang:ary")
    replies = await say(chat, payload="intent:talk_to_advisor")
    assert (await the_handoff(chat)).status == "waiting"
    with use_language("ary"):
        assert _("Write your question here: the advisor will read it.") in replies[0].text


async def test_a_voice_note_after_the_request_reaches_the_advisors(chat):
    await say(chat, "salam")
    await say(chat, payload="lang:ary")
    await say(chat, "bghit nhder m3a chi wa7ed")
    replies = await say(chat, media=Media.voice, media_ref="MA:42")
    assert replies[0].buttons[0].payload == "handoff:leave"
    async with chat.engine.db.transaction() as session:
        event = await session.scalar(select(HandoffEvent))
    assert event.media == "voice"


async def test_the_first_detail_added_while_waiting_is_acknowledged_once(chat):
    await asks_in_darija(chat)
    first = await say(chat, "الملف فيه الكراء ديال المحل")
    with use_language("ary"):
        assert first[0].text == _("Added to your request ✓ An advisor will answer here.")
    assert await say(chat, "و الفاتورات ديال الماكينة") == []


async def test_while_advisors_have_the_conversation_the_bot_stays_quiet(chat):
    await advisor_asked(chat, "Ch7al dyal lflous bghiti?")
    assert await say(chat, "ch7al dyal lflous kay3tiw f intilaka?") == []
    async with chat.engine.db.transaction() as session:
        events = (await session.scalars(select(HandoffEvent))).all()
    assert "ch7al dyal lflous kay3tiw f intilaka?" in [e.text for e in events]


async def test_a_number_typed_while_waiting_means_the_button_shown_with_it(chat):
    waiting = await in_darija_handoff(chat)
    assert waiting[0].buttons[0].payload == "handoff:leave"
    await say(chat, "1")
    assert (await the_handoff(chat)).status != "waiting"


async def test_once_an_advisor_answers_a_typed_number_is_for_the_advisor(chat):
    await advisor_asked(chat, "Ch7al mn wa7ed ntouma f l'cooperative?")
    assert await say(chat, "7") == []
    assert (await the_handoff(chat)).status == "claimed"


async def test_once_an_advisor_answers_no_thanks_is_for_the_advisor(chat):
    await advisor_asked(chat, "Bghiti nsifet lik la liste dyal lwra9?")
    assert await say(chat, "la chokran") == []
    assert (await the_handoff(chat)).status == "claimed"


async def advisor_asked(chat, question: str) -> None:
    """A Darija user waiting, and Karima's question to them delivered."""
    await in_darija_handoff(chat)
    handoff = await the_handoff(chat)
    async with chat.engine.db.transaction() as session:
        handoff = await session.get(Handoff, handoff.id)
        await chat.engine.desk.act(session, handoff, KARIMA, command=None, text=question)
    await chat.deliver()


async def test_a_deep_link_opened_while_waiting_leaves_the_queue_and_answers_it(chat):
    await in_darija_handoff(chat)
    replies = await say(chat, "/start intilaka")
    with use_language("ary"):
        assert replies[0].text == _("You have left the advisors' queue. I am here again:")
    assert "انطلاقة" in replies[1].text
    assert (await the_handoff(chat)).status == "closed"


async def test_a_typed_button_label_while_waiting_is_a_choice(chat):
    await in_darija_handoff(chat)
    with use_language("ary"):
        label = _("Leave the queue")
    replies = await say(chat, label)
    assert (await the_handoff(chat)).status == "closed" and replies


@pytest.mark.parametrize("word", ["menu", "Stop", "رجوع", "المينو", "safi", "Retour"])
async def test_a_menu_or_stop_word_leaves_the_queue(chat, word):
    await in_darija_handoff(chat)
    replies = await say(chat, word)
    assert "intent:create_cooperative" in [b.payload for b in replies[0].buttons]
    handoff = await the_handoff(chat)
    assert (handoff.status, handoff.closed_by) == ("closed", "user")
    assert await say(chat, "chno homa lwata2i9 dyal ta2sis t3awniya?") != []


async def test_the_advisor_summary_carries_the_financing_answers(chat):
    await say(chat, "Bonjour")
    await say(chat, payload="lang:fr")
    await say(chat, payload="finder:start")
    for answer in (
        "stage=created",
        "age=young",
        "sector=agriculture",
        "area=rural",
        "audience=women",
        "amount=50000",
    ):
        await say(chat, payload=f"finder:{answer}")
    await say(chat, payload="intent:talk_to_advisor")
    await say(chat, "Aucun programme ne correspond, que faire ?")
    handoff = await the_handoff(chat)
    assert "Financing questionnaire:" in handoff.summary or "Questionnaire" in handoff.summary
    assert "Agriculture" in handoff.summary
    assert handoff.description == "Aucun programme ne correspond, que faire ?"


async def test_a_closed_conversation_asks_for_a_rating_that_a_typed_number_answers(chat):
    await in_darija_handoff(chat)
    handoff = await the_handoff(chat)
    async with chat.engine.db.transaction() as session:
        handoff = await session.get(Handoff, handoff.id)
        await chat.engine.desk.act(
            session, handoff, KARIMA, command=None, text="Salam, 3yti l délégation d Agadir."
        )
        await chat.engine.desk.act(session, handoff, KARIMA, command="close", text="")
    delivered = await chat.deliver()
    assert delivered[0].text.startswith("Karima")
    assert [b.payload for b in delivered[1].buttons][-1] == f"rate:{handoff.id}:5"
    await say(chat, "4")  # the fourth button: four stars
    assert (await the_handoff(chat)).rating == 4


async def test_a_rating_cannot_be_given_twice_or_for_someone_elses_handoff(chat):
    await in_darija_handoff(chat)
    handoff = await the_handoff(chat)
    async with chat.engine.db.transaction() as session:
        handoff = await session.get(Handoff, handoff.id)
        await chat.engine.desk.act(session, handoff, KARIMA, command="close", text="")
    await say(chat, payload=f"rate:{handoff.id}:2")
    await say(chat, payload=f"rate:{handoff.id}:5")
    await say(chat, payload=f"rate:{handoff.id + 1}:5")
    assert (await the_handoff(chat)).rating == 2


async def make_it_wait_too_long(chat) -> None:
    """Three hours of waiting, as of now (the sweep reads the clock): not yet idle for days."""
    waited = datetime.now(UTC) - timedelta(hours=3)
    async with chat.engine.db.transaction() as session:
        await session.execute(update(Handoff).values(created_at=waited, expected_from=waited))
        await session.execute(update(HandoffEvent).values(created_at=waited))
    assert await chat.engine.sweep_handoffs() == 1
    assert await chat.engine.sweep_handoffs() == 0  # told once


async def test_a_user_nobody_answered_in_time_is_told_and_offered_a_reminder(chat):
    await in_darija_handoff(chat)
    await make_it_wait_too_long(chat)
    told = await chat.deliver()
    assert [b.payload for b in told[0].buttons] == [
        "handoff:remind",
        "handoff:callback",
        "handoff:leave",
    ]
    replies = await say(chat, payload="handoff:remind", at=OPEN)
    async with chat.engine.db.transaction() as session:
        reminder = await session.scalar(select(Reminder))
    assert reminder.local_time == datetime(2026, 11, 27, 9, 0)  # Friday's opening
    assert "09:00" in replies[0].text
    assert (await the_handoff(chat)).status == "waiting"


async def test_a_call_back_request_reaches_the_advisors_with_a_way_to_call(chat):
    await in_darija_handoff(chat)
    await make_it_wait_too_long(chat)
    await chat.deliver()
    replies = await say(chat, payload="handoff:callback")
    assert replies and not replies[0].buttons
    async with chat.engine.db.transaction() as session:
        notes = (
            await session.scalars(select(HandoffEvent.text).where(HandoffEvent.author == "bot"))
        ).all()
    assert len(notes) == 1 and notes[0].startswith("📞")


async def test_a_user_can_erase_their_data_while_waiting(chat):
    await in_darija_handoff(chat)
    replies = await say(chat, "bghit nmse7 ga3 les données dyali")
    assert [b.payload for b in replies[0].buttons][0] == "privacy:erase"
    await say(chat, payload="privacy:erase")
    assert await the_handoff(chat) is None


async def test_an_advisors_answer_appears_in_the_terminal_chat_without_typing(engine):
    read_end, write_end = os.pipe()
    source, sink, out = os.fdopen(read_end), os.fdopen(write_end, "w"), io.StringIO()
    chat = TerminalChat(engine, "demo", out=out)
    running = asyncio.create_task(chat.run(source, follow=True))
    sink.write(
        "Bonjour, je voudrais parler à un conseiller, j'ai un problème avec mon dossier "
        "de coopérative\n"
    )
    sink.flush()
    while (handoff := await the_handoff(chat)) is None:
        await asyncio.sleep(0.05)
    async with engine.db.transaction() as session:
        handoff = await session.get(Handoff, handoff.id)
        await engine.desk.act(
            session, handoff, KARIMA, command=None, text="Bonjour, je vous appelle demain matin."
        )
    async with asyncio.timeout(10):
        while "je vous appelle demain matin" not in out.getvalue():
            await asyncio.sleep(0.1)
    sink.close()
    await running


async def test_after_two_misunderstandings_the_offered_advisor_sees_what_was_not_understood(chat):
    await say(chat, "salam")
    await say(chat, payload="lang:ary")
    await say(chat, "xqzt wrrk plm")
    replies = await say(chat, "kjhg tyyu bnnm")
    assert "intent:talk_to_advisor" in [b.payload for b in replies[-1].buttons]
    await say(chat, payload="intent:talk_to_advisor")
    assert "kjhg tyyu bnnm" in (await the_handoff(chat)).summary


async def test_a_handoff_silent_for_a_week_goes_back_to_the_bot(chat):
    await in_darija_handoff(chat)
    week_ago = datetime.now(UTC) - timedelta(days=8)
    async with chat.engine.db.transaction() as session:
        await session.execute(update(Handoff).values(created_at=week_ago, expected_from=week_ago))
        await session.execute(update(HandoffEvent).values(created_at=week_ago))
    await chat.engine.sweep_handoffs()
    handoff = await the_handoff(chat)
    assert (handoff.status, handoff.closed_by) == ("closed", "idle")
    assert await say(chat, "chno homa lwata2i9 dyal ta2sis t3awniya?") != []
