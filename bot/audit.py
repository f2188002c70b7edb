"""Who changed what: one helper writes every audit entry, one query reads them back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import AuditEntry

MAX_TARGET = 200


def record(session: AsyncSession, *, actor: str, action: str, target: str) -> AuditEntry:
    """Add an entry to the session's transaction (it is kept only if the change is)."""
    entry = AuditEntry(actor=actor[:80], action=action[:40], target=target[:MAX_TARGET])
    session.add(entry)
    return entry


async def listing(
    session: AsyncSession,
    *,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[AuditEntry]:
    """Newest first; `action` matches exactly or, ending in ".", every action it starts
    ("content." lists content changes of every kind)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action is not None:
        query = query.where(
            AuditEntry.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else AuditEntry.action == action
        )
    return list(await session.scalars(query))
