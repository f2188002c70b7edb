"""The store: migrations, dedup of redelivered messages, and the outbox across crashes."""

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, update

from bot.messages import Inbound, Outbound
from bot.outbox import (
    Delivery,
    Patience,
    PermanentDeliveryError,
    deliver_pending,
    recover_claims,
)
from bot.store import repo
from bot.store.database import Database
from bot.store.models import Message, OutboxItem
from tests.conftest import database_url, empty_database

pytestmark = pytest.mark.store


async def test_migrations_create_every_table_on_an_empty_database(tmp_path):
    database = await empty_database(database_url(tmp_path))
    await database.migrate()
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await database.dispose()
    assert {"users", "conversation_states", "messages", "outbox", "alembic_version"} <= tables


async def test_migrating_twice_changes_nothing(db):
    await db.migrate()
    assert await db.ping()


async def test_a_redelivered_message_gets_no_second_reply(chat):
    first = await chat.send("السلام عليكم، بغيت نعرف كيفاش نأسس تعاونية", message_id="wamid.1")
    again = await chat.send("السلام عليكم، بغيت نعرف كيفاش نأسس تعاونية", message_id="wamid.1")
    assert first and again == []
    async with chat.engine.db.transaction() as session:
        stored = await session.scalar(
            select(func.count()).select_from(Message).where(Message.channel_message_id == "wamid.1")
        )
        queued = await session.scalar(select(func.count()).select_from(OutboxItem))
    assert stored == 1
    assert queued == len(first)


async def test_replies_committed_before_a_crash_are_delivered_after_restart(engine, tmp_path):
    replies = await engine.handle(inbound("salam, bghit ndir cooperative"))
    await engine.db.dispose()  # the process dies here, before anything was sent

    restarted = Database(engine.db.url)
    delivered = await collect(restarted)
    assert delivered == replies
    assert await collect(restarted) == []
    await restarted.dispose()


async def test_a_claim_left_by_a_crashed_sender_is_delivered_once_after_its_lease(engine):
    replies = await engine.handle(inbound("bonjour, je veux créer une coopérative"))
    async with engine.db.transaction() as session:
        await repo.claim_outbox(session, channel="terminal")  # then the sender crashes
    assert await collect(engine.db) == []

    await recover_claims(engine.db, channel="terminal", lease=timedelta(0))
    assert await collect(engine.db) == replies
    assert await collect(engine.db) == []


async def test_a_failed_delivery_waits_before_its_retry(engine):
    await engine.handle(inbound("شكرا بزاف"))
    await deliver_pending(engine.db, channel="terminal", deliver=unreachable)
    await deliver_pending(engine.db, channel="terminal", deliver=unreachable)
    async with engine.db.transaction() as session:
        item = await session.scalar(select(OutboxItem).order_by(OutboxItem.id))
    assert (item.status, item.attempts) == ("pending", 1)
    assert item.not_before is not None


async def test_a_delivery_that_keeps_failing_is_marked_failed_after_the_last_attempt(engine):
    await engine.handle(inbound("شكرا بزاف"))
    for _ in range(5):
        await deliver_pending(
            engine.db, channel="terminal", deliver=unreachable, patience=Patience(max_attempts=5)
        )
        async with engine.db.transaction() as session:  # let the back-off pass at once
            await session.execute(update(OutboxItem).values(not_before=None))
    async with engine.db.transaction() as session:
        item = await session.scalar(select(OutboxItem).order_by(OutboxItem.id))
    assert (item.status, item.attempts) == ("failed", 5)
    assert "network down" in item.last_error


async def unreachable(_delivery: Delivery) -> None:
    raise ConnectionError("network down")


async def test_a_permanent_refusal_is_not_retried(engine):
    await engine.handle(inbound("merci beaucoup"))

    async def blocked(_delivery: Delivery) -> None:
        raise PermanentDeliveryError("bot was blocked by the user")

    await deliver_pending(engine.db, channel="terminal", deliver=blocked)
    async with engine.db.transaction() as session:
        item = await session.scalar(select(OutboxItem).order_by(OutboxItem.id))
    assert (item.status, item.attempts) == ("failed", 1)


def inbound(text: str) -> Inbound:
    return Inbound(channel="terminal", user_id="u1", message_id=text[:20], text=text)


async def collect(database: Database) -> list[Outbound]:
    sent: list[Outbound] = []

    async def record(delivery: Delivery) -> None:
        sent.append(delivery.outbound)

    await deliver_pending(database, channel="terminal", deliver=record)
    return sent


async def test_a_users_replies_are_delivered_in_order_even_by_concurrent_senders(engine):
    await engine.handle(inbound("Bonjour, je veux créer une coopérative"))  # two replies
    async with engine.db.transaction() as session:
        first_round = await repo.claim_outbox(session, channel="terminal")
    async with engine.db.transaction() as session:
        second_sender = await repo.claim_outbox(session, channel="terminal")
    assert len(first_round) == 1 and second_sender == []
