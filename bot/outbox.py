"""Delivery of queued replies: claim, send outside any transaction, then mark."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.messages import Outbound
from bot.store import repo
from bot.store.database import Database

log = logging.getLogger(__name__)

Deliver = Callable[[str, Outbound], Awaitable[None]]


class PermanentDeliveryError(Exception):
    """The channel refused the message for good (blocked bot, invalid recipient)."""


async def deliver_pending(
    db: Database, *, channel: str, deliver: Deliver, max_attempts: int = 5, batch: int = 50
) -> int:
    """Send what is pending for a channel; returns how many were delivered."""
    async with db.transaction() as session:
        items = await repo.claim_outbox(session, channel=channel, limit=batch)
    delivered = 0
    for item in items:
        error, give_up = await _attempt(deliver, item.recipient, Outbound.from_dict(item.body))
        give_up = give_up or item.attempts >= max_attempts
        async with db.transaction() as session:
            await repo.finish_outbox(session, item_id=item.id, error=error, give_up=give_up)
        delivered += error is None
    return delivered


async def recover_claims(db: Database, *, channel: str, lease: timedelta) -> int:
    async with db.transaction() as session:
        return await repo.release_stale_claims(session, channel=channel, older_than=lease)


async def _attempt(deliver: Deliver, recipient: str, outbound: Outbound) -> tuple[str | None, bool]:
    try:
        await deliver(recipient, outbound)
    except PermanentDeliveryError as error:
        return f"permanent: {error}", True
    except Exception as error:  # noqa: BLE001 — any transport failure is retried later
        log.warning("delivery to %s failed: %s", recipient[-4:], type(error).__name__)
        return f"{type(error).__name__}: {error}", False
    return None, False
