"""What is stored is said on arrival; "delete my data" leaves nothing; old messages go."""

from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text, update

from bot.clock import utcnow
from bot.store import repo
from bot.store.models import Message
from tests.fakes.whatsapp_api import signed, text_message, webhook

pytestmark = pytest.mark.store


async def test_the_first_answer_says_what_is_kept_and_how_to_erase_it(chat):
    await chat.send("السلام عليكم")
    replies = await chat.send("Français")
    assert "supprimer mes données" in replies[0].text


async def test_a_clear_first_question_comes_with_what_is_kept(chat):
    replies = await chat.send("سلام، بغيت نعرف شنو خاصني باش نأسس تعاونية")
    assert "مسح المعلومات ديالي" in replies[0].text


@pytest.mark.parametrize(
    ("request_text", "language"),
    [
        ("bghit tmse7 ga3 les informations dyali", "1"),
        ("احذفوا جميع بياناتي من فضلكم", "2"),
        ("supprimez toutes mes données", "3"),
    ],
)
async def test_erasing_asks_for_confirmation_in_the_users_language(chat, request_text, language):
    await chat.send("السلام عليكم")
    await chat.send(language)
    replies = await chat.send(request_text)
    assert replies[0].buttons[0].payload == "privacy:erase"


@pytest.mark.parametrize(
    "typed_yes", ["oui je confirme", "نعم، أؤكد الحذف", "اه متأكد", "ah akid ms7 kolchi"]
)
async def test_a_typed_yes_to_the_erase_question_erases(chat, typed_yes):
    await chat.send("supprimez toutes mes données")
    await chat.send(typed_yes)
    assert await rows_mentioning(chat.engine.db, [chat.user_id]) == []


@pytest.mark.parametrize(
    "not_a_yes", ["oui mais avant, c'est quoi Intilaka ?", "ok je vais réfléchir", "non"]
)
async def test_a_yes_with_something_else_to_say_erases_nothing(chat, not_a_yes):
    await chat.send("supprimez toutes mes données")
    await chat.send(not_a_yes)
    assert await rows_mentioning(chat.engine.db, [chat.user_id]) != []


async def test_a_question_about_the_data_says_what_is_kept_and_offers_erasing(chat):
    await chat.send("السلام عليكم")
    await chat.send("3")
    replies = await chat.send("où sont mes données ?")
    assert "rappels" in replies[0].text
    assert [b.payload for b in replies[0].buttons] == ["menu:main", "privacy:erase"]


async def test_delete_my_data_chosen_among_the_topics_offered_asks_for_confirmation(chat):
    await chat.send("السلام عليكم")
    await chat.send("3")
    replies = await chat.send(payload="intent:delete_my_data")
    assert replies[0].buttons[0].payload == "privacy:erase"
    assert "sûr" in replies[0].text


async def test_after_erasing_no_table_holds_the_users_identifiers_or_texts(chat):
    await chat.send("السلام عليكم")
    await chat.send("3")
    await chat.send("rappelle-moi demain à 10h d'appeler Fatima à la banque")
    await chat.send(payload="reminder:confirm")
    await chat.send("je veux supprimer mes données")
    farewell = await chat.send(payload="privacy:erase")
    assert "effacé" in farewell[0].text
    leftovers = await rows_mentioning(chat.engine.db, [chat.user_id, "Fatima", "banque"])
    assert leftovers == []


async def test_a_whatsapp_user_erased_leaves_no_bsuid_nor_phone(service):
    for wamid, message in (("wamid.P1", "salam"), ("wamid.P2", "bghit nmse7 ga3 dakchi dyali")):
        body, headers = signed(webhook(text_message(wamid, message)))
        await service.client.post("/whatsapp/webhook", content=body, headers=headers)
    body, headers = signed(
        webhook(
            {
                "id": "wamid.P3",
                "type": "interactive",
                "context": {"from": "212522000000", "id": "wamid.OUT1"},
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "privacy:erase", "title": "…"},
                },
            }
        )
    )
    await service.client.post("/whatsapp/webhook", content=body, headers=headers)
    await service.delivered()
    assert await rows_mentioning(service.services.db, ["MA.1234567890123", "212612345678"]) == []


async def test_messages_older_than_the_retention_period_are_purged(chat):
    await chat.send("salam")
    async with chat.engine.db.transaction() as session:
        await session.execute(update(Message).values(created_at=utcnow() - timedelta(days=400)))
        assert await repo.purge_messages(session, older_than=timedelta(days=365)) >= 2
        assert (await session.scalars(select(Message))).all() == []


async def rows_mentioning(db, needles: list[str]) -> list[tuple[str, str]]:
    """Every (table, needle) where a row of any table still contains the needle."""
    found = []
    async with db.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        for table in tables:
            for row in (await connection.execute(text(f'SELECT * FROM "{table}"'))).all():
                flat = " ".join(str(value) for value in row)
                found += [(table, needle) for needle in needles if needle in flat]
    return found
