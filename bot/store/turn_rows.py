"""The webhook turn's reads and writes, as Core statements on plain rows.

A turn reads a user and their conversation state and writes both back. Through the ORM,
loading them as entities and flushing the state's changes was about half of a webhook's
CPU (py-spy, `python -m bench.webhook`): the identity map, the attribute history, the
unit of work, for rows the turn reads once and writes once. Here the user comes back from
its upsert as a row, the state is read with the rest of the turn's context, and saved by
one upsert of its columns; the user row is updated only when the turn changed it.

The returned `User` and `Handoff` are ORM instances built from those rows, detached so
that nothing the turn does with them can INSERT them again. The active handoff is
attached to the session (the handoff queue changes it through the ORM); the user is not:
its changes are saved by `save`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Row, Select, Table, bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.dml import Insert, ReturningInsert

from bot.clock import utcnow
from bot.handoff.status import ACTIVE_HANDOFF_STATUSES
from bot.store.models import ConversationState, Handoff, Reminder, User
from bot.store.repo import dialect_insert

_USERS = cast(Table, User.__table__)
_STATES = cast(Table, ConversationState.__table__)
_HANDOFFS = cast(Table, Handoff.__table__)
_REMINDERS = cast(Table, Reminder.__table__)
Entity = TypeVar("Entity", User, Handoff)
_STATE_COLUMNS = ("flow", "step", "slots", "offered", "misunderstandings", "answers", "context")


@dataclass(frozen=True)
class StoredState:
    """A conversation state as the turn found it (a first contact's is empty)."""

    flow: str | None = None
    step: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    offered: dict[str, Any] = field(default_factory=dict)
    misunderstandings: int = 0
    answers: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TurnContext:
    state: StoredState
    handoff: Handoff | None
    has_reminders: bool


@cache
def _user_upsert(dialect: str) -> ReturningInsert[Any]:
    insert = dialect_insert(dialect, _USERS)
    return insert.on_conflict_do_update(
        index_elements=["channel", "channel_user_id"],
        set_={"last_seen_at": insert.excluded.last_seen_at},
    ).returning(*_USERS.c)


async def user_for(session: AsyncSession, *, channel: str, channel_user_id: str) -> User:
    """The user behind a channel address, created on first contact (safe under races);
    the upsert also takes the user row's lock until the turn commits."""
    now = utcnow()
    row = (
        await session.execute(
            _user_upsert(session.get_bind().dialect.name),
            {
                "channel": channel,
                "channel_user_id": channel_user_id,
                "created_at": now,
                "last_seen_at": now,
            },
        )
    ).one()
    return _detached(User, row)


@cache
def _context_query() -> Select[Any]:
    users, states, handoffs = _USERS, _STATES, _HANDOFFS
    pending = exists().where(_REMINDERS.c.user_id == users.c.id, _REMINDERS.c.status == "pending")
    active = (handoffs.c.user_id == users.c.id) & handoffs.c.status.in_(
        [str(status) for status in ACTIVE_HANDOFF_STATUSES]
    )
    return (
        select(
            states.c.user_id.label("state_of"),
            *(states.c[name] for name in _STATE_COLUMNS),
            pending.label("has_reminders"),
            *(column.label(f"handoff_{column.name}") for column in handoffs.c),
        )
        .select_from(users)
        .outerjoin(states, states.c.user_id == users.c.id)
        .outerjoin(handoffs, active)
        .where(users.c.id == bindparam("user_id"))
    )


async def turn_context(session: AsyncSession, *, user: User) -> TurnContext:
    """Everything a turn reads, in one statement: the state, the active handoff, and
    whether the user has pending reminders (to be listed; most users have none)."""
    row = (await session.execute(_context_query(), {"user_id": user.id})).one()
    handoff = None
    if row.handoff_id is not None:
        values = {column.name: row._mapping[f"handoff_{column.name}"] for column in _HANDOFFS.c}
        handoff = _detached(Handoff, values)
        session.add(handoff)  # persistent from here: the handoff queue changes it
    state = StoredState()
    if row.state_of is not None:
        state = StoredState(
            flow=row.flow,
            step=row.step,
            slots=row.slots or {},
            offered=row.offered or {},
            misunderstandings=row.misunderstandings or 0,
            answers=row.answers or {},
            context=row.context or {},
        )
    return TurnContext(state, handoff, bool(row.has_reminders))


@cache
def _state_upsert(dialect: str) -> Insert:
    insert = dialect_insert(dialect, _STATES)
    return insert.on_conflict_do_update(
        index_elements=["user_id"],
        set_={name: insert.excluded[name] for name in (*_STATE_COLUMNS, "updated_at")},
    )


async def save(
    session: AsyncSession, *, user: User, state: dict[str, Any], user_values: dict[str, Any]
) -> None:
    """The turn's conversation state (`_STATE_COLUMNS`) in one statement; the user's row
    only where `user_values` differ from it (a new language, a name or phone the channel
    gave, an unblock)."""
    await session.execute(
        _state_upsert(session.get_bind().dialect.name),
        {"user_id": user.id, "updated_at": utcnow(), **state},
    )
    changed = {name: value for name, value in user_values.items() if getattr(user, name) != value}
    if changed:
        await session.execute(update(_USERS).where(_USERS.c.id == user.id).values(**changed))
        for name, value in changed.items():
            setattr(user, name, value)


def _detached(model: type[Entity], values: Row[Any] | dict[str, Any]) -> Entity:
    entity = model(**(values if isinstance(values, dict) else values._asdict()))
    make_transient_to_detached(entity)
    return entity
