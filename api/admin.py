"""Admin API: content with versions, tokens, users' data, insights."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, UploadFile
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import Admin, Editor
from api.errors import responses
from api.models import CampaignFigures, Texts
from api.services import ServicesDep
from bot import admin_tokens, audit, capsules, insights
from bot.channels.service import Services
from bot.content import ContentError, editing, known_intents
from bot.content.claims import ForbiddenClaim
from bot.handoff import attachments
from bot.store import repo
from bot.store.models import ContentVersion

router = APIRouter(prefix="/admin", tags=["admin"], responses=responses())
MAX_VIDEO_BYTES = 16 * 1024 * 1024
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="a row id")]
# checked before the database sees it: a NUL byte or an over-long id is a precise 422
ItemId = Annotated[str, Path(pattern=r"^[a-z0-9_.-]{1,80}$", description="a content item id")]
CapsuleId = Annotated[str, Path(pattern=r"^[a-z0-9_-]{1,60}$", description="a capsule id")]
EXAMPLE_ITEM = {
    "sources": ["S6"],
    "last_verified": "2026-11-25",
    "title": {"fr": "Membres", "ar": "الأعضاء", "ary": "الأعضاء", "ary-Latn": "L'a3da2"},
    "text": {
        "fr": "Il faut au moins 5 membres pour fonder une coopérative.",
        "ar": "يلزم 5 أعضاء على الأقل لتأسيس تعاونية.",
        "ary": "خاص 5 ديال الأعضاء على الأقل باش تأسس تعاونية.",
        "ary-Latn": "Khass 5 dyal l'a3da2 3la l2a9al bach t2asses cooperative.",
    },
    "intents": ["membership_requirements"],
}


class ContentItemIn(BaseModel):
    file: str = Field(pattern=r"^[a-z0-9_]{1,60}\.yaml$", examples=["create_cooperative.yaml"])
    item: dict[str, Any] = Field(
        description="the item as written in the content files; every text is checked "
        "against the fact sheet's rules (bot/content/forbidden_claims.yaml)",
        examples=[EXAMPLE_ITEM],
    )


class ContentSummary(BaseModel):
    id: str = Field(examples=["create.members"])
    file: str = Field(examples=["create_cooperative.yaml"])
    title: dict[str, str] = Field(examples=[EXAMPLE_ITEM["title"]])
    intents: list[str] = Field(examples=[["membership_requirements"]])


class ContentItemOut(BaseModel):
    id: str = Field(examples=["create.members"])
    file: str = Field(examples=["create_cooperative.yaml"])
    item: dict[str, Any] = Field(examples=[EXAMPLE_ITEM])


class ContentChange(BaseModel):
    id: str = Field(examples=["create.members"])
    version: int = Field(examples=[42])
    action: str = Field(examples=["update"], description="create, update, delete or rollback")


class ContentVersionOut(BaseModel):
    version: int = Field(examples=[42])
    action: str = Field(examples=["update"])
    actor: str = Field(examples=["Khadija"])
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class CapsuleIn(BaseModel):
    title: Texts
    caption: Texts
    tags: list[str] = Field(
        default_factory=list, description="intent ids it illustrates", examples=[["agm"]]
    )
    duration_seconds: int = Field(default=0, ge=0, le=3600, examples=[95])
    video_url: str | None = Field(default=None, pattern=r"^https://\S+$", max_length=500)


class CapsuleOut(BaseModel):
    id: str = Field(examples=["agm"])
    title: dict[str, str]
    caption: dict[str, str]
    tags: list[str]
    sample: bool


class CapsuleSaved(BaseModel):
    id: str = Field(examples=["agm"])


class CapsuleVideoOut(BaseModel):
    id: str = Field(examples=["agm"])
    bytes: int = Field(examples=[2_400_000])


class CapsuleDeleted(BaseModel):
    id: str = Field(examples=["agm"])
    deleted: bool = True


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=80, examples=["Khadija (editor)"])
    role: Literal["admin", "editor", "advisor"] = Field(examples=["editor"])


class TokenOut(BaseModel):
    id: int = Field(examples=[3])
    name: str = Field(examples=["Khadija (editor)"])
    role: str = Field(examples=["editor"])
    created_at: datetime
    revoked: bool


class TokenCreated(BaseModel):
    id: int = Field(examples=[3])
    name: str = Field(examples=["Khadija (editor)"])
    role: str = Field(examples=["editor"])
    token: str = Field(description="shown once; store it now")


class TokenRevoked(BaseModel):
    id: int = Field(examples=[3])
    revoked: bool = True


class Erased(BaseModel):
    erased: bool = True


class DailyCount(BaseModel):
    day: str = Field(examples=["2026-12-01"])
    channel: str = Field(examples=["whatsapp"])
    language: str = Field(examples=["ary"])
    messages: int


class IntentCount(BaseModel):
    intent: str = Field(examples=["membership_requirements"])
    messages: int


class Unanswered(BaseModel):
    text: str = Field(examples=["wach kayn chi da3m l cooperative dyal lkhayata?"])
    language: str = Field(examples=["ary-Latn"])
    date: str = Field(examples=["2026-12-01 10:42:00"])


class ReminderCount(BaseModel):
    status: str = Field(examples=["sent"])
    count: int


class HandoffCounts(BaseModel):
    requests: int
    answered: int
    left_by_user: int
    first_response_minutes_median: float | None


class HandoffDay(HandoffCounts):
    day: str = Field(examples=["2026-12-01"])


class HandoffSummary(HandoffCounts):
    first_response_minutes_p90: float | None
    rating_average: float | None
    ratings: int


class FunnelStep(BaseModel):
    step: str = Field(examples=["sector"], description="the step's name in its flow")
    users: int = Field(examples=[14], description="distinct users who reached it")


class Funnel(BaseModel):
    """A guided flow in the period: where people start, get to, and drop out."""

    flow: str = Field(examples=["finder"], description="finder, formalize, reminder, handoff")
    started: int = Field(examples=[20], description="distinct users with any step of it")
    steps: list[FunnelStep] = Field(description="every step, in the flow's order")
    finished: int = Field(examples=[9], description="distinct users who reached its end")


class InsightsOut(BaseModel):
    days: int = Field(examples=[30])
    users: int
    daily: list[DailyCount]
    intents: list[IntentCount]
    fallback_rate: float = Field(examples=[0.12])
    unanswered: list[Unanswered]
    reminders: list[ReminderCount]
    handoffs: list[HandoffDay]
    handoff_summary: HandoffSummary
    campaigns: list[CampaignFigures]
    funnels: list[Funnel] = Field(description="the guided flows started in the period")


@router.get("/content")
async def list_content(caller: Editor, services: ServicesDep) -> list[ContentSummary]:
    content = services.engine.content
    return [
        ContentSummary(id=i.id, file=i.file, title=i.title, intents=list(i.intents))
        for i in sorted(content.items.values(), key=lambda i: i.id)
    ]


@router.get("/content/{item_id}", responses=responses(404))
async def read_content(item_id: ItemId, caller: Editor, services: ServicesDep) -> ContentItemOut:
    async with services.db.transaction() as session:
        record = await editing.record(session, item_id)
    if record is None:
        raise HTTPException(404, f"no content item {item_id}")
    return ContentItemOut(id=record.id, file=record.file, item=record.data)


@router.put("/content/{item_id}")
async def write_content(
    item_id: ItemId, body: ContentItemIn, caller: Editor, services: ServicesDep
) -> ContentChange:
    """Create or replace an item; it is live at once. A text the fact sheet forbids is a 422
    naming the rule and the language."""
    version = await _edit(
        services,
        lambda session: editing.save(
            session, item_id=item_id, file=body.file, data=body.item, actor=caller.name
        ),
        missing=item_id,
        invalid_status=422,
    )
    return ContentChange(id=item_id, version=version.id, action=version.action)


@router.delete("/content/{item_id}", responses=responses(404, 409))
async def delete_content(item_id: ItemId, caller: Editor, services: ServicesDep) -> ContentChange:
    version = await _edit(
        services,
        lambda session: editing.delete(session, item_id=item_id, actor=caller.name),
        missing=f"no content item {item_id}",
    )
    return ContentChange(id=item_id, version=version.id, action="delete")


@router.get("/content/{item_id}/versions")
async def content_versions(
    item_id: ItemId, caller: Editor, services: ServicesDep
) -> list[ContentVersionOut]:
    async with services.db.transaction() as session:
        versions = await editing.history(session, item_id)
    return [
        ContentVersionOut(
            version=v.id,
            action=v.action,
            actor=v.actor,
            at=v.created_at,
            before=v.before,
            after=v.after,
        )
        for v in versions
    ]


@router.post("/content/versions/{version_id}/rollback", responses=responses(404, 409))
async def rollback_content(
    version_id: RowId, caller: Editor, services: ServicesDep
) -> ContentChange:
    version = await _edit(
        services,
        lambda session: editing.rollback(session, version_id=version_id, actor=caller.name),
        missing=f"no version {version_id}",
    )
    return ContentChange(id=version.item_id, version=version.id, action=version.action)


@router.get("/capsules")
async def list_capsules(caller: Editor, services: ServicesDep) -> list[CapsuleOut]:
    return [
        CapsuleOut(id=c.id, title=c.title, caption=c.caption, tags=list(c.tags), sample=c.sample)
        for c in services.engine.capsules
    ]


@router.put("/capsules/{capsule_id}")
async def describe_capsule(
    capsule_id: CapsuleId, body: CapsuleIn, caller: Editor, services: ServicesDep
) -> CapsuleSaved:
    unknown = sorted(set(body.tags) - set(known_intents()))
    if unknown:
        raise HTTPException(422, f"tags: unknown intent(s) {', '.join(unknown)}")
    async with services.db.transaction() as session:
        await capsules.describe(
            session, capsule_id=capsule_id, values=body.model_dump(by_alias=True, exclude_none=True)
        )
        audit.record(session, actor=caller.name, action="capsule.describe", target=capsule_id)
    await _reload(services)
    return CapsuleSaved(id=capsule_id)


@router.post("/capsules/{capsule_id}/video", responses=responses(404, 413))
async def upload_capsule_video(
    capsule_id: str, video: UploadFile, caller: Editor, services: ServicesDep
) -> CapsuleVideoOut:
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
        audit.record(session, actor=caller.name, action="capsule.video", target=capsule_id)
    await _reload(services)
    return CapsuleVideoOut(id=capsule_id, bytes=len(data))


@router.delete("/capsules/{capsule_id}", responses=responses(404))
async def delete_capsule(capsule_id: str, caller: Editor, services: ServicesDep) -> CapsuleDeleted:
    async with services.db.transaction() as session:
        if not await capsules.remove(session, capsule_id=capsule_id):
            raise HTTPException(404, f"no capsule {capsule_id}")
        audit.record(session, actor=caller.name, action="capsule.delete", target=capsule_id)
    await _reload(services)
    return CapsuleDeleted(id=capsule_id)


@router.get("/tokens")
async def list_tokens(caller: Admin, services: ServicesDep) -> list[TokenOut]:
    async with services.db.transaction() as session:
        rows = await admin_tokens.listing(session)
    return [
        TokenOut(
            id=r.id,
            name=r.name,
            role=r.role,
            created_at=r.created_at,
            revoked=r.revoked_at is not None,
        )
        for r in rows
    ]


@router.post("/tokens", status_code=201)
async def create_token(body: TokenIn, caller: Admin, services: ServicesDep) -> TokenCreated:
    async with services.db.transaction() as session:
        row, token = await admin_tokens.create(
            session, name=body.name, role=body.role, actor=caller.name
        )
    return TokenCreated(id=row.id, name=row.name, role=row.role, token=token)


@router.delete("/tokens/{token_id}", responses=responses(404))
async def revoke_token(token_id: RowId, caller: Admin, services: ServicesDep) -> TokenRevoked:
    async with services.db.transaction() as session:
        if not await admin_tokens.revoke(session, token_id=token_id, actor=caller.name):
            raise HTTPException(404, f"no active token {token_id}")
    return TokenRevoked(id=token_id)


@router.delete("/users/{channel}/{channel_user_id}", responses=responses(404))
async def erase_user(
    channel: str, channel_user_id: str, caller: Admin, services: ServicesDep
) -> Erased:
    """Erase everything stored about one user, on their request made elsewhere."""
    async with services.db.transaction() as session:
        user_id = await repo.erase_user_silently(
            session,
            channel=channel,
            channel_user_id=channel_user_id,
            desk=services.engine.handoffs.desk_recipient,
        )
        if user_id is None:
            raise HTTPException(404, "no such user")
        audit.record(session, actor=caller.name, action="user.erase", target=channel)
    attachments.forget_user(services.settings.data_dir, user_id)
    return Erased()


@router.get("/insights")
async def read_insights(
    caller: Editor, services: ServicesDep, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> InsightsOut:
    async with services.db.transaction() as session:
        figures = await insights.summary(
            session, days=days, fallback_below=services.settings.clarify_threshold
        )
    return InsightsOut.model_validate(figures)


@router.get(
    "/insights/{table}.csv",
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": "the table as CSV, a header line first",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **responses(404),
    },
)
async def insights_csv(
    table: Annotated[str, Path(examples=["daily"], description=", ".join(insights.CSV_COLUMNS))],
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
    rows = insights.csv_rows(data, table)
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
