"""A campaign to 2,000 WhatsApp users, its sender killed with SIGKILL halfway through and
started again: the rest is delivered and nobody gets the campaign twice.

A call in flight when the kill lands may or may not have reached the user: such rows are
marked failed ("interrupted"), never sent again, so each of the few is counted, not doubled.
"""

import asyncio
import os
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.clock import utcnow
from bot.outbox import PARALLEL_SENDS
from bot.store.database import Database
from bot.store.models import Campaign, CampaignDelivery, Consent, OutboxItem, User
from tests.chaos import Processes, wait_for
from tests.conftest import database_url, empty_database
from tests.fakes.servers import serving
from tests.fakes.whatsapp_api import FakeGraph

pytestmark = pytest.mark.store
POSTGRES = os.environ.get("FADAA_TEST_DATABASE_URL", "").startswith("postgresql")
CODE = Path(__file__).resolve().parent.parent
USERS = 2000
TEXT = "مكتب تنمية التعاون: طلب مشاريع جديد مفتوح للتعاونيات."


async def seed_campaign(db: Database, users: int) -> int:
    """`users` WhatsApp users who asked for news and wrote today, and a campaign to send."""
    now = utcnow()
    async with db.transaction() as session:
        ids = (
            await session.scalars(
                insert(User).returning(User.id),
                [
                    {
                        "channel": "whatsapp",
                        "channel_user_id": f"MA.{7000000 + n}",
                        "language": "ary",
                        "created_at": now,
                        "last_seen_at": now,
                    }
                    for n in range(users)
                ],
            )
        ).all()
        await session.execute(
            insert(Consent),
            [{"user_id": i, "topic": "news", "granted_at": now, "source": "test"} for i in ids],
        )
        campaign = Campaign(
            name="Appel à projets",
            topic="news",
            texts={"fr": "Nouvel appel à projets.", "ar": TEXT, "ary": TEXT},
            status="scheduled",
            created_by="chaos",
        )
        session.add(campaign)
        await session.flush()
        return campaign.id


async def campaign_status(db: Database, campaign_id: int) -> str:
    async with db.transaction() as session:
        return await session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))


async def statuses(db: Database) -> Counter:
    async with db.transaction() as session:
        rows = await session.execute(
            select(CampaignDelivery.status, func.count()).group_by(CampaignDelivery.status)
        )
        return Counter(dict(rows.all()))


@pytest.mark.skipif(not POSTGRES, reason="several processes need PostgreSQL")
async def test_a_sender_killed_halfway_delivers_the_rest_after_restart_with_no_duplicate(
    tmp_path,
):
    url = database_url(tmp_path)
    db = await empty_database(url)
    await db.migrate()
    campaign_id = await seed_campaign(db, USERS)
    graph = FakeGraph()
    graph.latency = 0.02  # calls in flight when the kill lands
    with serving(graph.app) as api_base:
        processes = Processes(
            url,
            api_base,
            CODE,
            extra_env={
                "FADAA_OUTBOX_LEASE_SECONDS": "3",
                "FADAA_CAMPAIGN_WHATSAPP_PER_SECOND": "400",
                "FADAA_CAMPAIGN_WHATSAPP_USERS_PER_DAY": "100000",
            },
        )
        try:
            processes.start("sender", "worker")  # outbox and background jobs (campaigns)
            halfway = await wait_for(lambda: _sent_at_least(graph, USERS // 2), timeout=120)
            processes.kill("sender")
            at_kill = len(graph.messages)
            processes.start("sender", "worker")  # outbox and background jobs (campaigns)
            finished = await wait_for(lambda: _done(db, campaign_id), timeout=180)
            await asyncio.sleep(1)  # a duplicate in flight would arrive now
            outcome = await statuses(db)
            async with db.transaction() as session:
                interrupted = await session.scalar(
                    select(func.count())
                    .select_from(OutboxItem)
                    .where(OutboxItem.last_error.like("interrupted%"))
                )
        finally:
            processes.stop_all()
            await db.dispose()
    received = Counter(m.get("recipient") or m.get("to") for m in graph.messages)
    figures = f"{at_kill} sent before the kill, {len(graph.messages)} in all, {outcome}"
    print(f"\ncampaign chaos: {figures}")  # noqa: T201 — reported, never asserted
    assert halfway and finished and at_kill < USERS
    assert max(received.values()) == 1  # nobody twice
    assert outcome["sent"] + outcome["failed"] == USERS
    assert outcome["failed"] == interrupted <= PARALLEL_SENDS
    assert len(received) >= USERS - interrupted


async def _sent_at_least(graph: FakeGraph, n: int) -> bool:
    return len(graph.messages) >= n


async def _done(db: Database, campaign_id: int) -> bool:
    return await campaign_status(db, campaign_id) == "done"
