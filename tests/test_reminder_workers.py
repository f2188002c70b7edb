"""Four worker processes on one PostgreSQL: every reminder delivered once, even when a
worker is killed with SIGKILL in the middle of its work."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from bot.clock import utcnow
from bot.reminders.rules import TZDATA_VERSION
from bot.store.database import Database
from bot.store.models import Reminder, User
from tests.conftest import database_url, empty_database
from tests.fakes.servers import serving
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.store
REMINDERS = 5_000
POSTGRES = os.environ.get("FADAA_TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.mark.skipif(not POSTGRES, reason="several processes need PostgreSQL")
async def test_four_workers_deliver_5000_reminders_exactly_once_despite_a_kill(tmp_path):
    url = database_url(tmp_path)
    database = await empty_database(url)
    await database.migrate()
    await seed(database)
    fake = FakeTelegram()
    with serving(fake.app) as api_base:
        environment = {
            **os.environ,
            "FADAA_DATABASE_URL": url,
            "FADAA_DATA_DIR": str(tmp_path),  # not ./data in the repository
            "FADAA_TELEGRAM_TOKEN": "123456:TEST-token",
            "FADAA_TELEGRAM_API_BASE": api_base,
            "FADAA_TELEGRAM_MESSAGES_PER_SECOND": "100000",
            "FADAA_REMINDER_TICK_SECONDS": "0.2",
            "FADAA_REMINDER_LEASE_SECONDS": "3",
            "FADAA_OUTBOX_LEASE_SECONDS": "3",
        }
        reminder_workers = [start(environment, f"w{i}", "--no-outbox") for i in range(4)]
        sender = start(environment, "sender", "--no-reminders")
        try:
            await wait_for(database, lambda counts: counts.get("sent", 0) >= 300)
            reminder_workers[0].send_signal(signal.SIGKILL)
            await wait_for(database, lambda counts: counts.get("sent", 0) == REMINDERS, timeout=180)
            deadline = time.monotonic() + 120
            while len(fake.sent()) < REMINDERS and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # anything sent twice would arrive now
        finally:
            for process in [*reminder_workers, sender]:
                process.kill()
                process.wait()
    texts = Counter(call["text"] for call in fake.sent())
    await database.dispose()
    assert len(texts) == REMINDERS
    assert max(texts.values()) == 1


async def seed(database: Database) -> None:
    now = utcnow()
    async with database.transaction() as session:
        await session.execute(
            insert(User),
            [
                {
                    "channel": "telegram",
                    "channel_user_id": str(100000 + n),
                    "language": "fr",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for n in range(REMINDERS)
            ],
        )
        ids = (await session.scalars(select(User.id).order_by(User.id))).all()
        await session.execute(
            insert(Reminder),
            [
                {
                    "user_id": user_id,
                    "text": f"R{n}",
                    "zone": "Africa/Casablanca",
                    "local_time": (now + timedelta(seconds=2 + n % 3)).replace(tzinfo=None),
                    "due_at": now + timedelta(seconds=2 + n % 3),
                    "status": "pending",
                    "attempts": 0,
                    "tzdata_version": TZDATA_VERSION,
                    "created_at": now,
                }
                for n, user_id in enumerate(ids)
            ],
        )


def start(environment: dict[str, str], worker_id: str, *flags: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker", *flags],
        env={**environment, "FADAA_WORKER_ID": worker_id},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_for(database: Database, condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with database.transaction() as session:
            counts = dict(
                (
                    await session.execute(
                        select(Reminder.status, func.count()).group_by(Reminder.status)
                    )
                ).all()
            )
        if condition(counts):
            return
        time.sleep(0.1)
    raise TimeoutError(f"reminders did not get there in {timeout} s: {counts}")
