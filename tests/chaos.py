"""Kill -9 on loopback: a web process and workers on one PostgreSQL, a fake Graph API in a
thread, a burst of signed WhatsApp messages, workers killed while they send.

Used by the chaos test (which asserts nothing is lost) and by bench/reliability.py (which
prints the figures). Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

from bot.clock import utcnow
from bot.reminders.rules import TZDATA_VERSION
from bot.store.database import Database
from bot.store.models import Message, OutboxItem, Reminder, User
from tests.fakes.servers import free_port
from tests.fakes.whatsapp_api import (
    APP_SECRET,
    PHONE_ID,
    FakeGraph,
    signed,
    text_message,
    webhook,
)

WORDS = (
    "salam",
    "bghit ndir cooperative",
    "Comment obtenir l'agrément ONSSA ?",
    "شنو هي انطلاقة؟",
    "merci",
)


@dataclass
class Processes:
    """The web service and workers, started from `code` (a source tree) on `url`."""

    url: str
    api_base: str
    code: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    web_port: int = field(default_factory=free_port)
    running: dict[str, subprocess.Popen] = field(default_factory=dict)

    def environment(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(self.code),
            "FADAA_DATABASE_URL": self.url,
            "FADAA_WHATSAPP_PHONE_ID": PHONE_ID,
            "FADAA_WHATSAPP_TOKEN": "wa-token",
            "FADAA_WHATSAPP_APP_SECRET": APP_SECRET,
            "FADAA_WHATSAPP_VERIFY_TOKEN": "verify-token-for-chaos",
            "FADAA_WHATSAPP_API_BASE": self.api_base,
            "FADAA_WORKER_ID": name,
            **self.extra_env,
        }

    def start(self, name: str, *args: str) -> None:
        self.running[name] = subprocess.Popen(
            [sys.executable, "-m", "api.cli", *args],
            cwd=self.code,
            env=self.environment(name),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start_web(self) -> None:
        self.start("web", "serve", "--host", "127.0.0.1", "--port", str(self.web_port))

    def kill(self, name: str) -> None:
        """SIGKILL: no finally block, no rollback, no goodbye."""
        self.running[name].send_signal(signal.SIGKILL)
        self.running[name].wait()

    def stop_all(self) -> None:
        for process in self.running.values():
            process.kill()
            process.wait()

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"


def migrate_with(code: Path, url: str) -> None:
    """Create the schema with the code under test (an older tree knows fewer revisions)."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import asyncio, sys; from bot.store.database import Database; "
            "asyncio.run(Database(sys.argv[1]).migrate())",
            url,
        ],
        cwd=code,
        env={**os.environ, "PYTHONPATH": str(code)},
        check=True,
    )


async def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{url} did not start in {timeout} s")


async def post_burst(url: str, *, users: int, per_user: int, concurrency: int = 16) -> int:
    """`users` × `per_user` signed text messages, each user's in order; returns how many
    were answered 200 (the others are posted again, as Meta would)."""
    slots = asyncio.Semaphore(concurrency)
    accepted = 0

    async def one_user(client: httpx.AsyncClient, user: int) -> None:
        nonlocal accepted
        for n in range(per_user):
            payload = webhook(
                text_message(f"wamid.CHAOS{user}-{n}", WORDS[n % len(WORDS)]),
                bsuid=f"MA.{9000000 + user}",
                wa_id=None,
                name=f"U{user}",
            )
            body, headers = signed(payload)
            async with slots:
                for _attempt in range(50):  # Meta redelivers until it gets a 200
                    try:
                        response = await client.post(
                            f"{url}/whatsapp/webhook", content=body, headers=headers
                        )
                        if response.status_code == 200:
                            accepted += 1
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.2)

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(one_user(client, user) for user in range(users)))
    return accepted


async def seed_reminders(db: Database, count: int, due_in: float = 2.0) -> None:
    """`count` WhatsApp users, each with one reminder due in about `due_in` seconds."""
    now = utcnow()
    async with db.transaction() as session:
        await session.execute(
            insert(User),
            [
                {
                    "channel": "whatsapp",
                    "channel_user_id": f"MA.{5000000 + n}",
                    "language": "fr",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for n in range(count)
            ],
        )
        ids = (
            await session.scalars(
                select(User.id).where(User.channel_user_id.like("MA.5%")).order_by(User.id)
            )
        ).all()
        due = now + timedelta(seconds=due_in)
        await session.execute(
            insert(Reminder),
            [
                {
                    "user_id": user_id,
                    "text": f"R{n}",
                    "zone": "Africa/Casablanca",
                    "local_time": due.replace(tzinfo=None),
                    "due_at": due,
                    "status": "pending",
                    "attempts": 0,
                    "tzdata_version": TZDATA_VERSION,
                    "created_at": now,
                }
                for n, user_id in enumerate(ids)
            ],
        )


async def wait_for(check: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.25)
    return False


async def unsent(db: Database) -> int:
    async with db.transaction() as session:
        return await session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.status.in_(("pending", "sending")))
        )


@dataclass
class Outcome:
    posted: int
    stored: int
    rows: int
    rows_sent: int
    calls: int
    duplicates: dict[str, int]
    missing: dict[str, int]
    waits: list[float]

    def report(self, title: str) -> str:
        extra = sum(self.duplicates.values())
        late = sorted(self.waits)
        lines = [
            f"{title}: posted {self.posted}, stored {self.stored}, replies queued {self.rows}, "
            f"sent {self.rows_sent}, Graph calls {self.calls}",
            f"  duplicates: {extra} of {self.rows} replies "
            f"({100 * extra / max(1, self.rows):.2f} %) over {len(self.duplicates)} users",
            f"  missing: {sum(self.missing.values())}",
            f"  queue-to-send wait: max {late[-1] if late else 0:.1f} s, "
            f"> 60 s: {sum(w > 60 for w in late)}, > 300 s: {sum(w > 300 for w in late)}",
        ]
        lines += [
            f"  duplicate: {user} got {n} extra" for user, n in sorted(self.duplicates.items())
        ]
        return "\n".join(lines)


async def outcome(db: Database, graph: FakeGraph, *, posted: int) -> Outcome:
    """Compare what the database says was sent with what the fake API received, user by
    user (every reply here is one Graph call)."""
    async with db.transaction() as session:
        stored = await session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
        rows = (
            await session.execute(
                select(
                    OutboxItem.recipient,
                    OutboxItem.status,
                    OutboxItem.created_at,
                    OutboxItem.sent_at,
                )
            )
        ).all()
    expected = Counter(row.recipient for row in rows)
    received = Counter(call.get("recipient") or call.get("to") for call in graph.messages)
    duplicates = {user: received[user] - n for user, n in expected.items() if received[user] > n}
    missing = {user: n - received[user] for user, n in expected.items() if received[user] < n}
    waits = [(row.sent_at - row.created_at).total_seconds() for row in rows if row.sent_at]
    return Outcome(
        posted,
        stored,
        len(rows),
        sum(row.status == "sent" for row in rows),
        len(graph.messages),
        duplicates,
        missing,
        waits,
    )


async def reminder_lateness(db: Database) -> list[float]:
    """Seconds between each reminder's due time and its message reaching the API."""
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(Reminder.id, Reminder.due_at, OutboxItem.sent_at)
                .join(
                    OutboxItem,
                    OutboxItem.idempotency_key == func.concat("reminder:", Reminder.id, ":0"),
                )
                .where(OutboxItem.sent_at.is_not(None))
            )
        ).all()
    return [(row.sent_at - row.due_at).total_seconds() for row in rows]
