"""The webhook's hot path stays within its statement budget (counted, never timed)."""

import pytest
from sqlalchemy import select

from bot.messages import Inbound
from bot.store.models import Message
from tests.statements import counting_statements

pytestmark = pytest.mark.store
BUDGET = 5


async def test_an_ordinary_text_update_costs_at_most_five_statements(chat, db):
    await chat.send("salam")
    await chat.send("4")  # Darija in Latin letters, so the next message is an ordinary question
    with counting_statements(db) as log:
        await chat.engine.handle(_inbound(chat, "kifach ndir cooperative?"))
    assert len(log) <= BUDGET, "\n".join(log.statements)
    assert [s.split()[0] for s in log.statements].count("SELECT") == 1, log.statements


async def test_the_stored_message_carries_its_understanding_in_the_same_insert(chat, db):
    await chat.send("salam")
    await chat.send("1")
    await chat.engine.handle(_inbound(chat, "chno hiya intilaka?", "m-understood"))
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(Message.intent, Message.confidence).where(
                    Message.channel_message_id == "m-understood"
                )
            )
        ).one()
    assert row.intent == "intilaka" and row.confidence > 0


async def test_the_replies_are_logged_in_the_same_insert_as_the_message(chat, db):
    await chat.send("salam")
    await chat.send("1")
    with counting_statements(db) as log:
        replies = await chat.engine.handle(_inbound(chat, "chno hiya intilaka?", "m-logged"))
    async with db.transaction() as session:
        received = select(Message.id).where(Message.channel_message_id == "m-logged")
        logged = (
            await session.execute(
                select(Message.direction, Message.text, Message.language)
                .where(Message.id >= received.scalar_subquery())
                .order_by(Message.id)
            )
        ).all()
    assert [row.direction for row in logged] == ["in"] + ["out"] * len(replies)
    assert [row.text for row in logged[1:]] == [reply.text for reply in replies]
    assert len({row.language for row in logged[1:]} - {None}) == 1
    assert sum(s.startswith("INSERT INTO messages") for s in log.statements) == 1


async def test_a_redelivered_update_is_rolled_back_and_costs_no_reply(chat, db):
    await chat.send("salam", message_id="dup-1")
    replies = await chat.engine.handle(_inbound(chat, "salam", "dup-1"))
    assert replies == []


def _inbound(chat, text, message_id=None):
    return Inbound(
        channel=chat.channel,
        user_id=chat.user_id,
        text=text,
        message_id=message_id or f"stmt-{text}",
    )
