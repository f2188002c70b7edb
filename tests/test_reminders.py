"""Reminders as users set them, and their dispatch: once, on time, across restarts."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.messages import Inbound
from bot.reminders import queries
from bot.reminders.dispatch import dispatch_due, recompute_due_times, recover_claims
from bot.reminders.rules import TZDATA_VERSION, DispatchPolicy
from bot.store.models import OutboxItem, Reminder, User
from tests.chat import Chat

pytestmark = pytest.mark.store
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # a Wednesday; Casablanca is UTC+0


async def talk(chat: Chat, text: str = "", **kwargs) -> list:
    return await chat.send(text, received_at=NOW, **kwargs)


async def in_language(chat: Chat, language: str) -> None:
    await talk(chat, "السلام عليكم")  # a greeting in Arabic letters gets the language question
    await talk(chat, {"ary": "1", "ar": "2", "fr": "3"}[language])


async def reminders(chat: Chat) -> list[Reminder]:
    async with chat.engine.db.transaction() as session:
        return list((await session.scalars(select(Reminder).order_by(Reminder.id))).all())


@pytest.mark.parametrize(
    ("language", "message", "due", "text"),
    [
        (
            "ary",
            "fakrni ghda f 10 dsbah ndi lwra9 l lmahkama",
            datetime(2026, 11, 26, 10),
            "ndi lwra9 l lmahkama",
        ),
        (
            "fr",
            "rappelle-moi lundi à 14h d'appeler la banque",
            datetime(2026, 11, 30, 14),
            "appeler la banque",
        ),
        ("ar", "ذكرني بعد يومين بالجمع العام", datetime(2026, 11, 27, 9), "الجمع العام"),
        (
            "ary",
            "ذكرني غدا مع الأربعة د العشية نتصل بالبنك",
            datetime(2026, 11, 26, 16),
            "نتصل بالبنك",
        ),
    ],
)
async def test_a_reminder_set_in_free_text_is_confirmed_then_stored(
    chat, language, message, due, text
):
    await in_language(chat, language)
    confirm = await talk(chat, message)
    assert text in confirm[0].text
    assert confirm[0].buttons[0].payload == "reminder:confirm"
    await talk(chat, payload="reminder:confirm")
    (reminder,) = await reminders(chat)
    assert (reminder.local_time, reminder.text, reminder.zone) == (due, text, "Africa/Casablanca")
    assert reminder.due_at.replace(tzinfo=UTC) == due.replace(tzinfo=UTC)


async def test_the_confirmation_shows_the_date_the_moroccan_way(chat):
    await in_language(chat, "ary")
    confirm = await talk(chat, "فكرني غدا على 10 ديال الصباح ندي الوراق")
    assert "الخميس، 26 نونبر 2026 – 10:00" in confirm[0].text


async def test_an_ambiguous_hour_offers_its_other_reading(chat):
    await in_language(chat, "fr")
    confirm = await talk(chat, "rappelle-moi demain à 3 d'appeler Fatima")
    assert "15:00" in confirm[0].text
    assert "reminder:alt" in [b.payload for b in confirm[0].buttons]
    again = await talk(chat, payload="reminder:alt")
    assert "03:00" in again[0].text


async def test_a_reminder_from_a_flow_button_proposes_the_text_and_asks_when(chat):
    await in_language(chat, "fr")
    court = await talk(chat, payload="item:create.step.court")
    assert "reminder:item:create.step.court" in [b.payload for b in court[0].buttons]
    await talk(chat, payload="reminder:item:create.step.court")
    confirm = await talk(chat, "lundi à 10h")
    assert "tribunal de première instance" in confirm[0].text


async def test_a_past_time_is_refused_politely(chat):
    await in_language(chat, "fr")
    reply = await talk(chat, "rappelle-moi le 3 novembre 2026 de payer la cotisation")
    assert "déjà passée" in reply[0].text
    assert await reminders(chat) == []


async def test_a_missing_time_asks_for_it_and_a_missing_text_asks_for_it(chat):
    await in_language(chat, "ary")
    when = await talk(chat, "فكرني عافاك")
    assert "فوقاش نفكرك" in when[0].text
    what = await talk(chat, "غدا على 9 ديال الصباح")
    assert "باش نفكرك" in what[0].text
    confirm = await talk(chat, "نمشي للمندوبية")
    assert "نمشي للمندوبية" in confirm[0].text


async def test_my_reminders_lists_them_and_one_can_be_cancelled(chat):
    await in_language(chat, "fr")
    await talk(chat, "rappelle-moi demain à 10h d'appeler la banque")
    await talk(chat, payload="reminder:confirm")
    listing = await talk(chat, "mes rappels")
    assert "appeler la banque" in listing[0].text
    (reminder,) = await reminders(chat)
    await talk(chat, payload=f"reminder:show:{reminder.id}")
    await talk(chat, payload=f"reminder:cancel:{reminder.id}")
    assert [r.status for r in await reminders(chat)] == ["cancelled"]


async def test_a_reminder_can_be_moved_to_another_time(chat):
    await in_language(chat, "fr")
    await talk(chat, "rappelle-moi demain à 10h d'appeler la banque")
    await talk(chat, payload="reminder:confirm")
    (reminder,) = await reminders(chat)
    await talk(chat, payload=f"reminder:change:{reminder.id}")
    await talk(chat, "vendredi à 11h")
    await talk(chat, payload="reminder:confirm")
    (moved,) = await reminders(chat)
    assert moved.local_time == datetime(2026, 11, 27, 11)


@pytest.mark.parametrize(
    ("language", "topic", "message", "text"),
    [
        ("fr", "life.general_assembly", "rappelle-moi ça demain à 10h", "Tenir l'assemblée"),
        ("ary", "labels.onssa", "فكرني فيه غدا مع 10", "نحط الطلب ديال الترخيص"),
        ("ar", "life.general_assembly", "ذكرني بها غدا على الساعة العاشرة", "عقد الجمع العام"),
        ("ar", "financing.intilaka", "ذكرني به غدا على الساعة العاشرة", "انطلاقة"),
    ],
)
async def test_remind_me_of_it_after_an_answer_is_about_its_topic(
    chat, language, topic, message, text
):
    await in_language(chat, language)
    await talk(chat, payload=f"item:{topic}")
    confirm = await talk(chat, message)
    assert text in confirm[0].text
    await talk(chat, payload="reminder:confirm")
    (reminder,) = await reminders(chat)
    assert text in reminder.text and reminder.local_time == datetime(2026, 11, 26, 10)


async def test_remind_me_of_it_with_no_topic_asks_what(chat):
    await in_language(chat, "fr")
    what = await talk(chat, "rappelle-moi ça demain à 10h")
    assert "De quoi" in what[0].text
    confirm = await talk(chat, "appeler la banque")
    assert "appeler la banque" in confirm[0].text and "10:00" in confirm[0].text


@pytest.mark.parametrize(
    ("language", "message", "correction"),
    [
        ("fr", "rappelle-moi demain à 10h d'appeler la banque", "plutôt à 11h"),
        ("ary", "fakrni ghda m3a 10 n3ayet l banka", "la, m3a 11"),
        ("ar", "ذكرني غدا على الساعة العاشرة بالاتصال بالبنك", "لا، على الساعة 11"),
        ("ar", "فكرني غدا مع 10 نعيط للبنكة", "بدلها ل 11"),
    ],
)
async def test_a_change_of_time_right_after_saving_moves_that_reminder(
    chat, language, message, correction
):
    await in_language(chat, language)
    await talk(chat, message)
    await talk(chat, payload="reminder:confirm")
    moved = await talk(chat, correction)
    assert "11:00" in moved[0].text
    (reminder,) = await reminders(chat)
    assert reminder.local_time == datetime(2026, 11, 26, 11)
    assert reminder.due_at.replace(tzinfo=UTC) == datetime(2026, 11, 26, 11, tzinfo=UTC)


async def test_a_change_of_time_before_confirming_keeps_the_day_proposed(chat):
    await in_language(chat, "fr")
    await talk(chat, "rappelle-moi vendredi à 10h d'appeler la banque")
    again = await talk(chat, "non, à 11h")
    assert "11:00" in again[0].text
    await talk(chat, payload="reminder:confirm")
    (reminder,) = await reminders(chat)
    assert reminder.local_time == datetime(2026, 11, 27, 11)


async def test_a_change_of_time_is_read_only_on_the_turn_after_saving(chat):
    await in_language(chat, "fr")
    await talk(chat, "rappelle-moi demain à 10h d'appeler la banque")
    await talk(chat, payload="reminder:confirm")
    await talk(chat, "c'est quoi Intilaka ?")
    await talk(chat, "plutôt à 11h")
    (reminder,) = await reminders(chat)
    assert reminder.local_time == datetime(2026, 11, 26, 10)


async def test_a_moved_reminder_can_be_moved_again_and_not_to_the_past(chat):
    await in_language(chat, "ary")
    await talk(chat, "fakrni ghda m3a 10 n3ayet l banka")
    await talk(chat, payload="reminder:confirm")
    await talk(chat, "la, m3a 11")
    await talk(chat, "la, lyoum m3a 9 d sbah")  # 09:00 today is past at 16:00
    (reminder,) = await reminders(chat)
    assert reminder.local_time == datetime(2026, 11, 26, 11)


async def stored_reminder(chat: Chat, *, due: datetime, recurrence: str | None = None) -> None:
    await in_language(chat, "ary")
    await talk(chat, "فكرني غدا على 10 ديال الصباح ندي الوراق")
    await talk(chat, payload="reminder:confirm")
    await chat.deliver()
    chat.delivered.clear()
    async with chat.engine.db.transaction() as session:
        await session.execute(
            update(Reminder).values(
                due_at=due, local_time=due.replace(tzinfo=None), recurrence=recurrence
            )
        )


async def test_a_due_reminder_is_sent_once_in_the_users_language(chat):
    await stored_reminder(chat, due=NOW)
    assert await dispatch_due(chat.engine.db, worker="w1", now=NOW) == 1
    assert await dispatch_due(chat.engine.db, worker="w2", now=NOW) == 0
    (sent,) = await chat.deliver()
    assert sent.text == "⏰ تذكير: ندي الوراق"


async def test_a_repeating_reminder_schedules_its_next_occurrence(chat):
    await stored_reminder(chat, due=NOW, recurrence="weekly")
    await dispatch_due(chat.engine.db, worker="w1", now=NOW)
    statuses = [(r.status, r.local_time) for r in await reminders(chat)]
    assert statuses == [
        ("sent", datetime(2026, 11, 25, 16)),
        ("pending", datetime(2026, 12, 2, 16)),
    ]


async def test_a_reminder_overdue_after_downtime_is_sent_with_a_late_note(chat):
    await stored_reminder(chat, due=NOW - timedelta(hours=3))
    await dispatch_due(chat.engine.db, worker="w1", now=NOW)
    (sent,) = await chat.deliver()
    assert "معطل" in sent.text


async def test_the_skip_policy_drops_reminders_that_are_too_late(chat):
    await stored_reminder(chat, due=NOW - timedelta(hours=3))
    await dispatch_due(chat.engine.db, worker="w1", now=NOW, policy=DispatchPolicy(skip_late=True))
    assert await chat.deliver() == []
    assert [r.status for r in await reminders(chat)] == ["skipped"]


async def test_a_user_who_blocked_the_bot_gets_no_reminder(chat):
    await stored_reminder(chat, due=NOW)
    async with chat.engine.db.transaction() as session:
        await session.execute(update(User).values(blocked_at=NOW))
    await dispatch_due(chat.engine.db, worker="w1", now=NOW)
    assert await chat.deliver() == []


async def test_claims_of_a_crashed_worker_are_delivered_once_after_the_lease(chat):
    await stored_reminder(chat, due=NOW)
    async with chat.engine.db.transaction() as session:
        assert await queries.claim_reminders(session, now=NOW, limit=10, worker="dead")
    assert await dispatch_due(chat.engine.db, worker="w2", now=NOW) == 0
    await recover_claims(chat.engine.db, lease=timedelta(minutes=5), now=NOW + timedelta(minutes=6))
    assert await dispatch_due(chat.engine.db, worker="w2", now=NOW) == 1
    assert len(await chat.deliver()) == 1


async def test_queueing_a_reminder_twice_sends_it_once(chat):
    await stored_reminder(chat, due=NOW)
    await dispatch_due(chat.engine.db, worker="w1", now=NOW)
    async with chat.engine.db.transaction() as session:
        await session.execute(update(Reminder).values(status="pending"))
    await dispatch_due(chat.engine.db, worker="w1", now=NOW)
    async with chat.engine.db.transaction() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.idempotency_key.like("reminder:%"))
            )
            == 1
        )


async def test_due_times_are_recomputed_when_the_zone_rules_change(chat):
    await stored_reminder(chat, due=NOW)
    async with chat.engine.db.transaction() as session:
        await session.execute(
            update(Reminder).values(due_at=NOW - timedelta(hours=1), tzdata_version="2025b")
        )
    assert await recompute_due_times(chat.engine.db) == 1
    (reminder,) = await reminders(chat)
    assert reminder.due_at.replace(tzinfo=UTC) == NOW
    assert reminder.tzdata_version == TZDATA_VERSION


def test_inbound_messages_carry_their_own_time():
    assert Inbound("t", "u", "m", received_at=NOW).received_at == NOW


async def test_a_proposal_confirmed_after_its_time_has_passed_is_asked_again(chat):
    await in_language(chat, "ary")
    await talk(chat, "fakrni ghda f 6 d l3chiya n3ayet l bank")
    two_days_later = NOW + timedelta(days=2)
    reply = await chat.send("wakha", received_at=two_days_later)
    assert "fat" in reply[0].text.lower()
    assert await reminders(chat) == []
    confirm = await chat.send("ghda m3a 10", received_at=two_days_later)
    assert "n3ayet l bank" in confirm[0].text


async def test_a_proposal_confirmed_the_next_day_before_its_time_is_saved(chat):
    await in_language(chat, "fr")
    await talk(chat, "rappelle-moi demain à 18h d'appeler la banque")
    await chat.send("oui", received_at=NOW + timedelta(hours=20))
    (reminder,) = await reminders(chat)
    assert reminder.local_time == datetime(2026, 11, 26, 18)


async def test_a_change_said_of_several_listed_reminders_asks_which_and_keeps_the_time(chat):
    await in_language(chat, "fr")
    for message in (
        "rappelle-moi demain à 10h d'appeler la banque",
        "rappelle-moi vendredi à 9h d'appeler Fatima",
    ):
        await talk(chat, message)
        await talk(chat, "oui")
    await talk(chat, "mes rappels")
    which = await talk(chat, "change-le à 16h")
    assert [b.payload.split(":")[1] for b in which[0].buttons[:2]] == ["which", "which"]
    await talk(chat, "2")
    assert [r.local_time for r in await reminders(chat)] == [
        datetime(2026, 11, 26, 10),
        datetime(2026, 11, 27, 16),
    ]


async def test_a_number_says_which_listed_reminder_to_delete(chat):
    await in_language(chat, "ary")
    for message in ("fakrni ghda m3a 10 n3ayet l bank", "fakrni jem3a m3a 9 nmchi l mahkama"):
        await talk(chat, message)
        await talk(chat, "wakha")
    await talk(chat, "chno les rappels dyali")
    await talk(chat, "7ayed 2")
    assert [r.status for r in await reminders(chat)] == ["pending", "cancelled"]


async def test_the_words_of_a_deletion_say_which_listed_reminder_to_cancel(chat):
    await in_language(chat, "ary")
    for message in ("فكرني غدا مع 10 نعيط للبانكة", "فكرني الجمعة مع 9 نمشي للمحكمة"):
        await talk(chat, message)
        await talk(chat, "واخا")
    await talk(chat, "التذكيرات ديالي")
    await talk(chat, "حيد ديال المحكمة")
    assert [r.status for r in await reminders(chat)] == ["pending", "cancelled"]


async def test_a_deletion_naming_no_listed_reminder_cancels_nothing_and_asks(chat):
    await in_language(chat, "fr")
    await talk(chat, "rappelle-moi demain à 10h de préparer le rapport financier")
    await talk(chat, "oui")
    await talk(chat, "mes rappels")
    asked = await talk(chat, "annule celui du comptable")
    assert "comptable" in asked[0].text
    assert [r.status for r in await reminders(chat)] == ["pending"]


async def test_a_time_and_words_right_after_saving_are_one_more_reminder(chat):
    await in_language(chat, "fr")
    await talk(chat, "rappelle-moi le 20 décembre à 10h de préparer le rapport financier")
    await talk(chat, "oui")
    await talk(chat, "et aussi le 22 à 9h d'appeler le comptable")
    await talk(chat, "oui")
    assert [(r.text, r.local_time) for r in await reminders(chat)] == [
        ("préparer le rapport financier", datetime(2026, 12, 20, 10)),
        ("appeler le comptable", datetime(2026, 12, 22, 9)),
    ]


async def test_the_cancel_all_button_asks_before_cancelling(chat):
    await in_language(chat, "fr")
    await talk(chat, "rappelle-moi demain à 10h d'appeler la banque")
    await talk(chat, "oui")
    question = await talk(chat, payload="reminder:cancel-all")
    assert "(1)" in question[0].text
    assert [r.status for r in await reminders(chat)] == ["pending"]
    await talk(chat, "non, les garder")
    assert [r.status for r in await reminders(chat)] == ["pending"]


async def test_a_change_right_after_saving_an_evening_reminder_stays_in_the_evening(chat):
    await in_language(chat, "ary")
    await talk(chat, "fakrni ghda m3a 8 d lil n3ayet l bank")
    await talk(chat, "wakha")
    await talk(chat, "la, m3a 9")
    (reminder,) = await reminders(chat)
    assert reminder.local_time == datetime(2026, 11, 26, 21)


async def test_a_story_of_several_lines_while_the_time_is_asked_leaves_the_reminder(chat):
    await in_language(chat, "ary")
    await talk(chat, "fakrni n3ayet l bank")
    story = "salam\nana khdama f ddar\nrajli mrid w lwlad sghar\nchno ndir daba?"
    reply = await talk(chat, story)
    assert not any("Fou9ach" in o.text for o in reply)
    after = await talk(chat, "ghda m3a 10")
    assert not any("n3ayet l bank" in o.text for o in after)


@pytest.mark.parametrize(
    ("language", "pieces", "text"),
    [
        ("fr", ["rappelle-moi", "jeudi", "à 15h", "appeler la banque", "oui"], "appeler la banque"),
        (
            "ar",
            ["ذكرني", "يوم الخميس", "على الساعة 3 بعد الزوال", "الاتصال بالبنك", "نعم"],
            "الاتصال بالبنك",
        ),
        ("ary", ["فكرني", "نهار الخميس", "مع 3 العشية", "نعيط للبانكة", "واخا"], "نعيط للبانكة"),
        (
            "ary",
            ["fakrni", "m3a 3 l3chiya", "n3ayet l bank", "nhar lkhmis", "wakha"],
            "n3ayet l bank",
        ),
    ],
)
async def test_a_reminder_given_one_piece_a_message_keeps_every_piece(chat, language, pieces, text):
    await in_language(chat, language)
    for piece in pieces:
        await talk(chat, piece)
    (reminder,) = await reminders(chat)
    assert (reminder.local_time, reminder.text) == (datetime(2026, 11, 26, 15), text)


async def test_a_new_day_and_hour_after_an_evening_proposal_are_read_afresh(chat):
    await in_language(chat, "ary")
    await talk(chat, "fakrni ghda m3a 8 d lil n3ayet l bank")
    confirm = await talk(chat, "ba3d ghda m3a 9")
    assert "09:00" in confirm[0].text


async def test_a_long_reminder_text_on_one_line_is_kept_as_the_text(chat):
    await in_language(chat, "fr")
    await talk(chat, "rappelle-moi demain à 10h")
    words = (
        "appeler la banque populaire de Khénifra pour demander les papiers du crédit "
        "de la coopérative et prendre rendez-vous avec le conseiller"
    )
    confirm = await talk(chat, words)
    assert words in confirm[0].text
