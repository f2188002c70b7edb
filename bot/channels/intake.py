"""What both webhooks do with a body that passed the secret or signature: store the message,
or keep what cannot be understood, or say the store is down so the channel redelivers.

Each inbound ends in exactly one of three ways:
- stored (and answered through the outbox);
- kept as an unprocessable update (malformed, or refused by the store for its content),
  and acknowledged so the channel does not retry it ahead of every later update;
- `StoreDown`: nothing could be written, and the webhook answers 503 so that Telegram or
  Meta delivers it again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.messages import Inbound
from bot.store.database import Database
from bot.store.models import UnprocessableUpdate

MAX_ID = 128
MAX_PAYLOAD = 256
MAX_NAME = 128
MAX_PHONE = 32
MAX_EXCERPT = 4000
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
log = logging.getLogger(__name__)


class Unprocessable(Exception):
    """The update cannot be turned into a message; the text says why (no user data)."""


class StoreDown(Exception):
    """Nothing could be written: the webhook must answer 5xx so the update comes again."""


def is_outage(error: BaseException) -> bool:
    """A failure of the database itself (connection, pool, lock), not of this update."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | PoolTimeout | OSError)


def clean_text(value: str | None) -> str | None:
    """Text every database can hold: no NUL byte, no lone surrogate (JSON allows both)."""
    if not value:
        return value
    return _LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))


def storable(inbound: Inbound) -> Inbound:
    """The inbound with text the store accepts; an id too long to be real is refused, and a
    long message id is shortened to its digest (it only serves to recognise redeliveries)."""
    user_id = clean_text(inbound.user_id) or ""
    if not user_id or len(user_id) > MAX_ID:
        raise Unprocessable("missing or over-long user id")
    message_id = clean_text(inbound.message_id) or ""
    if len(message_id) > MAX_ID:
        message_id = "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    return dataclasses.replace(
        inbound,
        user_id=user_id,
        message_id=message_id,
        text=clean_text(inbound.text) or "",
        payload=_bounded(inbound.payload, MAX_PAYLOAD),
        display_name=_bounded(inbound.display_name, MAX_NAME),
        media_ref=_bounded(inbound.media_ref, MAX_ID),
        language_hint=_bounded(inbound.language_hint, 8),
        phone=inbound.phone if inbound.phone and len(inbound.phone) <= MAX_PHONE else None,
    )


def _bounded(value: str | None, limit: int) -> str | None:
    return None if value is None else (clean_text(value) or "")[:limit]


async def keep_unprocessable(db: Database, *, channel: str, reason: str, body: bytes) -> None:
    """Keep an excerpt of an update we could not use; StoreDown if even that fails."""
    log.warning("unprocessable %s update: %s", channel, reason)
    excerpt = clean_text(body[:MAX_EXCERPT].decode("utf-8", errors="replace")) or ""
    try:
        async with db.transaction() as session:
            session.add(UnprocessableUpdate(channel=channel, reason=reason[:500], excerpt=excerpt))
    except Exception as error:
        raise StoreDown(type(error).__name__) from error


async def handle_or_keep(
    db: Database, *, channel: str, body: bytes, handle: Callable[[], Awaitable[object]]
) -> None:
    """Run `handle` (which stores the message); a database outage becomes StoreDown, any
    other failure keeps the update as unprocessable."""
    try:
        await handle()
    except Unprocessable as error:
        await keep_unprocessable(db, channel=channel, reason=str(error), body=body)
    except Exception as error:
        if is_outage(error):
            log.warning(
                "%s update not stored, the database is unavailable: %s",
                channel,
                type(error).__name__,
            )
            raise StoreDown(type(error).__name__) from error
        log.exception("%s update could not be handled", channel)
        await keep_unprocessable(db, channel=channel, reason=f"{type(error).__name__}", body=body)
