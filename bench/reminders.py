"""Reminder dispatch: claim + queue overhead per reminder, and lag until the fake Bot API
receives each message, without and with Telegram's 30 messages/s limit.

    python -m bench.reminders [DATABASE_URL]        (default: a temporary SQLite file)

100,000 reminders are pending; 10,000 of them come due at once (3,000 for the
rate-limited run, since 10,000 at 30/s would take over five minutes).
"""

import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, select, text
from telegram.request import HTTPXRequest

from bot.channels.service import Connections, running_services
from bot.clock import utcnow
from bot.config import load_settings
from bot.outbox import deliver_pending
from bot.reminders.dispatch import dispatch_due
from bot.reminders.rules import TZDATA_VERSION
from bot.store.models import Reminder, User
from tests.fakes.telegram_api import FakeTelegram

PENDING, DUE = 100_000, 10_000


async def run(database_url: str, due: int, rate: float) -> None:
    fake = FakeTelegram()
    received: dict[str, float] = {}
    original = fake._result

    def stamp(method: str, params: dict) -> object:
        received.setdefault(params.get("text", ""), time.perf_counter())
        return original(method, params)

    fake._result = stamp
    settings = load_settings(
        _env_file=None,
        database_url=database_url,
        telegram_token="1:bench",
        telegram_messages_per_second=rate,
    )
    request = HTTPXRequest(
        httpx_kwargs={"transport": httpx.ASGITransport(app=fake.app)}, connection_pool_size=64
    )
    async with running_services(
        settings, Connections(telegram_request=request), deliver=False, remind=False
    ) as services:
        await reset(services.db)
        await seed(services.db, due)
        started = time.perf_counter()
        claimed = 0
        while batch := await dispatch_due(services.db, worker="bench"):
            claimed += batch
        queued = time.perf_counter()
        await deliver_pending(
            services.db, channel="telegram", deliver=services.telegram.deliver, batch=500
        )
        lags = sorted(received[t] - started for t in received if t.startswith("⏰"))
    per = (queued - started) / max(claimed, 1) * 1000
    print(
        f"{due} due of {PENDING} pending, rate limit {rate:g}/s: claim+queue "
        f"{per:.3f} ms per reminder; delivered {len(lags)}; lag p50 {pct(lags, 50):.2f} s, "
        f"p95 {pct(lags, 95):.2f} s, max {lags[-1]:.2f} s"
    )


def pct(values: list[float], percent: int) -> float:
    return values[min(len(values) - 1, int(len(values) * percent / 100))]


async def reset(db) -> None:  # noqa: ANN001
    async with db.transaction() as session:
        for table in ("outbox", "messages", "reminders", "conversation_states", "users"):
            await session.execute(text(f"DELETE FROM {table}"))


async def seed(db, due: int) -> None:  # noqa: ANN001
    now = utcnow()
    async with db.transaction() as session:
        await session.execute(
            insert(User),
            [
                {
                    "channel": "telegram",
                    "channel_user_id": str(10**6 + n),
                    "language": "fr",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for n in range(due)
            ],
        )
        users = (await session.scalars(select(User.id).order_by(User.id))).all()
        rows = []
        for n in range(PENDING):
            at = now - timedelta(seconds=1) if n < due else now + timedelta(days=1 + n % 30)
            rows.append(
                {
                    "user_id": users[n % due],
                    "text": f"R{n}",
                    "zone": "Africa/Casablanca",
                    "local_time": at.replace(tzinfo=None),
                    "due_at": at,
                    "status": "pending",
                    "attempts": 0,
                    "tzdata_version": TZDATA_VERSION,
                    "created_at": now,
                }
            )
        for start in range(0, len(rows), 10_000):
            await session.execute(insert(Reminder), rows[start : start + 10_000])


async def main() -> None:
    url = (
        sys.argv[1]
        if len(sys.argv) > 1
        else (f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}")
    )
    await run(url, DUE, rate=1e6)
    await run(url, 3_000, rate=30)


if __name__ == "__main__":
    asyncio.run(main())
