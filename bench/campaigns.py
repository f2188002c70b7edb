"""Campaigns: 100,000 recipients. Time to count and build the audience and to queue it
into the outbox, memory, and the send rate the fake APIs see with the real per-channel
limits (Telegram 30 messages/s per bot, campaigns 25 of them; WhatsApp 60/s).

    python -m bench.campaigns [DATABASE_URL]        (default: a temporary SQLite file)

Half the users are on Telegram, half on WhatsApp (inside the 24-hour window), in the four
reply languages; all of them consented to news. Prints figures, never fails on timing.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import delete, func, insert, select, text, update
from telegram.request import HTTPXRequest

from bot.campaigns import dispatch, editing
from bot.campaigns.dispatch import sender_for as campaign_sender_for
from bot.channels.service import Connections, running_services
from bot.clock import utcnow
from bot.config import Settings, load_settings
from bot.store.models import Campaign, CampaignDelivery, Consent, OutboxItem, User
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.whatsapp_api import APP_SECRET, PHONE_ID, FakeGraph

RECIPIENTS = 100_000
SECOND = timedelta(seconds=1)
SEND_SECONDS = 20.0
LANGUAGES = ("ary", "fr", "ar", "ary-Latn")
TEXTS = {"fr": "Nouvel appel à projets.", "ar": "طلب مشاريع جديد.", "ary": "طلب مشاريع جديد."}


async def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else _sqlite()
    telegram, graph = FakeTelegram(), FakeGraph()
    received: dict[str, list[float]] = defaultdict(list)
    _stamp(telegram, graph, received)
    settings = load_settings(
        _env_file=None,
        database_url=url,
        telegram_token="1:bench",
        whatsapp_phone_id=PHONE_ID,
        whatsapp_token="wa-token",
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token="bench-verify",
        campaign_whatsapp_users_per_day=RECIPIENTS,  # tier 3 (100K users a day)
    )
    connections = Connections(
        telegram_request=HTTPXRequest(
            httpx_kwargs={"transport": httpx.ASGITransport(app=telegram.app)},
            connection_pool_size=64,
        ),
        whatsapp_session=httpx.AsyncClient(transport=httpx.ASGITransport(app=graph.app)),
    )
    async with running_services(settings, connections, deliver=False, remind=False) as services:
        db = services.db
        await _reset(db)
        await _seed(db)
        await _build_and_queue(db)
        await _send_at_pace(services, received)


async def _build_and_queue(db) -> None:  # noqa: ANN001
    campaign_id = await _campaign(db)
    async with db.transaction() as session:
        started = time.perf_counter()
        size = await editing.audience_size(session, await session.get(Campaign, campaign_id))
        counted = time.perf_counter() - started
    rss_before = _rss_mib()
    started = time.perf_counter()
    await dispatch.start_due(db)
    built = time.perf_counter() - started
    started, queued, calls = time.perf_counter(), 0, 0
    for channel in ("telegram", "whatsapp"):
        while True:
            calls += 1  # each call a second apart on paper: no pace, the code's own speed
            async with db.transaction() as session:
                fed = await dispatch.feed(
                    session, channel=channel, rate=5000, now=utcnow() + calls * SECOND
                )
            if not fed:
                break
            queued += fed
    fed_seconds = time.perf_counter() - started
    print(f"audience of {size}: counted in {counted:.2f} s")
    print(
        f"built (one delivery row each) in {built:.2f} s; queued {queued} into the outbox in "
        f"{fed_seconds:.2f} s ({queued / fed_seconds:,.0f}/s, "
        f"{fed_seconds / max(queued, 1) * 1e6:.0f} µs each)"
    )
    print(f"memory: max RSS {rss_before:.0f} MiB before build and queue, {_rss_mib():.0f} after")
    async with db.transaction() as session:  # the next part starts from an empty outbox
        await session.execute(delete(OutboxItem))
        await session.execute(update(CampaignDelivery).values(status="cancelled", fed_at=None))
        await session.execute(update(Campaign).values(status="cancelled"))


async def _every_tick(
    round_: Callable[[], Awaitable[int]], settings: Settings, stopping: asyncio.Event
) -> None:
    """What the scheduler's campaigns job does, without the other background jobs."""
    while not stopping.is_set():
        await round_()
        await asyncio.sleep(settings.campaign_tick_seconds)


async def _send_at_pace(services, received: dict[str, list[float]]) -> None:  # noqa: ANN001
    campaign_id = await _campaign(services.db)
    await dispatch.start_due(services.db)  # its audience first: the clock runs for sending
    sender = campaign_sender_for(services.settings, services.db, services.worker.poke)
    rounds: list[float] = []
    one_round = sender.round

    async def timed_round() -> int:
        began = time.perf_counter()
        try:
            return await one_round()
        finally:
            rounds.append(time.perf_counter() - began)

    sender.round = timed_round  # type: ignore[method-assign]
    stopping = asyncio.Event()
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(services.worker.run()),
        asyncio.create_task(_every_tick(sender.round, services.settings, stopping)),
    ]
    await asyncio.sleep(SEND_SECONDS)
    stopping.set()
    services.worker.stop()
    await asyncio.gather(*tasks)
    async with services.db.transaction() as session:
        fed = dict(
            (
                await session.execute(
                    select(CampaignDelivery.channel, func.count())
                    .where(
                        CampaignDelivery.campaign_id == campaign_id,
                        CampaignDelivery.fed_at.is_not(None),
                    )
                    .group_by(CampaignDelivery.channel)
                )
            ).all()
        )
    rounds.sort()
    print(
        f"sender rounds: {len(rounds)}, median {rounds[len(rounds) // 2] * 1000:.0f} ms, "
        f"max {rounds[-1] * 1000:.0f} ms"
    )
    for channel, limit in (
        ("telegram", services.settings.campaign_telegram_per_second),
        ("whatsapp", services.settings.campaign_whatsapp_per_second),
    ):
        during = [t - started for t in received[channel] if 2 <= t - started <= SEND_SECONDS]
        rate = len(during) / (SEND_SECONDS - 2)
        print(
            f"{channel}: {fed.get(channel, 0)} put in the outbox and {len(received[channel])} "
            f"sent (the last after the stop); from 2 s to {SEND_SECONDS:.0f} s "
            f"{rate:.1f}/s (campaign pace {limit:g}/s)"
        )


async def _campaign(db) -> int:  # noqa: ANN001
    async with db.transaction() as session:
        campaign = Campaign(
            name="bench", topic="news", texts=TEXTS, status="scheduled", created_by="bench"
        )
        session.add(campaign)
        await session.flush()
        return campaign.id


def _stamp(telegram: FakeTelegram, graph: FakeGraph, received: dict[str, list[float]]) -> None:
    original = telegram._result

    def on_telegram(method: str, params: dict) -> object:
        if method == "sendMessage":
            received["telegram"].append(time.perf_counter())
        return original(method, params)

    async def on_graph(_body: dict) -> None:
        received["whatsapp"].append(time.perf_counter())

    telegram._result = on_telegram
    graph.on_send = on_graph


async def _reset(db) -> None:  # noqa: ANN001
    async with db.transaction() as session:
        for table in ("campaign_deliveries", "campaigns", "consents", "outbox", "messages"):
            await session.execute(text(f"DELETE FROM {table}"))
        await session.execute(text("DELETE FROM conversation_states"))
        await session.execute(text("DELETE FROM users"))


async def _seed(db) -> None:  # noqa: ANN001
    now = utcnow()
    started = time.perf_counter()
    async with db.transaction() as session:
        for start in range(0, RECIPIENTS, 10_000):
            await session.execute(
                insert(User),
                [
                    {
                        "channel": "telegram" if n % 2 else "whatsapp",
                        "channel_user_id": str(10**8 + n) if n % 2 else f"MA.{10**8 + n}",
                        "language": LANGUAGES[n % 4],
                        "created_at": now,
                        "last_seen_at": now,
                    }
                    for n in range(start, start + 10_000)
                ],
            )
        ids = (await session.scalars(select(User.id))).all()
        for start in range(0, len(ids), 10_000):
            await session.execute(
                insert(Consent),
                [
                    {"user_id": i, "topic": "news", "granted_at": now, "source": "bench"}
                    for i in ids[start : start + 10_000]
                ],
            )
    print(f"seeded {RECIPIENTS} consented users in {time.perf_counter() - started:.1f} s")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sqlite() -> str:
    return f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"


if __name__ == "__main__":
    asyncio.run(main())
