"""Delivery of queued replies: claim, send outside any transaction, then mark.

A transient failure is retried later with exponential back-off; a permanent one (blocked
bot, unknown recipient) or too many attempts marks the row failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import utcnow
from bot.messages import Outbound
from bot.store import repo
from bot.store.database import Database
from bot.store.models import OutboxItem, User

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=10)
PARALLEL_SENDS = 16


@dataclass(frozen=True)
class Delivery:
    recipient: str
    outbound: Outbound
    language: str | None
    last_inbound_at: datetime | None
    key: str
    body: dict[str, Any] = field(default_factory=dict)  # as queued, for non-user channels


Deliver = Callable[[Delivery], Awaitable[None]]


class PermanentDeliveryError(Exception):
    """The channel refused the message for good (blocked bot, invalid recipient)."""


@dataclass(frozen=True)
class Patience:
    """How many attempts a message gets, and who hears of a user's message given up on."""

    max_attempts: int = 5
    on_given_up: Callable[[int, str], Awaitable[None]] | None = None


async def deliver_pending(
    db: Database, *, channel: str, deliver: Deliver, patience: Patience = Patience(),  # noqa: B008
    batch: int = 50,
) -> int:
    """Send what is due for a channel, oldest first per user; returns how many were delivered."""
    delivered = 0
    while claimed := await _claim(db, channel, batch):
        delivered += await _deliver_claimed(db, claimed, deliver, patience)
    return delivered


async def _claim(db: Database, channel: str, batch: int) -> list[tuple[OutboxItem, User]]:
    async with db.transaction() as session:
        return await repo.claim_outbox(session, channel=channel, limit=batch)


async def _deliver_claimed(
    db: Database, claimed: list[tuple[OutboxItem, User]], deliver: Deliver, patience: Patience
) -> int:
    """Claimed rows belong to different users, so they may be sent side by side."""
    slots = asyncio.Semaphore(PARALLEL_SENDS)

    async def one(item: OutboxItem, user: User) -> bool:
        async with slots:
            return await _deliver_one(db, item, user, deliver, patience)

    return sum(await asyncio.gather(*(one(item, user) for item, user in claimed)))


async def _deliver_one(db: Database, item: OutboxItem, user: User | None, deliver: Deliver,
                       patience: Patience) -> bool:
    """`user` is None for the farewell to someone who just erased their data."""
    if user is not None and user.blocked_at:
        error, give_up = "recipient blocked the bot", True
    else:
        error, give_up = await _attempt(deliver, Delivery(
            recipient=item.recipient, outbound=Outbound.from_dict(item.body),
            language=user.language if user else None,
            last_inbound_at=user.last_seen_at if user else item.created_at,
            key=item.idempotency_key or f"outbox:{item.id}", body=item.body,
        ))
    give_up = error is not None and (give_up or item.attempts >= patience.max_attempts)
    async with db.transaction() as session:
        await repo.finish_outbox(
            session, item_id=item.id, error=error, give_up=give_up,
            retry_at=utcnow() + min(MAX_BACKOFF, timedelta(seconds=2 ** item.attempts)),
        )
    if give_up and user is not None and patience.on_given_up:
        await _tell(patience.on_given_up, user.id, error)
    return error is None


async def _tell(listener: Callable[[int, str], Awaitable[None]], user_id: int,
                error: str) -> None:
    try:
        await listener(user_id, error)
    except Exception:  # noqa: BLE001 — the message is already marked; this is a courtesy
        log.exception("could not report an undeliverable message")


async def recover_claims(db: Database, *, channel: str, lease: timedelta) -> int:
    async with db.transaction() as session:
        return await repo.release_stale_claims(session, channel=channel, older_than=lease)


class OutboxWorker:
    """Delivers each enabled channel's outbox: at once when poked, and every `interval`."""

    def __init__(self, db: Database, senders: dict[str, Deliver], interval: float = 1.0,
                 lease: timedelta = timedelta(minutes=5)) -> None:
        self.db = db
        self.senders = senders
        # channels whose messages must not be given up quickly (the advisors' group)
        self.max_attempts: dict[str, int] = {}
        self.on_given_up: Callable[[int, str], Awaitable[None]] | None = None
        self.interval = interval
        self.lease = lease
        self._poke = asyncio.Event()
        self._stopping = False
        self._recovered_at = datetime.min.replace(tzinfo=UTC)

    def poke(self) -> None:
        self._poke.set()

    def stop(self) -> None:
        """run() returns after the round in progress."""
        self._stopping = True
        self._poke.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                await self.drain()
            except Exception:  # noqa: BLE001 — a database hiccup must not stop delivery for good
                log.exception("outbox delivery round failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._poke.wait()
            self._poke.clear()

    async def drain(self) -> None:
        """Deliver everything due; claims of a crashed worker are recovered once per lease."""
        now = utcnow()
        recover = now - self._recovered_at >= self.lease / 2
        for channel, deliver in self.senders.items():
            if recover:
                await recover_claims(self.db, channel=channel, lease=self.lease)
            patience = Patience(self.max_attempts.get(channel, 5), self.on_given_up)
            await deliver_pending(self.db, channel=channel, deliver=deliver, patience=patience)
        if recover:
            self._recovered_at = now


async def _attempt(deliver: Deliver, delivery: Delivery) -> tuple[str | None, bool]:
    try:
        await deliver(delivery)
    except PermanentDeliveryError as error:
        return f"permanent: {error}", True
    except Exception as error:  # noqa: BLE001 — any transport failure is retried later
        log.warning("delivery to …%s failed: %s", delivery.recipient[-4:], type(error).__name__)
        return f"{type(error).__name__}: {error}", False
    return None, False
