"""Admin API: content with versions, tokens, users' data, insights."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, UploadFile
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import Admin, Editor
from api.services import services_of
from bot import admin_tokens, capsules, insights
from bot.channels.service import Services
from bot.content import ContentError, editing, known_intents
from bot.content.claims import ForbiddenClaim
from bot.store import repo
from bot.store.models import AuditEntry, ContentVersion

router = APIRouter(prefix="/admin", tags=["admin"])
MAX_VIDEO_BYTES = 16 * 1024 * 1024
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="a row id")]
# checked before the database sees it: a NUL byte or an over-long id is a precise 422
ItemId = Annotated[str, Path(pattern=r"^[a-z0-9_.-]{1,80}$", description="a content item id")]
ServicesDep = Annotated[Services, Depends(services_of)]


class ContentItemIn(BaseModel):
    file: str = Field(pattern=r"^[a-z0-9_]{1,60}\.yaml$", examples=["financing.yaml"])
    item: dict[str, Any] = Field(description="the item as written in the content files")


class Texts(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    fr: str = Field(min_length=1, max_length=1024)
    ar: str = Field(min_length=1, max_length=1024)
    ary: str = Field(min_length=1, max_length=1024)
    ary_latn: str | None = Field(
        default=None,
        alias="ary-Latn",
        min_length=1,
        max_length=1024,
        description="Darija in Latin letters",
    )


class CapsuleIn(BaseModel):
    title: Texts
    caption: Texts
    tags: list[str] = Field(default_factory=list, description="intent ids it illustrates")
    duration_seconds: int = Field(default=0, ge=0, le=3600)
    video_url: str | None = Field(default=None, pattern=r"^https://\S+$", max_length=500)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    role: str = Field(pattern="^(admin|editor|advisor)$")


@router.get("/content")
async def list_content(caller: Editor, services: ServicesDep) -> list[dict[str, Any]]:
    content = services.engine.content
    return [
        {"id": i.id, "file": i.file, "title": i.title, "intents": list(i.intents)}
        for i in sorted(content.items.values(), key=lambda i: i.id)
    ]


@router.get("/content/{item_id}")
async def read_content(item_id: ItemId, caller: Editor, services: ServicesDep) -> dict[str, Any]:
    async with services.db.transaction() as session:
        record = await editing.record(session, item_id)
    if record is None:
        raise HTTPException(404, f"no content item {item_id}")
    return {"id": record.id, "file": record.file, "item": record.data}


@router.put("/content/{item_id}")
async def write_content(
    item_id: ItemId, body: ContentItemIn, caller: Editor, services: ServicesDep
) -> dict[str, Any]:
    version = await _edit(
        services,
        lambda session: editing.save(
            session, item_id=item_id, file=body.file, data=body.item, actor=caller.name
        ),
        missing=item_id,
        invalid_status=422,
    )
    return {"id": item_id, "version": version.id, "action": version.action}


@router.delete("/content/{item_id}")
async def delete_content(item_id: ItemId, caller: Editor, services: ServicesDep) -> dict[str, Any]:
    version = await _edit(
        services,
        lambda session: editing.delete(session, item_id=item_id, actor=caller.name),
        missing=f"no content item {item_id}",
    )
    return {"id": item_id, "version": version.id, "action": "delete"}


@router.get("/content/{item_id}/versions")
async def content_versions(
    item_id: ItemId, caller: Editor, services: ServicesDep
) -> list[dict[str, Any]]:
    async with services.db.transaction() as session:
        versions = await editing.history(session, item_id)
    return [
        {
            "version": v.id,
            "action": v.action,
            "actor": v.actor,
            "at": v.created_at.isoformat(),
            "before": v.before,
            "after": v.after,
        }
        for v in versions
    ]


@router.post("/content/versions/{version_id}/rollback")
async def rollback_content(
    version_id: RowId, caller: Editor, services: ServicesDep
) -> dict[str, Any]:
    version = await _edit(
        services,
        lambda session: editing.rollback(session, version_id=version_id, actor=caller.name),
        missing=f"no version {version_id}",
    )
    return {"id": version.item_id, "version": version.id, "action": version.action}


@router.get("/capsules")
async def list_capsules(caller: Editor, services: ServicesDep) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "title": c.title,
            "caption": c.caption,
            "tags": list(c.tags),
            "sample": c.sample,
        }
        for c in services.engine.capsules
    ]


@router.put("/capsules/{capsule_id}")
async def describe_capsule(
    capsule_id: Annotated[str, Path(pattern=r"^[a-z0-9_-]{1,60}$")],
    body: CapsuleIn,
    caller: Editor,
    services: ServicesDep,
) -> dict[str, Any]:
    unknown = sorted(set(body.tags) - set(known_intents()))
    if unknown:
        raise HTTPException(422, f"tags: unknown intent(s) {', '.join(unknown)}")
    async with services.db.transaction() as session:
        await capsules.describe(
            session, capsule_id=capsule_id, values=body.model_dump(by_alias=True, exclude_none=True)
        )
        session.add(AuditEntry(actor=caller.name, action="capsule.describe", target=capsule_id))
    await _reload(services)
    return {"id": capsule_id}


@router.post("/capsules/{capsule_id}/video")
async def upload_capsule_video(
    capsule_id: str, video: UploadFile, caller: Editor, services: ServicesDep
) -> dict[str, Any]:
    data = await video.read(MAX_VIDEO_BYTES + 1)
    if len(data) > MAX_VIDEO_BYTES:
        raise HTTPException(413, "videos are limited to 16 MB (WhatsApp's limit)")
    if not data.startswith(b"\x00\x00\x00") or b"ftyp" not in data[:16]:
        raise HTTPException(422, "video: an MP4 file is expected")
    async with services.db.transaction() as session:
        capsule = await capsules.store_video(
            session, capsule_id=capsule_id, data=data, data_dir=services.settings.data_dir
        )
        if capsule is None:
            raise HTTPException(404, f"describe capsule {capsule_id} first (PUT)")
        session.add(AuditEntry(actor=caller.name, action="capsule.video", target=capsule_id))
    await _reload(services)
    return {"id": capsule_id, "bytes": len(data)}


@router.delete("/capsules/{capsule_id}")
async def delete_capsule(capsule_id: str, caller: Editor, services: ServicesDep) -> dict[str, Any]:
    async with services.db.transaction() as session:
        if not await capsules.remove(session, capsule_id=capsule_id):
            raise HTTPException(404, f"no capsule {capsule_id}")
        session.add(AuditEntry(actor=caller.name, action="capsule.delete", target=capsule_id))
    await _reload(services)
    return {"id": capsule_id, "deleted": True}


@router.get("/tokens")
async def list_tokens(caller: Admin, services: ServicesDep) -> list[dict[str, Any]]:
    async with services.db.transaction() as session:
        rows = await admin_tokens.listing(session)
    return [
        {
            "id": r.id,
            "name": r.name,
            "role": r.role,
            "created_at": r.created_at.isoformat(),
            "revoked": r.revoked_at is not None,
        }
        for r in rows
    ]


@router.post("/tokens", status_code=201)
async def create_token(body: TokenIn, caller: Admin, services: ServicesDep) -> dict[str, Any]:
    async with services.db.transaction() as session:
        row, token = await admin_tokens.create(
            session, name=body.name, role=body.role, actor=caller.name
        )
    return {"id": row.id, "name": row.name, "role": row.role, "token": token}


@router.delete("/tokens/{token_id}")
async def revoke_token(token_id: RowId, caller: Admin, services: ServicesDep) -> dict[str, Any]:
    async with services.db.transaction() as session:
        if not await admin_tokens.revoke(session, token_id=token_id, actor=caller.name):
            raise HTTPException(404, f"no active token {token_id}")
    return {"id": token_id, "revoked": True}


@router.delete("/users/{channel}/{channel_user_id}")
async def erase_user(
    channel: str, channel_user_id: str, caller: Admin, services: ServicesDep
) -> dict[str, Any]:
    """Erase everything stored about one user, on their request made elsewhere."""
    async with services.db.transaction() as session:
        if not await repo.erase_user_silently(
            session,
            channel=channel,
            channel_user_id=channel_user_id,
            desk=services.engine.handoffs.desk_recipient,
        ):
            raise HTTPException(404, "no such user")
        session.add(AuditEntry(actor=caller.name, action="user.erase", target=channel))
    return {"erased": True}


@router.get("/insights")
async def read_insights(
    caller: Editor, services: ServicesDep, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> dict[str, Any]:
    async with services.db.transaction() as session:
        return await insights.summary(
            session, days=days, fallback_below=services.settings.clarify_threshold
        )


@router.get("/insights/{table}.csv", response_class=PlainTextResponse)
async def insights_csv(
    table: str,
    caller: Editor,
    services: ServicesDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> PlainTextResponse:
    async with services.db.transaction() as session:
        data = await insights.summary(
            session, days=days, fallback_below=services.settings.clarify_threshold
        )
    columns = insights.CSV_COLUMNS.get(table)
    if columns is None:  # an empty table is a header line, not a 404
        raise HTTPException(404, f"no table {table} (try: {', '.join(insights.CSV_COLUMNS)})")
    rows = data[table]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return PlainTextResponse(out.getvalue(), media_type="text/csv")


async def _edit(
    services: Services,
    change: Callable[[AsyncSession], Awaitable[ContentVersion]],
    *,
    missing: str,
    invalid_status: int = 409,
) -> ContentVersion:
    """Apply one content change in a transaction, mapped to HTTP errors, then go live."""
    async with services.db.transaction() as session:
        try:
            version = await change(session)
        except KeyError:
            raise HTTPException(404, missing) from None
        except ForbiddenClaim:
            raise  # a 422 naming the rule and the language, wherever it comes from
        except ContentError as error:
            raise HTTPException(invalid_status, str(error)) from None
    await _reload(services)
    return version


async def _reload(services: Services) -> None:
    """Edits take effect in this worker at once (other workers follow within seconds)."""
    async with services.db.transaction() as session:
        services.engine.content = await editing.load(session)
        services.engine.capsules = await capsules.catalogue(session)
