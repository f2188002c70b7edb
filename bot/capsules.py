"""The "L'coopérative" capsule catalogue: seeded with a marked sample, edited by ODCO.

Videos are kept under FADAA_DATA_DIR/capsules; each channel's id for an uploaded video
(Telegram file_id, WhatsApp media id) is remembered so it is sent without re-uploading.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.content import read_yaml
from bot.store.database import Database
from bot.store.models import Capsule

SHIPPED = Path(__file__).parent / "content" / "capsules"
WHATSAPP_MEDIA_LIFETIME = timedelta(days=29)  # Meta keeps uploaded media 30 days


@dataclass(frozen=True)
class CapsuleView:
    id: str
    title: dict[str, str]
    caption: dict[str, str]
    tags: tuple[str, ...]
    sample: bool


async def seed_if_empty(session: AsyncSession, data_dir: Path) -> None:
    if await session.scalar(select(Capsule.id).limit(1)):
        return
    folder = _folder(data_dir)
    for capsule_id, raw in read_yaml(SHIPPED / "catalogue.yaml")["capsules"].items():
        shutil.copyfile(SHIPPED / raw["file"], folder / raw["file"])
        session.add(
            Capsule(
                id=capsule_id,
                title=raw["title"],
                caption=raw["caption"],
                updated_at=utcnow(),
                tags={"intents": raw.get("tags", [])},
                duration_seconds=raw.get("duration_seconds", 0),
                video_file=raw["file"],
                sample=bool(raw.get("sample")),
            )
        )


async def catalogue(session: AsyncSession) -> list[CapsuleView]:
    rows = await session.scalars(select(Capsule).order_by(Capsule.sample, Capsule.id))
    return [
        CapsuleView(c.id, c.title, c.caption, tuple(c.tags.get("intents", [])), c.sample)
        for c in rows
        if c.video_file or c.video_url
    ]


def for_users(capsules: list[CapsuleView]) -> list[CapsuleView]:
    """The capsules users may see: never the technical sample that ships with the code
    (editors still see it in the admin listing)."""
    return [c for c in capsules if not c.sample]


async def describe(session: AsyncSession, *, capsule_id: str, values: dict[str, Any]) -> Capsule:
    capsule = await session.get(Capsule, capsule_id)
    if capsule is None:
        capsule = Capsule(id=capsule_id, sample=False, updated_at=utcnow())
        session.add(capsule)
    capsule.title, capsule.caption = values["title"], values["caption"]
    capsule.tags = {"intents": values.get("tags", [])}
    capsule.duration_seconds = values.get("duration_seconds", 0)
    if values.get("video_url") and values["video_url"] != capsule.video_url:
        capsule.video_url = values["video_url"]
        _forget_channel_ids(capsule)
    capsule.updated_at = utcnow()
    return capsule


async def store_video(
    session: AsyncSession, *, capsule_id: str, data: bytes, data_dir: Path
) -> Capsule | None:
    capsule = await session.get(Capsule, capsule_id)
    if capsule is None:
        return None
    folder = _folder(data_dir)
    name = f"{capsule_id}.mp4"
    (folder / name).write_bytes(data)
    capsule.video_file = name
    capsule.updated_at = utcnow()
    _forget_channel_ids(capsule)
    return capsule


async def remove(session: AsyncSession, *, capsule_id: str) -> bool:
    capsule = await session.get(Capsule, capsule_id)
    if capsule is None:
        return False
    await session.delete(capsule)
    return True


async def revision(session: AsyncSession) -> tuple[int, str]:
    count, latest = (
        await session.execute(select(func.count(), func.max(Capsule.updated_at)))
    ).one()
    return count, str(latest)


@dataclass(frozen=True)
class VideoSource:
    """Where a channel finds a capsule's video: its own id of an earlier upload, else the
    file, else the editor's URL."""

    telegram_file_id: str | None
    whatsapp_media_id: str | None  # only while Meta still keeps the upload
    path: Path | None
    url: str | None


async def video_source(db: Database, capsule_id: str, data_dir: Path) -> VideoSource | None:
    """Read in a short transaction of its own: the channel then sends (or uploads) with
    no transaction open."""
    async with db.transaction() as session:
        capsule = await session.get(Capsule, capsule_id)
        if capsule is None:
            return None
        return VideoSource(
            telegram_file_id=capsule.telegram_file_id,
            whatsapp_media_id=capsule.whatsapp_media_id
            if whatsapp_media_is_fresh(capsule)
            else None,
            path=video_path(capsule, data_dir),
            url=capsule.video_url,
        )


async def remember_upload(
    db: Database,
    capsule_id: str,
    *,
    telegram_file_id: str | None = None,
    whatsapp_media_id: str | None = None,
) -> None:
    """Keep a channel's id of an uploaded video, so the next send needs no upload."""
    values: dict[str, object] = (
        {"telegram_file_id": telegram_file_id}
        if telegram_file_id
        else {"whatsapp_media_id": whatsapp_media_id, "whatsapp_media_at": utcnow()}
    )
    async with db.transaction() as session:
        await session.execute(update(Capsule).where(Capsule.id == capsule_id).values(**values))


def video_path(capsule: Capsule, data_dir: Path) -> Path | None:
    if capsule.video_file and (data_dir / "capsules" / capsule.video_file).exists():
        return data_dir / "capsules" / capsule.video_file
    return None


def whatsapp_media_is_fresh(capsule: Capsule) -> bool:
    uploaded = capsule.whatsapp_media_at
    if not capsule.whatsapp_media_id or uploaded is None:
        return False
    return utcnow() - uploaded < WHATSAPP_MEDIA_LIFETIME


def _folder(data_dir: Path) -> Path:
    folder = data_dir / "capsules"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_channel_ids(capsule: Capsule) -> None:
    capsule.telegram_file_id = capsule.whatsapp_media_id = capsule.whatsapp_media_at = None
