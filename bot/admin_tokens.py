"""Admin API tokens: created by `fadaa admin create-token`, shown once, stored hashed."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.clock import utcnow
from bot.store.models import AdminToken

ROLES = ("admin", "editor", "advisor")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(
    session: AsyncSession, *, name: str, role: str, actor: str = "cli"
) -> tuple[AdminToken, str]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    token = "fadaa_" + secrets.token_urlsafe(32)
    row = AdminToken(name=name[:80], role=role, token_hash=digest(token), created_at=utcnow())
    session.add(row)
    audit.record(session, actor=actor, action="token.create", target=f"{name} ({role})")
    await session.flush()
    return row, token


async def find(session: AsyncSession, token: str) -> AdminToken | None:
    return await session.scalar(
        select(AdminToken).where(
            AdminToken.token_hash == digest(token), AdminToken.revoked_at.is_(None)
        )
    )


async def listing(session: AsyncSession) -> list[AdminToken]:
    return list((await session.scalars(select(AdminToken).order_by(AdminToken.id))).all())


async def revoke(session: AsyncSession, *, token_id: int, actor: str) -> bool:
    row = await session.get(AdminToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit.record(session, actor=actor, action="token.revoke", target=row.name)
    return True
