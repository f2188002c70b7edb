"""The webhook's hot path stays within its statement budget (counted, never timed)."""

import pytest
from sqlalchemy import select

from bot.messages import Inbound
from bot.store.models import Message
from tests.statements import counting_statements

pytestmark = pytest.mark.store
BUDGET = 6


async def test_an_ordinary_text_update_costs_at_most_six_statements(chat, db):
    await chat.send("salam")
    await chat.send("1")  # a language, so the next message is an ordinary question
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
