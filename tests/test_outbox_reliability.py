"""Replies after a crash: few claims at a time, each marked the moment its call answers,
short leases renewed while the sender works (issue #19)."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.dialects import postgresql

from bot.channels.whatsapp import CHANNEL
from bot.clock import utcnow
from bot.config import load_settings
from bot.messages import Outbound
from bot.outbox import PARALLEL_SENDS, deliver_pending, recover_claims
from bot.reminders.dispatch import dispatch_due
from bot.store import repo, turn_rows
from bot.store.models import OutboxItem, Reminder
from tests.chaos import seed_reminders

pytestmark = pytest.mark.store


async def one_sender(service) -> None:
    """Only the test's sender runs (the service's own background sender stops)."""
    service.services.worker.stop()
    await service.services.tasks[0]


async def queue_for_users(service, count: int) -> None:
    async with service.services.db.transaction() as session:
        for n in range(count):
            user = await turn_rows.user_for(session, channel=CHANNEL, channel_user_id=f"MA.77{n}")
            await repo.enqueue(session, user=user, outbounds=[Outbound(f"message {n}")])


async def count(service, status: str) -> int:
    async with service.services.db.transaction() as session:
        return await session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.status == status)
        )


async def test_a_sender_holds_no_more_claims_than_sends_in_flight(service):
    await one_sender(service)
    await queue_for_users(service, 40)
    claimed: list[int] = []

    async def probe(_body: dict) -> None:
        claimed.append(await count(service, "sending"))

    service.graph.on_send, service.graph.latency = probe, 0.02
    await service.delivered()
    assert len(service.graph.messages) == 40
    assert max(claimed) <= PARALLEL_SENDS


async def test_each_reply_is_marked_sent_as_soon_as_its_call_answers(service):
    await one_sender(service)
    await queue_for_users(service, 24)
    unmarked: list[int] = []

    async def probe(_body: dict) -> None:  # the APIs answered all earlier calls
        answered = len(service.graph.messages) - 1
        unmarked.append(answered - await count(service, "sent"))

    service.graph.on_send, service.graph.latency = probe, 0.05
    await service.delivered()
    assert max(unmarked) < PARALLEL_SENDS


async def test_a_send_slower_than_the_lease_keeps_its_claim_and_goes_once(service):
    await queue_for_users(service, 3)
    db, deliver = service.services.db, service.services.whatsapp.deliver
    service.graph.latency = 2.5  # about three leases
    lease = timedelta(seconds=0.9)
    done = asyncio.Event()

    async def other_worker() -> None:  # recovers expired claims and sends what it finds
        while not done.is_set():
            await recover_claims(db, channel=CHANNEL, lease=lease)
            await deliver_pending(db, channel=CHANNEL, deliver=deliver, lease=lease)
            await asyncio.sleep(0.05)

    other = asyncio.create_task(other_worker())
    await deliver_pending(db, channel=CHANNEL, deliver=deliver, lease=lease)
    await asyncio.sleep(0.5)
    done.set()
    await other
    assert len(service.graph.messages) == 3


async def test_a_dead_senders_claims_come_back_within_the_default_lease(service):
    settings = load_settings(_env_file=None)
    assert settings.outbox_lease_seconds <= 30 and settings.reminder_lease_seconds <= 30
    await queue_for_users(service, 2)
    async with service.services.db.transaction() as session:  # a worker claims, then dies
        await repo.claim_outbox(session, channel=CHANNEL)
        await session.execute(
            update(OutboxItem).values(
                claimed_at=utcnow() - timedelta(seconds=settings.outbox_lease_seconds + 1)
            )
        )
    service.services.worker._recovered_at = utcnow() - timedelta(days=1)
    await service.delivered()
    assert len(service.graph.messages) == 2


async def test_reminders_are_claimed_queued_and_marked_in_small_batches(db):
    await seed_reminders(db, 120, due_in=-1)
    claimed = await dispatch_due(db, worker="w1")
    async with db.transaction() as session:
        states = dict(
            (
                await session.execute(
                    select(Reminder.status, func.count()).group_by(Reminder.status)
                )
            ).all()
        )
    assert claimed <= 50
    assert states == {"sent": claimed, "pending": 120 - claimed}


async def test_a_lease_renewal_skips_a_row_whose_mark_is_being_written(db):
    if db.is_sqlite:
        pytest.skip("SQLite writes one transaction at a time: there is no row lock to skip")
    async with db.transaction() as session:
        user = await turn_rows.user_for(session, channel=CHANNEL, channel_user_id="MA.7801")
        await repo.enqueue(session, user=user, outbounds=[Outbound("salam"), Outbound("labas")])
        await session.execute(update(OutboxItem).values(status="sending", claimed_at=utcnow()))
        marking, renewed = await session.scalars(select(OutboxItem.id).order_by(OutboxItem.id))
    before = utcnow()
    async with db.transaction() as mark:  # a mark in flight holds its row
        await repo.finish_sent(mark, [repo.Sent(marking)])
        async with asyncio.timeout(5), db.transaction() as session:
            await repo.renew_claims(session, {marking, renewed})
    async with db.transaction() as session:
        claimed_at = dict(
            (await session.execute(select(OutboxItem.id, OutboxItem.claimed_at))).all()
        )
    assert claimed_at[renewed] >= before and claimed_at[marking] < before


async def test_a_claim_planned_once_for_all_reads_only_the_unsent_rows(db):
    """PostgreSQL plans a statement run often once, without its values: the claim still
    reaches the unsent rows through their own indexes, not by comparing every row."""
    if db.is_sqlite:
        pytest.skip("a PostgreSQL planner's choice")
    async with db.transaction() as session:
        user = await turn_rows.user_for(session, channel=CHANNEL, channel_user_id="MA.7802")
        await repo.enqueue(session, user=user, outbounds=[Outbound("salam")] * 2000)
        await session.execute(
            update(OutboxItem).where(OutboxItem.id % 50 != 0).values(status="sent")
        )
        await session.execute(text("ANALYZE outbox"))
    claim = repo.claim_statement().compile(dialect=postgresql.asyncpg.dialect())
    async with db.engine.connect() as connection:
        await connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        await connection.exec_driver_sql(f"PREPARE claim AS {claim}")
        plan = await connection.exec_driver_sql(
            f"EXPLAIN EXECUTE claim('sending', 1, now(), '{CHANNEL}', now(), 50)"
        )
        steps = "\n".join(line for (line,) in plan)
    assert "Index Scan using ix_outbox_due" in steps and "Seq Scan" not in steps, steps
