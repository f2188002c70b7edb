"""Content in the database: seeded from the YAML files, edited through the admin API with a
version for every change, exported back to YAML for review in the repository."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.clock import utcnow
from bot.content import (
    CONTENT_DIR,
    Content,
    ContentError,
    Item,
    check_links,
    claims,
    files,
    link_problems,
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


async def import_files(
    session: AsyncSession, directory: Path, *, actor: str, apply: bool = True
) -> int:
    """`fadaa content import DIR` (and the first start's seed): every topic file of a
    directory, as one change set; how many items changed (or would, for a dry run)."""
    texts = {path.name: path.read_bytes() for path in sorted(directory.glob("*.yaml"))}
    plan = await import_upload(session, files.read_files(texts), actor=actor, apply=apply)
    return len(plan.changes)


async def import_upload(
    session: AsyncSession, upload: files.Upload, *, actor: str, apply: bool = True
) -> files.ImportPlan:
    """Check topic files as one change set against the live content (ImportRefused names
    every problem) and, unless it is a dry run, record each changed item as a version."""
    await _check_import(session, upload)
    live = {r.id: (r.file, r.data) for r in await session.scalars(select(ContentRecord))}
    plan = files.plan(upload, live)
    for change in plan.changes if apply else ():
        file, data = upload.items[change.id]
        await save(
            session,
            item_id=change.id,
            file=file,
            data=data,
            actor=actor,
            action="import",
            validate=False,
        )
    return plan


async def export_texts(session: AsyncSession) -> dict[str, str]:
    """The live content as topic files: name -> YAML text."""
    records = await session.scalars(select(ContentRecord))
    return files.topic_files((r.id, r.file, r.data) for r in records)


async def export_files(session: AsyncSession, directory: Path) -> list[Path]:
    """Write the live content as topic files, ready for review in the repository."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file, text in (await export_texts(session)).items():
        path = directory / file
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


async def _check_import(session: AsyncSession, upload: files.Upload) -> None:
    """Each incoming item valid and within the fact rules, its links leading somewhere."""
    sources = _sources()
    problems: list[files.Problem] = []
    parsed: list[Item] = []
    for item_id, (file, data) in upload.items.items():
        try:
            item = parse_item(item_id, data, file, sources)
            claims.check_item(item)
        except ContentError as error:
            problems.append(files.Problem.of(error, file, item_id, upload.lines.get(item_id)))
        else:
            parsed.append(item)
    known = {*upload.items, *await session.scalars(select(ContentRecord.id))}
    problems += [
        files.Problem.of(
            error, error.file or "", error.item or "", upload.lines.get(error.item or "")
        )
        for error in link_problems(known, parsed)
    ]
    if problems:
        raise files.ImportRefused(problems)


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
