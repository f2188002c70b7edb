"""Delivery of queued replies: claim, send outside any transaction, then mark.

A transient failure is retried later with exponential back-off; a permanent one (blocked
bot, unknown recipient) or too many attempts marks the row failed.

Delivery is at-least-once. Neither Telegram nor WhatsApp takes an idempotency key, so a
sender killed after the API accepted a message but before the row is marked sends it again
once the claim expires. The window is kept as small as the APIs allow: each row is marked
the moment its own call answers, a sender claims only as many rows as it has free sending
slots, and claims are short leases renewed while the sender works (a dead sender's rows
come back within about 1.5 leases instead of minutes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select

from bot.clock import utcnow
from bot.messages import Outbound
from bot.store import repo
from bot.store.database import Database
from bot.store.models import OutboxItem

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=10)
PARALLEL_SENDS = 8  # messages in flight per channel and sender: what a kill -9 may double
DEFAULT_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class Delivery:
    recipient: str
    outbound: Outbound
    language: str | None
    last_inbound_at: datetime | None
    key: str
    body: dict[str, Any] = field(default_factory=dict)  # as queued, for non-user channels


# returns the channel's id of what it sent (a wamid), or None
Deliver = Callable[[Delivery], Awaitable[object]]


class PermanentDeliveryError(Exception):
    """The channel refused the message for good (blocked bot, invalid recipient)."""


@dataclass(frozen=True)
class Patience:
    """How many attempts a message gets, and who hears of a user's message given up on."""

    max_attempts: int = 5
    on_given_up: Callable[[int, str], Awaitable[None]] | None = None


async def deliver_pending(
    db: Database,
    *,
    channel: str,
    deliver: Deliver,
    patience: Patience = Patience(),  # noqa: B008
    parallel: int = PARALLEL_SENDS,
    lease: timedelta = DEFAULT_LEASE,
) -> int:
    """Send what is due for a channel, oldest first per user; returns how many were delivered.

    Rows are claimed only for free sending slots, so a crash strands few of them; each is
    marked as soon as its call answers, and the claims of rows still in flight are renewed
    every third of the lease."""
    delivered = 0
    held: set[int] = set()
    sending: set[asyncio.Task[bool]] = set()
    renewing = asyncio.create_task(_renew(db, held, lease))
    try:
        while True:
            free = parallel - len(sending)
            # claim when half the slots are free: fewer claim queries, few rows stranded
            worth_claiming = free >= max(1, parallel // 2) or not sending
            for item, user in await _claim(db, channel, free) if worth_claiming else []:
                held.add(item.id)
                sending.add(
                    asyncio.create_task(_deliver_guarded(db, item, user, deliver, patience, held))
                )
            if not sending:
                return delivered
            done, sending = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
            delivered += sum(task.result() for task in done)
    finally:
        if sending:  # stopping: let the calls in flight finish and be marked
            await asyncio.gather(*sending, return_exceptions=True)
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing


async def _claim(db: Database, channel: str, batch: int) -> list[tuple[Row[Any], Row[Any] | None]]:
    async with db.each_statement_alone() as session:  # the claim is one UPDATE … RETURNING
        return await repo.claim_outbox(session, channel=channel, limit=batch)


async def _renew(db: Database, held: set[int], lease: timedelta) -> None:
    """Keep this sender's claims fresh while it works, so only a dead sender's expire."""
    while True:
        await asyncio.sleep(lease.total_seconds() / 3)
        if not held:
            continue
        try:
            async with db.transaction() as session:
                await repo.renew_claims(session, held)
        except Exception:  # noqa: BLE001 — the next renewal tries again; the lease is the limit
            log.exception("could not renew outbox claims")


async def _deliver_guarded(
    db: Database,
    item: Row[Any],
    user: Row[Any] | None,
    deliver: Deliver,
    patience: Patience,
    held: set[int],
) -> bool:
    """A row whose outcome cannot be written stays claimed and comes back after the lease."""
    try:
        return await _deliver_one(db, item, user, deliver, patience)
    except Exception:  # noqa: BLE001 — one row's database error must not stop the others
        log.exception("could not record a delivery attempt")
        return False
    finally:
        held.discard(item.id)


async def _deliver_one(
    db: Database, item: Row[Any], user: Row[Any] | None, deliver: Deliver, patience: Patience
) -> bool:
    """`user` is None for the farewell to someone who just erased their data."""
    sent_id: object = None
    error: str | None
    if user is not None and user.blocked_at:
        error, give_up = "recipient blocked the bot", True
    else:
        error, give_up, sent_id = await _attempt(
            deliver,
            Delivery(
                recipient=item.recipient,
                outbound=Outbound.from_dict(item.body),
                language=user.language if user else None,
                last_inbound_at=user.last_seen_at if user else item.created_at,
                key=item.idempotency_key or f"outbox:{item.id}",
                body=item.body,
            ),
        )
    give_up = error is not None and (give_up or item.attempts >= patience.max_attempts)
    await _marks_of(db).mark(
        item_id=item.id,
        error=error,
        give_up=give_up,
        retry_at=utcnow() + _backoff(item.attempts),
        channel_message_id=sent_id if isinstance(sent_id, str) else None,
        farewell=item.user_id is None,
    )
    if give_up and error and user is not None and patience.on_given_up:
        await _tell(patience.on_given_up, user.id, error)
    return error is None


class _Marks:
    """Marks written together: a mark asked for while another transaction of marks is
    being written goes into the next one, with every other mark that arrived meanwhile.
    No mark waits for company (an idle sender writes its one mark at once); under load
    the sends answered in the same moment share one transaction (one write-lock turn on
    SQLite, one connection on PostgreSQL) instead of one each. The caller returns once
    its own mark is committed, as before.

    On PostgreSQL the rows are locked in id order, and the renewal skips rows being marked
    (repo.renew_claims): the two can no longer wait for each other in a circle."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._asked: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, **finish: Any) -> None:
        done = asyncio.get_running_loop().create_future()
        self._asked.append((finish, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await asyncio.shield(done)  # a cancelled sender's mark is still written

    async def _write(self) -> None:
        while self._asked:
            batch, self._asked = self._asked, []
            try:
                await self._finish(batch)
            except Exception:  # noqa: BLE001 — retried one by one: one bad row fails alone
                for finish, done in batch:
                    try:
                        await self._finish([(finish, done)])
                    except Exception as error:  # noqa: BLE001 — the caller hears of it
                        done.set_exception(error)
            for _finish, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _finish(self, batch: list[tuple[dict[str, Any], asyncio.Future[None]]]) -> None:
        """The sent rows in one statement, each failure in its own."""
        in_id_order = sorted((finish for finish, _done in batch), key=lambda f: f["item_id"])
        sent = [
            repo.Sent(f["item_id"], f["channel_message_id"], f["farewell"])
            for f in in_id_order
            if f["error"] is None
        ]
        one_statement = len(sent) == len(in_id_order) and not any(s.farewell for s in sent)
        whole = self.db.each_statement_alone if one_statement else self.db.transaction
        async with whole() as session:
            if sent:
                await repo.finish_sent(session, sent)
            for finish in in_id_order:
                if finish["error"] is not None:
                    await repo.finish_outbox(session, **finish)


_marks: weakref.WeakKeyDictionary[Database, _Marks] = weakref.WeakKeyDictionary()


def _marks_of(db: Database) -> _Marks:
    if db not in _marks:
        _marks[db] = _Marks(db)
    return _marks[db]


def _backoff(attempts: int) -> timedelta:
    return min(MAX_BACKOFF, timedelta(seconds=2**attempts))


async def refused_after_sending(
    db: Database,
    *,
    channel: str,
    channel_message_id: str,
    error: str,
    retry: bool,
    on_given_up: Callable[[int, str], Awaitable[None]] | None = None,
    max_attempts: int = Patience.max_attempts,
) -> bool:
    """The channel accepted a message, then reported it failed (WhatsApp's "failed" status):
    send it again later when the error is temporary, else mark it failed. Returns whether
    a row was found."""
    async with db.transaction() as session:
        item = await session.scalar(
            select(OutboxItem)
            .where(
                OutboxItem.channel == channel,
                OutboxItem.channel_message_id == channel_message_id,
                OutboxItem.status == "sent",
            )
            .with_for_update()
        )
        if item is None:
            return False
        give_up = not retry or item.attempts >= max_attempts
        item.status, item.last_error = ("failed" if give_up else "pending"), error[:2000]
        item.not_before = None if give_up else utcnow() + _backoff(item.attempts)
        user_id = item.user_id
    if give_up and user_id is not None and on_given_up:
        await _tell(on_given_up, user_id, error)
    return True


async def _tell(listener: Callable[[int, str], Awaitable[None]], user_id: int, error: str) -> None:
    try:
        await listener(user_id, error)
    except Exception:  # noqa: BLE001 — the message is already marked; this is a courtesy
        log.exception("could not report an undeliverable message")


async def recover_claims(db: Database, *, channel: str, lease: timedelta) -> int:
    async with db.transaction() as session:
        return await repo.release_stale_claims(session, channel=channel, older_than=lease)


class OutboxWorker:
    """Delivers each enabled channel's outbox: at once when poked, and every `interval`."""

    def __init__(
        self,
        db: Database,
        senders: dict[str, Deliver],
        interval: float = 1.0,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.db = db
        self.senders = senders
        # channels whose messages must not be given up quickly (the advisors' group)
        self.max_attempts: dict[str, int] = {}
        self.on_given_up: Callable[[int, str], Awaitable[None]] | None = None
        self.interval = interval
        self.lease = lease
        self._pokes: dict[str, asyncio.Event] = {}
        self._stopping = False
        self._recovered_at = datetime.min.replace(tzinfo=UTC)

    def poke(self) -> None:
        for poked in self._pokes.values():
            poked.set()

    def stop(self) -> None:
        """run() returns after the rounds in progress."""
        self._stopping = True
        self.poke()

    async def run(self) -> None:
        """One loop per channel: a channel kept busy (by a campaign, say) never holds
        another one's replies back."""
        self._pokes = {channel: asyncio.Event() for channel in self.senders}
        await asyncio.gather(*(self._run_channel(channel) for channel in self.senders))

    async def _run_channel(self, channel: str) -> None:
        poked = self._pokes[channel]
        while not self._stopping:
            try:
                await self._drain_channel(channel)
            except Exception:  # noqa: BLE001 — a database hiccup must not stop delivery for good
                log.exception("outbox delivery round failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await poked.wait()
            poked.clear()

    async def drain(self) -> None:
        """Deliver everything due now, the channels side by side."""
        await asyncio.gather(*(self._drain_channel(channel) for channel in self.senders))

    async def _drain_channel(self, channel: str) -> None:
        """Claims of a crashed worker (every channel's) are recovered once per half lease."""
        now = utcnow()
        if now - self._recovered_at >= self.lease / 2:
            self._recovered_at = now
            for each in self.senders:
                await recover_claims(self.db, channel=each, lease=self.lease)
        patience = Patience(self.max_attempts.get(channel, 5), self.on_given_up)
        await deliver_pending(
            self.db,
            channel=channel,
            deliver=self.senders[channel],
            patience=patience,
            lease=self.lease,
        )


async def _attempt(deliver: Deliver, delivery: Delivery) -> tuple[str | None, bool, object]:
    """(error, give up, what the channel returned)."""
    try:
        sent = await deliver(delivery)
    except PermanentDeliveryError as error:
        return f"permanent: {error}", True, None
    except Exception as error:  # noqa: BLE001 — any transport failure is retried later
        log.warning("delivery to …%s failed: %s", delivery.recipient[-4:], type(error).__name__)
        return f"{type(error).__name__}: {error}", False, None
    return None, False, sent
