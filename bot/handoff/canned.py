"""Advisors' ready answers: seeded from bot/content/canned.yaml, edited through the API."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.content import claims, read_yaml
from bot.store.models import CannedAnswer
from bot.store.repo import rowcount

CANNED_FILE = Path(__file__).resolve().parent.parent / "content" / "canned.yaml"
LANGUAGES = ("fr", "ar", "ary", "ary-Latn")


async def seed_if_empty(session: AsyncSession) -> None:
    if await session.scalar(select(func.count()).select_from(CannedAnswer)):
        return
    for key, texts in (read_yaml(CANNED_FILE).get("canned") or {}).items():
        session.add(CannedAnswer(key=key, texts=texts, updated_at=utcnow()))


async def listing(session: AsyncSession) -> list[CannedAnswer]:
    return list(await session.scalars(select(CannedAnswer).order_by(CannedAnswer.key)))


async def save(session: AsyncSession, *, key: str, texts: dict[str, str]) -> None:
    """Raises claims.ForbiddenClaim when a text says what the fact sheet forbids."""
    claims.check_texts(texts, field="texts", where=f"ready answer {key}: ")
    answer = await session.get(CannedAnswer, key)
    if answer is None:
        session.add(CannedAnswer(key=key, texts=texts, updated_at=utcnow()))
    else:
        answer.texts, answer.updated_at = texts, utcnow()


async def remove(session: AsyncSession, *, key: str) -> bool:
    result = await session.execute(delete(CannedAnswer).where(CannedAnswer.key == key))
    return rowcount(result) > 0
