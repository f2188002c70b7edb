"""Queries shared by the engine, the channels and the API. Keyword-only, session first."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Integer,
    Result,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert, ReturningUpdate, Update

from bot.clock import utcnow
from bot.handoff.status import HandoffStatus
from bot.messages import Inbound, Outbound
from bot.nlu import Understanding
from bot.store.models import (
    ConversationState,
    FlowStep,
    Handoff,
    HandoffEvent,
    Message,
    OutboxItem,
    Reminder,
    User,
)

DESK_CHANNEL = "advisors"  # the outbox channel of posts to the advisors' group
_MESSAGE_LOG = insert(cast(Table, Message.__table__))  # built once: see _message_insert


def _insert(session: AsyncSession, table: object) -> postgresql.Insert | sqlite.Insert:
    return dialect_insert(session.get_bind().dialect.name, table)


def dialect_insert(dialect: str, table: object) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with the dialect's ON CONFLICT clauses."""
    return _INSERTS[dialect](table)


_INSERTS: dict[str, Callable[[Any], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE changed (its result is a cursor's)."""
    return cast(CursorResult[Any], result).rowcount


# The webhook's statements are built once per dialect and run with their values as
# parameters: building a statement with its values costs more CPU than SQLite's work.
@cache
def _message_insert(dialect: str) -> ReturningInsert[Any]:
    messages = Message.__table__  # a Core insert: the ORM's bulk machinery costs more here
    return (
        _INSERTS[dialect](messages)
        .on_conflict_do_nothing(index_elements=["channel", "channel_message_id"])
        .returning(messages.c.direction)
    )


async def record_turn(
    session: AsyncSession,
    *,
    user: User,
    inbound: Inbound,
    replies: Sequence[Outbound],
    language: str | None,
    understanding: Understanding | None = None,
    classified: bool = True,
) -> bool:
    """Store an inbound message, with what the classifier made of it (only its language
    when the message was not a question for it: an answer to a flow's question), and log
    the turn's replies, in one statement; False when this channel message id was already
    stored: a redelivery, whose turn the caller rolls back."""
    annotation: dict[str, object] = {"language": None, "intent": None, "confidence": None}
    if understanding is not None:
        annotation["language"] = understanding.language
    if understanding is not None and classified:
        annotation |= {"intent": understanding.intent, "confidence": understanding.confidence}
    received = {
        "user_id": user.id,
        "channel": inbound.channel,
        "channel_message_id": inbound.message_id,
        "direction": "in",
        "text": _storable(inbound.text),
        "payload": _storable(inbound.payload),
        "media": inbound.media.value,
        "created_at": inbound.received_at,
        **annotation,
    }
    now = utcnow()
    said = [
        received
        | {
            "channel_message_id": None,
            "direction": "out",
            "text": reply.text,
            "payload": None,
            "media": "none",
            "created_at": now,
            "language": language,
            "intent": None,
            "confidence": None,
        }
        for reply in replies
    ]
    stored = await session.execute(
        _message_insert(session.get_bind().dialect.name), [received, *said]
    )
    return "in" in stored.scalars().all()


def _storable(text: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL bytes; they carry nothing a person wrote."""
    return text.replace("\x00", "") if text else text


async def state_for(session: AsyncSession, *, user: User) -> ConversationState:
    """The user's state, for a change made outside a turn. The user's row is locked first,
    as a turn's upsert of it does: every writer of a conversation state waits on that one
    lock, so a turn and a background job never overwrite each other's change."""
    await session.execute(select(User.id).where(User.id == user.id).with_for_update())
    state = await session.get(ConversationState, user.id, populate_existing=True)
    return state or _new_state(session, user)


def _new_state(session: AsyncSession, user: User) -> ConversationState:
    """A first contact's state, added to the session."""
    state = ConversationState(user_id=user.id, slots={}, offered={}, misunderstandings=0)
    session.add(state)
    return state


async def enqueue(
    session: AsyncSession,
    *,
    user: User,
    outbounds: Sequence[Outbound],
    key: str | None = None,
    logged: bool = False,
) -> None:
    """Queue replies and log them (unless `logged` already: see record_turn), in the
    caller's transaction."""
    await enqueue_many(session, [(user, outbounds, key)], logged=logged)


async def enqueue_many(
    session: AsyncSession,
    batch: Sequence[tuple[User, Sequence[Outbound], str | None]],
    *,
    logged: bool = False,
) -> None:
    """Queue many users' messages in two statements (one when they are `logged`
    already); a key already queued is skipped."""
    now = utcnow()
    rows = [
        {
            "user_id": user.id,
            "channel": user.channel,
            "recipient": user.channel_user_id,
            "body": outbound.to_dict(),
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "idempotency_key": f"{key}:{index}" if key else None,
        }
        for user, outbounds, key in batch
        for index, outbound in enumerate(outbounds)
    ]
    queued = await insert_outbox(session, rows)
    if logged:
        return
    languages: dict[int | None, str | None] = {
        user.id: user.language for user, _outbounds, _key in batch
    }
    log = [
        {
            "user_id": user_id,
            "channel": channel,
            "direction": "out",
            "text": body["text"],
            "media": "none",
            "language": languages[user_id],
            "created_at": now,
        }
        for user_id, channel, body in queued
    ]
    if log:
        await session.execute(_MESSAGE_LOG, log)


async def insert_outbox(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> list[tuple[int | None, str, dict[str, Any]]]:
    """Queue outbox rows; a row whose idempotency key is already queued is skipped."""
    if not rows:
        return []
    queued = await session.execute(_outbox_insert(session.get_bind().dialect.name), rows)
    return list(queued.all())


@cache
def _outbox_insert(dialect: str) -> ReturningInsert[Any]:
    outbox = OutboxItem.__table__  # Core: one INSERT … VALUES (…), (…) RETURNING for all rows
    return (
        _INSERTS[dialect](outbox)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(outbox.c.user_id, outbox.c.channel, outbox.c.body)
    )


# the sender's statements are Core: no ORM identity work
_OUTBOX = cast(Table, OutboxItem.__table__)
_USERS = cast(Table, User.__table__)


async def claim_outbox(
    session: AsyncSession, *, channel: str, limit: int = 50
) -> list[tuple[Row[Any], Row[Any] | None]]:
    """Atomically move up to `limit` due rows of a channel to 'sending'; with their users
    (rows with the columns of OutboxItem and User).

    Only a user's oldest unsent message on this channel is eligible, so replies never
    overtake each other, whichever worker sends them (and a stuck channel holds no other).
    Replies (priority 0) go before campaign messages (1), and a campaign message waiting
    for a user never holds that user's reply back.
    """
    now = utcnow()
    claim = {"claim_channel": channel, "due_by": now, "claimed_now": now, "claim_limit": limit}
    result = await session.execute(claim_statement(), claim)
    items = sorted(result.all(), key=lambda item: item.id)
    if not items:
        return []
    users = {
        u.id: u
        for u in await session.execute(
            _users_by_id(), {"user_ids": list({item.user_id for item in items})}
        )
    }
    return [(item, None if item.user_id is None else users.get(item.user_id)) for item in items]


@cache
def claim_statement() -> ReturningUpdate[Any]:
    outbox, earlier = _OUTBOX, _OUTBOX.alias("earlier")
    due = (
        select(outbox.c.id)
        .where(
            # literals, not parameters: the partial indexes ix_outbox_due and ix_outbox_unsent
            # serve only a plan that can see these values (PostgreSQL's generic plans cannot)
            outbox.c.status == literal_column("'pending'"),
            outbox.c.channel == bindparam("claim_channel"),
            (outbox.c.not_before.is_(None))
            | (outbox.c.not_before <= bindparam("due_by", type_=outbox.c.not_before.type)),
            ~exists().where(
                earlier.c.user_id == outbox.c.user_id,
                earlier.c.channel == outbox.c.channel,
                earlier.c.id < outbox.c.id,
                earlier.c.status.in_([literal_column("'pending'"), literal_column("'sending'")]),
                earlier.c.priority <= outbox.c.priority,
            ),
        )
        .order_by(outbox.c.priority, outbox.c.id)
        .limit(bindparam("claim_limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )
    return (
        update(outbox)
        .where(outbox.c.id.in_(due))
        .values(
            status="sending",
            claimed_at=bindparam("claimed_now", type_=outbox.c.claimed_at.type),
            attempts=outbox.c.attempts + 1,
        )
        .returning(*outbox.c)
    )


@cache
def _users_by_id() -> Select[Any]:
    return select(_USERS).where(_USERS.c.id.in_(bindparam("user_ids", expanding=True)))


async def renew_claims(session: AsyncSession, held: Iterable[int]) -> None:
    """Refresh the lease of rows this sender still holds. A row locked right now is being
    marked: it needs no renewal, and waiting for it could close a circle with its mark."""
    still_held = (
        select(_OUTBOX.c.id)
        .where(_OUTBOX.c.id.in_(sorted(held)), _OUTBOX.c.status == "sending")
        .with_for_update(skip_locked=True)
    )
    await session.execute(
        update(_OUTBOX).where(_OUTBOX.c.id.in_(still_held)).values(claimed_at=utcnow())
    )


@dataclass(frozen=True)
class Sent:
    """A row the channel accepted; `farewell`: a message to a user who erased their data
    (the row has no user), deleted once sent."""

    item_id: int
    channel_message_id: str | None = None
    farewell: bool = False


async def finish_sent(session: AsyncSession, sent: Sequence[Sent]) -> None:
    """Mark many accepted rows sent in one statement (rows no longer held are left alone)."""
    now = utcnow()
    await session.execute(
        _sent_mark(),
        [{"item_id": s.item_id, "sent_now": now, "sent_as": s.channel_message_id} for s in sent],
    )
    if farewells := [s.item_id for s in sent if s.farewell]:
        await session.execute(
            delete(_OUTBOX).where(
                _OUTBOX.c.id.in_(farewells),
                _OUTBOX.c.user_id.is_(None),
                _OUTBOX.c.status == "sent",
            )
        )


@cache
def _sent_mark() -> Update:
    return (
        update(_OUTBOX)
        .where(_OUTBOX.c.id == bindparam("item_id"), _OUTBOX.c.status == "sending")
        .values(
            status="sent",
            sent_at=bindparam("sent_now", type_=_OUTBOX.c.sent_at.type),
            last_error=None,
            channel_message_id=bindparam("sent_as", type_=_OUTBOX.c.channel_message_id.type),
        )
    )


async def finish_outbox(
    session: AsyncSession,
    *,
    item_id: int,
    error: str | None = None,
    give_up: bool = False,
    retry_at: datetime | None = None,
    channel_message_id: str | None = None,
    farewell: bool = False,
) -> None:
    """Record a delivery attempt on a row this sender still holds ('sending'); a row
    erased or reclaimed meanwhile is left alone. `farewell`: see Sent."""
    if error is None:
        await finish_sent(session, [Sent(item_id, channel_message_id, farewell)])
        return
    failed = await session.execute(
        update(_OUTBOX)
        .where(_OUTBOX.c.id == item_id, _OUTBOX.c.status == "sending")
        .values(
            status="failed" if give_up else "pending", last_error=error[:2000], not_before=retry_at
        )
    )
    if farewell and give_up and rowcount(failed):
        await session.execute(delete(_OUTBOX).where(_OUTBOX.c.id == item_id))


async def release_stale_claims(
    session: AsyncSession, *, channel: str, older_than: timedelta, now: datetime | None = None
) -> int:
    """Give back outbox rows a crashed sender claimed but never finished. A campaign
    message (priority > 0) may have reached the user before the crash: it is marked
    failed rather than sent twice (at most once per campaign and user)."""
    cutoff = (now or utcnow()) - older_than
    await session.execute(
        update(OutboxItem)
        .where(
            OutboxItem.status == "sending",
            OutboxItem.claimed_at <= cutoff,
            OutboxItem.channel == channel,
            OutboxItem.priority > 0,
        )
        .values(status="failed", last_error="interrupted: the sender stopped during the call")
    )
    return await release_claims(session, OutboxItem, older_than, now, OutboxItem.channel == channel)


async def channel_backlog(
    session: AsyncSession, *, channel: str
) -> tuple[int, datetime | None, str | None]:
    """Messages of a channel not yet sent, the oldest one's time, and the last error seen."""
    waiting, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxItem.created_at)).where(
                OutboxItem.channel == channel, OutboxItem.status.in_(("pending", "sending"))
            )
        )
    ).one()
    last_error = await session.scalar(
        select(OutboxItem.last_error)
        .where(OutboxItem.channel == channel, OutboxItem.last_error.is_not(None))
        .order_by(OutboxItem.id.desc())
        .limit(1)
    )
    return waiting, oldest, last_error


async def update_user(
    session: AsyncSession, *, channel: str, channel_user_id: str, **values: object
) -> None:
    """Change fields of the user behind a channel address (blocked_at, phone, …)."""
    await session.execute(
        update(User)
        .where(User.channel == channel, User.channel_user_id == channel_user_id)
        .values(**values)
    )


async def release_claims(
    session: AsyncSession,
    model: type[OutboxItem] | type[Reminder],
    older_than: timedelta,
    now: datetime | None,
    *where: ColumnElement[bool],
) -> int:
    """Give back the rows a crashed worker claimed ('sending') but never finished."""
    cutoff = (now or utcnow()) - older_than
    result = await session.execute(
        update(model)
        .where(model.status == "sending", model.claimed_at <= cutoff, *where)
        .values(status="pending")
    )
    return rowcount(result)


async def insert_handoff_event_once(
    session: AsyncSession,
    *,
    handoff_id: int,
    author: str,
    text: str,
    source_key: str | None,
    advisor: str | None = None,
    media: str = "none",
    attachment: dict[str, Any] | None = None,
) -> int | None:
    """Record what happened in a handoff; None when `source_key` was recorded already."""
    result = await session.execute(
        _insert(session, HandoffEvent)
        .values(
            handoff_id=handoff_id,
            author=author,
            advisor=advisor,
            text=_storable(text),
            media=media,
            attachment=attachment,
            source_key=source_key,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["source_key"])
        .returning(HandoffEvent.id)
    )
    return result.scalar()


async def erase_user(
    session: AsyncSession, *, user: User, farewell: Outbound, desk: str | None = None
) -> None:
    """Delete the user and, by cascade, every row about them; queue one last message.
    `desk` is the advisors' group whose topics about this user are deleted too."""
    channel, recipient = user.channel, user.channel_user_id
    session.expunge_all()
    await _forget_topics(session, user.id, desk)
    await session.execute(delete(User).where(User.id == user.id))
    session.add(
        OutboxItem(
            user_id=None,
            channel=channel,
            recipient=recipient,
            body=farewell.to_dict(),
            status="pending",
            attempts=0,
            created_at=utcnow(),
        )
    )


async def purge_messages(session: AsyncSession, *, older_than: timedelta) -> int:
    """Retention: forget messages, delivered outbox rows and flow steps older than the
    period."""
    cutoff = utcnow() - older_than
    removed = await session.execute(delete(Message).where(Message.created_at < cutoff))
    await session.execute(delete(FlowStep).where(FlowStep.at < cutoff))
    await session.execute(
        delete(OutboxItem).where(
            OutboxItem.status.in_(("sent", "failed")), OutboxItem.created_at < cutoff
        )
    )
    return rowcount(removed)


async def purge_handoffs(session: AsyncSession, *, older_than: timedelta) -> list[dict[str, Any]]:
    """Retention: forget handoffs closed before the period, with what was said in them;
    returns the files advisors sent in them, for the caller to delete once committed."""
    cutoff = utcnow() - older_than
    closed = select(Handoff.id).where(
        Handoff.status == HandoffStatus.closed, Handoff.closed_at < cutoff
    )
    files = await session.scalars(
        select(HandoffEvent.attachment).where(
            HandoffEvent.handoff_id.in_(closed), HandoffEvent.attachment.is_not(None)
        )
    )
    kept = [file for file in files if file and "path" in file]  # users' stay at the channel
    await session.execute(delete(HandoffEvent).where(HandoffEvent.handoff_id.in_(closed)))
    await session.execute(delete(Handoff).where(Handoff.id.in_(closed)))
    return kept


async def erase_user_silently(
    session: AsyncSession, *, channel: str, channel_user_id: str, desk: str | None = None
) -> int | None:
    """The erased user's id (their files are the caller's to delete), None if unknown."""
    user_id = await session.scalar(
        select(User.id).where(User.channel == channel, User.channel_user_id == channel_user_id)
    )
    if user_id is None:
        return None
    await _forget_topics(session, user_id, desk)
    await session.execute(delete(User).where(User.id == user_id))
    return user_id


async def _forget_topics(session: AsyncSession, user_id: int, desk: str | None) -> None:
    """The advisors' topics hold copies of the user's messages: queue their deletion
    (user-less rows, deleted once done)."""
    threads = (
        await session.scalars(
            select(Handoff.thread_id).where(
                Handoff.user_id == user_id, Handoff.thread_id.is_not(None)
            )
        )
    ).all()
    if desk is None or not threads:
        return
    now = utcnow()
    await insert_outbox(
        session,
        [
            {
                "user_id": None,
                "channel": DESK_CHANNEL,
                "recipient": desk,
                "status": "pending",
                "body": {"desk": "delete_topic", "text": "", "thread_id": thread},
                "attempts": 0,
                "created_at": now,
                "idempotency_key": None,
            }
            for thread in threads
        ],
    )
