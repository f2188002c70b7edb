"""Advisors' API: the handoff queue for a web inbox or another helpdesk, under the same
rules as the Telegram group; the advisors list and the ready answers for admins/editors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.auth import Admin, Caller, Editor, require
from api.errors import responses
from api.models import Texts
from api.services import ServicesDep
from bot import audit
from bot.channels.service import Services
from bot.clock import utcnow
from bot.handoff import attachments, canned
from bot.handoff.desk import AdvisorRef
from bot.store import repo
from bot.store.models import Advisor, Handoff, HandoffEvent, User
from bot.store.repo import DESK_CHANNEL

router = APIRouter(prefix="/admin", tags=["advisors"], responses=responses())
AdvisorCaller = Annotated[Caller, Depends(require("advisor"))]
ReaderOfCanned = Annotated[Caller, Depends(require("advisor", "editor"))]
HandoffId = Annotated[int, Path(ge=1, le=2**31 - 1, description="a handoff id")]
CannedKey = Annotated[str, Path(pattern=r"^[a-z0-9_]{1,40}$")]
REFUSAL_STATUS = {"closed": 409, "claimed": 409}
STATUSES = {
    "active": ("waiting", "claimed"),
    "waiting": ("waiting",),
    "claimed": ("claimed",),
    "closed": ("closed",),
}


class TextIn(BaseModel):
    text: str = Field(
        min_length=1, max_length=4000, examples=["Salam, ana Karima. Chno smiyat lcooperative?"]
    )


class TransferIn(BaseModel):
    to: str | None = Field(
        default=None,
        max_length=80,
        description="an advisor's public name or Telegram id; none frees it",
        examples=["Karima"],
    )


class AdvisorIn(BaseModel):
    telegram_user_id: int = Field(ge=1, le=2**53, examples=[555123])
    public_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="the only part of the name users see",
        examples=["Karima"],
    )


class AdvisorOut(BaseModel):
    telegram_user_id: int = Field(examples=[555123])
    public_name: str | None = Field(examples=["Karima"])
    source: Literal["api", "configuration"]


class AdvisorRemoved(BaseModel):
    telegram_user_id: int = Field(examples=[555123])
    removed: bool = True


class HandoffOut(BaseModel):
    id: int = Field(examples=[12])
    status: str = Field(examples=["waiting"], description="waiting, claimed or closed")
    language: str = Field(examples=["ary"])
    channel: str = Field(examples=["whatsapp"])
    topic: str = Field(examples=["financing"])
    user_name: str | None = Field(examples=["Fatima"])
    description: str = Field(examples=["bghit n3ref wach n9der nakhod Intilaka"])
    advisor: str | None = Field(examples=["api:Karima"])
    advisor_name: str | None = Field(default=None, examples=["Karima"], description="as shown")
    created_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    rating: int | None = Field(examples=[5])


class HandoffMessage(BaseModel):
    id: int = Field(examples=[41])
    author: str = Field(examples=["user"])
    advisor: str | None
    text: str = Field(examples=["Salam, wach kayn chi credit l cooperative?"])
    media: str = Field(examples=["none"], description="none, photo, document…")
    file: str | None = Field(
        default=None,
        examples=["/admin/handoffs/12/files/41"],
        description="where the advisor opens the file sent with this message",
    )
    at: datetime


class HandoffDetail(HandoffOut):
    summary: str
    messages: list[HandoffMessage]


class DeskOut(BaseModel):
    group_configured: bool
    posts_waiting: int
    oldest_waiting_minutes: float | None
    last_error: str | None


class CannedOut(Texts):
    key: str = Field(examples=["hello"])


class CannedDeleted(BaseModel):
    key: str = Field(examples=["hello"])
    deleted: bool = True


@router.get("/handoffs")
async def list_handoffs(
    caller: AdvisorCaller,
    services: ServicesDep,
    status: Annotated[Literal["active", "waiting", "claimed", "closed"], Query()] = "active",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[HandoffOut]:
    async with services.db.transaction() as session:
        rows = await session.execute(
            select(Handoff, User.display_name)
            .join(User, User.id == Handoff.user_id)
            .where(Handoff.status.in_(STATUSES[status]))
            .order_by(Handoff.id.desc())
            .limit(limit)
        )
        return [_listed(handoff, name) for handoff, name in rows.all()]


@router.get("/desk")
async def desk_status(caller: AdvisorCaller, services: ServicesDep) -> DeskOut:
    """Whether posts reach the advisors' group: what waits, since when, and why."""
    async with services.db.transaction() as session:
        waiting, oldest, last_error = await repo.channel_backlog(session, channel=DESK_CHANNEL)
    return DeskOut(
        group_configured=services.engine.handoffs.group_id is not None,
        posts_waiting=waiting,
        oldest_waiting_minutes=round((utcnow() - oldest).total_seconds() / 60, 1)
        if oldest
        else None,
        last_error=last_error,
    )


@router.get("/handoffs/{handoff_id}", responses=responses(404))
async def read_handoff(
    handoff_id: HandoffId, caller: AdvisorCaller, services: ServicesDep
) -> HandoffDetail:
    async with services.db.transaction() as session:
        handoff = await _handoff(session, handoff_id)
        user = await session.get(User, handoff.user_id)
        events = await session.scalars(
            select(HandoffEvent)
            .where(HandoffEvent.handoff_id == handoff_id)
            .order_by(HandoffEvent.id)
        )
        return HandoffDetail(
            **_listed(handoff, user.display_name if user else None).model_dump(),
            summary=handoff.summary,
            messages=[
                HandoffMessage(
                    id=e.id,
                    author=e.author,
                    advisor=e.advisor,
                    text=e.text,
                    media=e.media,
                    file=f"/admin/handoffs/{handoff_id}/files/{e.id}" if e.attachment else None,
                    at=e.created_at,
                )
                for e in events
            ],
        )


@router.post("/handoffs/{handoff_id}/claim", responses=responses(404, 409))
async def claim_handoff(
    handoff_id: HandoffId, caller: AdvisorCaller, services: ServicesDep
) -> HandoffOut:
    return await act(services, caller, handoff_id, "claim", "")


@router.post("/handoffs/{handoff_id}/reply", responses=responses(404, 409))
async def reply_to_handoff(
    handoff_id: HandoffId, body: TextIn, caller: AdvisorCaller, services: ServicesDep
) -> HandoffOut:
    return await act(services, caller, handoff_id, None, body.text)


@router.post("/handoffs/{handoff_id}/notes", responses=responses(404, 409))
async def note_on_handoff(
    handoff_id: HandoffId, body: TextIn, caller: AdvisorCaller, services: ServicesDep
) -> HandoffOut:
    return await act(services, caller, handoff_id, "note", body.text)


@router.post("/handoffs/{handoff_id}/transfer", responses=responses(404, 409))
async def transfer_handoff(
    handoff_id: HandoffId, body: TransferIn, caller: AdvisorCaller, services: ServicesDep
) -> HandoffOut:
    return await act(services, caller, handoff_id, "transfer", body.to or "")


@router.post("/handoffs/{handoff_id}/close", responses=responses(404, 409))
async def close_handoff(
    handoff_id: HandoffId, caller: AdvisorCaller, services: ServicesDep
) -> HandoffOut:
    return await act(services, caller, handoff_id, "close", "")


@router.get("/advisors")
async def list_advisors(caller: Admin, services: ServicesDep) -> list[AdvisorOut]:
    async with services.db.transaction() as session:
        rows = await session.scalars(select(Advisor).order_by(Advisor.id))
        listed = [
            AdvisorOut(telegram_user_id=a.telegram_user_id, public_name=a.public_name, source="api")
            for a in rows
        ]
    known = {a.telegram_user_id for a in listed}
    return listed + [
        AdvisorOut(telegram_user_id=i, public_name=None, source="configuration")
        for i in services.settings.advisor_telegram_ids
        if i not in known
    ]


@router.post("/advisors", status_code=201, responses=responses(409))
async def register_advisor(body: AdvisorIn, caller: Admin, services: ServicesDep) -> AdvisorIn:
    try:
        async with services.db.transaction() as session:
            session.add(
                Advisor(telegram_user_id=body.telegram_user_id, public_name=body.public_name)
            )
            audit.record(
                session,
                actor=caller.name,
                action="advisor.register",
                target=str(body.telegram_user_id),
            )
    except IntegrityError:
        raise HTTPException(409, "this Telegram user is already an advisor") from None
    return body


@router.delete("/advisors/{telegram_user_id}", responses=responses(404))
async def remove_advisor(
    telegram_user_id: Annotated[int, Path(ge=1, le=2**53)], caller: Admin, services: ServicesDep
) -> AdvisorRemoved:
    async with services.db.transaction() as session:
        advisor = await session.scalar(
            select(Advisor).where(Advisor.telegram_user_id == telegram_user_id)
        )
        if advisor is None:
            raise HTTPException(404, "no advisor registered through the API with this id")
        await session.delete(advisor)
        audit.record(
            session, actor=caller.name, action="advisor.remove", target=str(telegram_user_id)
        )
    return AdvisorRemoved(telegram_user_id=telegram_user_id)


@router.get("/canned")
async def list_canned(caller: ReaderOfCanned, services: ServicesDep) -> dict[str, dict[str, str]]:
    """Ready answers by key, each with its texts by language."""
    async with services.db.transaction() as session:
        return {answer.key: answer.texts for answer in await canned.listing(session)}


@router.put("/canned/{key}")
async def write_canned(
    key: CannedKey, body: Texts, caller: Editor, services: ServicesDep
) -> CannedOut:
    """A text the fact sheet forbids is a 422 naming the rule and the language."""
    async with services.db.transaction() as session:
        await canned.save(session, key=key, texts=body.by_language())
        audit.record(session, actor=caller.name, action="canned.save", target=key)
    return CannedOut(key=key, **body.by_language())


@router.delete("/canned/{key}", responses=responses(404))
async def delete_canned(key: CannedKey, caller: Editor, services: ServicesDep) -> CannedDeleted:
    async with services.db.transaction() as session:
        if not await canned.remove(session, key=key):
            raise HTTPException(404, f"no ready answer {key}")
        audit.record(session, actor=caller.name, action="canned.delete", target=key)
    return CannedDeleted(key=key)


async def act(
    services: Services,
    caller: Caller,
    handoff_id: int,
    command: str | None,
    text: str,
    upload: attachments.Upload | None = None,
) -> HandoffOut:
    """One advisor action under the desk's rules; a refusal becomes a 409 or 422. A file
    is kept on disk only while its reply is: refused or failed, it goes."""
    advisor = AdvisorRef(f"api:{caller.name}"[:80])
    desk = services.engine.desk
    with attachments.Keeping(services.settings.data_dir) as files:
        async with services.db.transaction() as session:
            handoff = await _handoff(session, handoff_id)
            refusal = await desk.act(
                session,
                handoff,
                advisor,
                command=command,
                text=text,
                from_group=False,
                attachment=files.keep(handoff.user_id, upload),
            )
            files.sent = refusal is None
            if refusal is None:
                result = _listed(handoff, None)
                action = f"handoff.{'file' if upload else command or 'reply'}"
                audit.record(session, actor=caller.name, action=action, target=str(handoff_id))
    if refusal is not None:
        raise HTTPException(REFUSAL_STATUS.get(refusal.reason, 422), str(refusal))
    services.worker.poke()
    return result


async def _handoff(session: Any, handoff_id: int) -> Handoff:
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None:
        raise HTTPException(404, f"no handoff {handoff_id}")
    return handoff


def _listed(handoff: Handoff, name: str | None) -> HandoffOut:
    return HandoffOut(
        id=handoff.id,
        status=handoff.status,
        language=handoff.language,
        channel=handoff.channel,
        topic=handoff.topic,
        user_name=name,
        description=handoff.description,
        advisor=handoff.advisor,
        advisor_name=handoff.advisor_name,
        created_at=handoff.created_at,
        first_response_at=handoff.first_response_at,
        closed_at=handoff.closed_at,
        rating=handoff.rating,
    )
