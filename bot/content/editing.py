"""Content in the database: seeded from the YAML files, edited through the admin API with a
version for every change, exported back to YAML for review in the repository."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.clock import utcnow
from bot.content import (
    CONTENT_DIR,
    Content,
    ContentError,
    check_links,
    claims,
    parse_item,
    read_yaml,
)
from bot.store.models import ContentRecord, ContentVersion


async def seed_if_empty(session: AsyncSession, directory: Path = CONTENT_DIR) -> int:
    """First start: copy the files into the database (later edits happen there)."""
    if await session.scalar(select(func.count()).select_from(ContentRecord)):
        return 0
    return await import_files(session, directory, actor="seed")


async def load(session: AsyncSession) -> Content:
    sources = _sources()
    records = (await session.scalars(select(ContentRecord))).all()
    items = {r.id: parse_item(r.id, r.data, r.file, sources) for r in records}
    check_links(items)
    return Content(items=items, sources=sources)


async def record(session: AsyncSession, item_id: str) -> ContentRecord | None:
    return await session.get(ContentRecord, item_id)


async def history(session: AsyncSession, item_id: str) -> list[ContentVersion]:
    return list(
        (
            await session.scalars(
                select(ContentVersion)
                .where(ContentVersion.item_id == item_id)
                .order_by(ContentVersion.id)
            )
        ).all()
    )


async def revision(session: AsyncSession) -> int:
    return await session.scalar(select(func.coalesce(func.max(ContentVersion.id), 0))) or 0


async def save(
    session: AsyncSession,
    *,
    item_id: str,
    file: str,
    data: dict[str, Any],
    actor: str,
    action: str | None = None,
    validate: bool = True,
) -> ContentVersion:
    """Create or replace one item after validating it against everything else."""
    existing = await session.get(ContentRecord, item_id, with_for_update=True)
    if validate:
        await _validate_with(session, {item_id: (file, data)})
    before = existing.data if existing else None
    if existing:
        existing.data, existing.file, existing.updated_at = data, file, utcnow()
    else:
        session.add(ContentRecord(id=item_id, file=file, data=data, updated_at=utcnow()))
    return _version(
        session, item_id, file, action or ("update" if existing else "create"), before, data, actor
    )


async def delete(session: AsyncSession, *, item_id: str, actor: str) -> ContentVersion:
    record = await session.get(ContentRecord, item_id, with_for_update=True)
    if record is None:
        raise KeyError(item_id)
    others = {
        r.id: r for r in (await session.scalars(select(ContentRecord))).all() if r.id != item_id
    }
    linking = [r.id for r in others.values() if item_id in (r.data.get("next") or [])]
    if linking:
        raise ContentError(f"item {item_id}: still linked from {', '.join(sorted(linking))}")
    await session.delete(record)
    return _version(session, item_id, record.file, "delete", record.data, None, actor)


async def rollback(session: AsyncSession, *, version_id: int, actor: str) -> ContentVersion:
    """Put an item back as it was before the given change."""
    version = await session.get(ContentVersion, version_id)
    if version is None:
        raise KeyError(version_id)
    if version.before is None:
        return await delete(session, item_id=version.item_id, actor=actor)
    return await save(
        session,
        item_id=version.item_id,
        file=version.file,
        data=version.before,
        actor=actor,
        action="rollback",
    )


async def import_files(session: AsyncSession, directory: Path, *, actor: str) -> int:
    """Load every topic file of a directory as one change set, validated as a whole."""
    incoming = {
        item_id: (path.name, _plain(data))
        for path in sorted(directory.glob("*.yaml"))
        if path.name != "sources.yaml"
        for item_id, data in (read_yaml(path).get("items") or {}).items()
    }
    await _validate_with(session, incoming)
    stored = {r.id: r for r in await session.scalars(select(ContentRecord))}
    changed = 0
    for item_id, (file, data) in incoming.items():
        record = stored.get(item_id)
        if record is None or record.data != data or record.file != file:
            await save(
                session,
                item_id=item_id,
                file=file,
                data=data,
                actor=actor,
                action="import",
                validate=False,
            )
            changed += 1
    return changed


async def export_files(session: AsyncSession, directory: Path) -> list[Path]:
    """Write the live content as topic files, ready for review in the repository."""
    by_file: dict[str, dict[str, Any]] = {}
    for record in await session.scalars(select(ContentRecord).order_by(ContentRecord.id)):
        by_file.setdefault(record.file, {})[record.id] = record.data
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file, items in sorted(by_file.items()):
        path = directory / file
        path.write_text(
            yaml.safe_dump({"items": items}, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8",
        )
        written.append(path)
    return written


async def _validate_with(
    session: AsyncSession, changes: dict[str, tuple[str, dict[str, Any]]]
) -> None:
    """The changed items, and the links of the whole set they would make, must be valid."""
    sources = _sources()
    items = {
        item_id: parse_item(item_id, data, file, sources)
        for item_id, (file, data) in changes.items()
    }
    for item in items.values():
        claims.check_item(item)
    for record in (await session.scalars(select(ContentRecord))).all():
        if record.id not in items:
            items[record.id] = parse_item(record.id, record.data, record.file, sources)
    check_links(items)


def _version(
    session: AsyncSession,
    item_id: str,
    file: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: str,
) -> ContentVersion:
    version = ContentVersion(
        item_id=item_id,
        file=file,
        action=action,
        before=before,
        after=after,
        actor=actor,
        created_at=utcnow(),
    )
    session.add(version)
    audit.record(session, actor=actor, action=f"content.{action}", target=item_id)
    return version


@cache
def _sources() -> dict[str, Any]:
    return read_yaml(CONTENT_DIR / "sources.yaml").get("sources") or {}


def _plain(data: Any) -> Any:
    """YAML dates become ISO strings so the item can be stored as JSON."""
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(value) for value in data]
    return data.isoformat() if hasattr(data, "isoformat") else data
