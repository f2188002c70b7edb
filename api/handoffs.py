"""Advisors' API: the handoff queue for a web inbox or another helpdesk, under the same
rules as the Telegram group; the advisors list and the ready answers for admins/editors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.auth import Admin, Caller, Editor, require
from api.services import services_of
from bot.channels.service import Services
from bot.clock import utcnow
from bot.handoff import canned
from bot.handoff.desk import AdvisorRef
from bot.store import repo
from bot.store.models import Advisor, AuditEntry, Handoff, HandoffEvent, User
from bot.store.repo import DESK_CHANNEL

router = APIRouter(prefix="/admin", tags=["advisors"])
AdvisorCaller = Annotated[Caller, Depends(require("advisor"))]
ReaderOfCanned = Annotated[Caller, Depends(require("advisor", "editor"))]
ServicesDep = Annotated[Services, Depends(services_of)]
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
    text: str = Field(min_length=1, max_length=4000)


class TransferIn(BaseModel):
    to: str | None = Field(
        default=None,
        max_length=80,
        description="an advisor's public name or Telegram id; none frees it",
    )


class AdvisorIn(BaseModel):
    telegram_user_id: int = Field(ge=1, le=2**53)
    public_name: str | None = Field(
        default=None, min_length=1, max_length=40, description="the only part of the name users see"
    )


class CannedIn(BaseModel):
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


@router.get("/handoffs")
async def list_handoffs(
    caller: AdvisorCaller,
    services: ServicesDep,
    status: Annotated[Literal["active", "waiting", "claimed", "closed"], Query()] = "active",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
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
async def desk_status(caller: AdvisorCaller, services: ServicesDep) -> dict[str, Any]:
    """Whether posts reach the advisors' group: what waits, since when, and why."""
    async with services.db.transaction() as session:
        waiting, oldest, last_error = await repo.channel_backlog(session, channel=DESK_CHANNEL)
    return {
        "group_configured": services.engine.handoffs.group_id is not None,
        "posts_waiting": waiting,
        "oldest_waiting_minutes": round((utcnow() - oldest).total_seconds() / 60, 1)
        if oldest
        else None,
        "last_error": last_error,
    }


@router.get("/handoffs/{handoff_id}")
async def read_handoff(
    handoff_id: HandoffId, caller: AdvisorCaller, services: ServicesDep
) -> dict[str, Any]:
    async with services.db.transaction() as session:
        handoff = await _handoff(session, handoff_id)
        user = await session.get(User, handoff.user_id)
        events = await session.scalars(
            select(HandoffEvent)
            .where(HandoffEvent.handoff_id == handoff_id)
            .order_by(HandoffEvent.id)
        )
        return _listed(handoff, user.display_name) | {
            "summary": handoff.summary,
            "messages": [
                {
                    "author": e.author,
                    "advisor": e.advisor,
                    "text": e.text,
                    "media": e.media,
                    "at": e.created_at.isoformat(),
                }
                for e in events
            ],
        }


@router.post("/handoffs/{handoff_id}/claim")
async def claim_handoff(
    handoff_id: HandoffId, caller: AdvisorCaller, services: ServicesDep
) -> dict[str, Any]:
    return await _act(services, caller, handoff_id, "claim", "")


@router.post("/handoffs/{handoff_id}/reply")
async def reply_to_handoff(
    handoff_id: HandoffId, body: TextIn, caller: AdvisorCaller, services: ServicesDep
) -> dict[str, Any]:
    return await _act(services, caller, handoff_id, None, body.text)


@router.post("/handoffs/{handoff_id}/notes")
async def note_on_handoff(
    handoff_id: HandoffId, body: TextIn, caller: AdvisorCaller, services: ServicesDep
) -> dict[str, Any]:
    return await _act(services, caller, handoff_id, "note", body.text)


@router.post("/handoffs/{handoff_id}/transfer")
async def transfer_handoff(
    handoff_id: HandoffId, body: TransferIn, caller: AdvisorCaller, services: ServicesDep
) -> dict[str, Any]:
    return await _act(services, caller, handoff_id, "transfer", body.to or "")


@router.post("/handoffs/{handoff_id}/close")
async def close_handoff(
    handoff_id: HandoffId, caller: AdvisorCaller, services: ServicesDep
) -> dict[str, Any]:
    return await _act(services, caller, handoff_id, "close", "")


@router.get("/advisors")
async def list_advisors(caller: Admin, services: ServicesDep) -> list[dict[str, Any]]:
    async with services.db.transaction() as session:
        rows = await session.scalars(select(Advisor).order_by(Advisor.id))
        listed = [
            {"telegram_user_id": a.telegram_user_id, "public_name": a.public_name, "source": "api"}
            for a in rows
        ]
    known = {a["telegram_user_id"] for a in listed}
    return listed + [
        {"telegram_user_id": i, "public_name": None, "source": "configuration"}
        for i in services.settings.advisor_telegram_ids
        if i not in known
    ]


@router.post("/advisors", status_code=201)
async def register_advisor(body: AdvisorIn, caller: Admin, services: ServicesDep) -> dict[str, Any]:
    try:
        async with services.db.transaction() as session:
            session.add(
                Advisor(telegram_user_id=body.telegram_user_id, public_name=body.public_name)
            )
            session.add(
                AuditEntry(
                    actor=caller.name, action="advisor.register", target=str(body.telegram_user_id)
                )
            )
    except IntegrityError:
        raise HTTPException(409, "this Telegram user is already an advisor") from None
    return body.model_dump()


@router.delete("/advisors/{telegram_user_id}")
async def remove_advisor(
    telegram_user_id: Annotated[int, Path(ge=1, le=2**53)], caller: Admin, services: ServicesDep
) -> dict[str, Any]:
    async with services.db.transaction() as session:
        advisor = await session.scalar(
            select(Advisor).where(Advisor.telegram_user_id == telegram_user_id)
        )
        if advisor is None:
            raise HTTPException(404, "no advisor registered through the API with this id")
        await session.delete(advisor)
        session.add(
            AuditEntry(actor=caller.name, action="advisor.remove", target=str(telegram_user_id))
        )
    return {"telegram_user_id": telegram_user_id, "removed": True}


@router.get("/canned")
async def list_canned(caller: ReaderOfCanned, services: ServicesDep) -> dict[str, Any]:
    async with services.db.transaction() as session:
        return {answer.key: answer.texts for answer in await canned.listing(session)}


@router.put("/canned/{key}")
async def write_canned(
    key: CannedKey, body: CannedIn, caller: Editor, services: ServicesDep
) -> dict[str, Any]:
    async with services.db.transaction() as session:
        await canned.save(session, key=key, texts=_texts(body))
        session.add(AuditEntry(actor=caller.name, action="canned.save", target=key))
    return {"key": key} | _texts(body)


@router.delete("/canned/{key}")
async def delete_canned(key: CannedKey, caller: Editor, services: ServicesDep) -> dict[str, Any]:
    async with services.db.transaction() as session:
        if not await canned.remove(session, key=key):
            raise HTTPException(404, f"no ready answer {key}")
        session.add(AuditEntry(actor=caller.name, action="canned.delete", target=key))
    return {"key": key, "deleted": True}


async def _act(
    services: Services, caller: Caller, handoff_id: int, command: str | None, text: str
) -> dict[str, Any]:
    """One advisor action under the desk's rules; a refusal becomes a 409 or 422."""
    advisor = AdvisorRef(f"api:{caller.name}"[:80])
    desk = services.engine.desk
    async with services.db.transaction() as session:
        handoff = await _handoff(session, handoff_id)
        refusal = await desk.act(
            session, handoff, advisor, command=command, text=text, from_group=False
        )
        if refusal is None:
            result = _listed(handoff, None)
    if refusal is not None:
        raise HTTPException(REFUSAL_STATUS.get(refusal.reason, 422), str(refusal))
    services.worker.poke()
    return result


async def _handoff(session: Any, handoff_id: int) -> Handoff:
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None:
        raise HTTPException(404, f"no handoff {handoff_id}")
    return handoff


def _listed(handoff: Handoff, name: str | None) -> dict[str, Any]:
    def moment(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": handoff.id,
        "status": handoff.status,
        "language": handoff.language,
        "channel": handoff.channel,
        "topic": handoff.topic,
        "user_name": name,
        "description": handoff.description,
        "advisor": handoff.advisor,
        "advisor_name": handoff.advisor_name,
        "created_at": moment(handoff.created_at),
        "first_response_at": moment(handoff.first_response_at),
        "closed_at": moment(handoff.closed_at),
        "rating": handoff.rating,
    }


def _texts(body: CannedIn) -> dict[str, str]:
    """The answer's texts keyed by language code ("ary-Latn" only when given)."""
    return body.model_dump(by_alias=True, exclude_none=True)
