"""Admin API for awareness campaigns (role editor): write one, preview its audience, try it
on one user, send it now or at a Casablanca time, pause, resume, cancel, read its results."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import Editor
from api.errors import responses
from api.models import CampaignCounts, Texts
from api.services import ServicesDep
from bot import audit
from bot.campaigns import editing, results
from bot.channels.service import Services
from bot.clock import utcnow
from bot.store.models import Campaign, Capsule, User

router = APIRouter(prefix="/admin/campaigns", tags=["campaigns"])
CampaignId = Annotated[int, Path(ge=1, le=2**31 - 1, description="a campaign id")]
Topic = Literal["news", "deadlines", "capsules"]
Channel = Literal["telegram", "whatsapp"]
Language = Literal["fr", "ar", "ary", "ary-Latn"]
# what a campaign button may open: an answer, a flow, a reminder, a capsule
PAYLOAD = r"^(intent|item|reminder|capsule|financing_finder|formalize|menu):[A-Za-z0-9_.=-]{1,40}$"


class ButtonTitles(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    fr: str = Field(min_length=1, max_length=40)
    ar: str = Field(min_length=1, max_length=40)
    ary: str = Field(min_length=1, max_length=40)
    ary_latn: str | None = Field(default=None, alias="ary-Latn", min_length=1, max_length=40)


class CampaignButton(BaseModel):
    payload: str = Field(
        pattern=PAYLOAD,
        description="what the button opens, as the bot's own buttons do",
        examples=["intent:talk_to_advisor", "financing_finder:start", "reminder:new"],
    )
    title: ButtonTitles


class TemplateIn(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9_]{1,512}$", description="an approved WhatsApp template")
    code: str = Field(
        pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$",
        description="its language code at Meta",
        examples=["ar"],
    )


class AudienceIn(BaseModel):
    """Always narrowed to the users who consented to the campaign's topic."""

    channels: list[Channel] = Field(default_factory=list, description="empty: every channel")
    languages: list[Language] = Field(default_factory=list, description="empty: every language")
    active_within_days: int | None = Field(default=None, ge=1, le=3650)
    inactive_for_days: int | None = Field(default=None, ge=1, le=3650)
    answers: dict[
        Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")],
        Annotated[list[Annotated[str, Field(max_length=80)]], Field(min_length=1, max_length=20)],
    ] = Field(
        default_factory=dict,
        description="questionnaire answers (slot: accepted values), e.g. sector, stage",
        examples=[{"sector": ["agriculture"], "stage": ["created"]}],
    )


EXAMPLE: JsonDict = {
    "name": "AG 2027 : rappel des assemblées générales",
    "topic": "deadlines",
    "text": {
        "fr": "Rappel : l'assemblée générale ordinaire se tient dans les 6 mois après la "
        "clôture de l'exercice.",
        "ar": "تذكير: ينعقد الجمع العام العادي خلال ستة أشهر بعد اختتام السنة المالية.",
        "ary": "تفكير: الجمع العام العادي كيتعقد فـ 6 شهور من بعد ما كتسالي السنة المالية.",
        "ary-Latn": "Tfkir: ljam3 l3am l3adi kayt3e9ed f 6 chhour mn ba3d ma katsali l3am.",
    },
    "buttons": [
        {
            "payload": "reminder:new",
            "title": {"fr": "Me le rappeler", "ar": "ذكرني", "ary": "فكرني", "ary-Latn": "Fekerni"},
        }
    ],
    "templates": {
        "ar": {"name": "odco_deadlines", "code": "ar"},
        "ary": {"name": "odco_deadlines", "code": "ar"},
        "fr": {"name": "odco_deadlines", "code": "fr"},
    },
    "audience": {"channels": ["whatsapp", "telegram"], "answers": {"stage": ["created"]}},
}


class CampaignIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    name: str = Field(min_length=1, max_length=120)
    topic: Topic
    text: Texts
    capsule: str | None = Field(default=None, pattern=r"^[a-z0-9_.-]{1,60}$")
    buttons: list[CampaignButton] = Field(
        default_factory=list, max_length=2, description="besides the Stop button every message has"
    )
    templates: dict[Language, TemplateIn] = Field(
        default_factory=dict,
        description="WhatsApp outside the 24-hour window: the approved template per language "
        "(the text is its one body parameter); a user with none in their language is skipped",
    )
    audience: AudienceIn = Field(default_factory=AudienceIn)


class CampaignCreated(BaseModel):
    id: int = Field(examples=[12])


class CampaignOut(BaseModel):
    id: int
    name: str
    topic: str
    status: str = Field(examples=["draft", "scheduled", "sending", "paused", "done", "cancelled"])
    send_at: str | None = Field(description="Africa/Casablanca wall time", examples=[None])
    created_by: str
    created_at: datetime
    text: dict[str, str]
    capsule: str | None
    buttons: list[dict[str, Any]]
    templates: dict[str, Any]
    audience: dict[str, Any]
    counts: CampaignCounts


class AudienceSize(BaseModel):
    count: int = Field(examples=[1834])


class SendIn(BaseModel):
    send_at: datetime | None = Field(
        default=None,
        description="when to send, in Africa/Casablanca time (an offset, if given, is kept); "
        "empty: now",
        examples=["2026-12-10T09:30"],
    )


class TestSendIn(BaseModel):
    channel: Channel
    user: str = Field(min_length=1, max_length=128, description="the channel's user id")


class TestSendOut(BaseModel):
    queued: bool
    skipped: str | None = Field(default=None, examples=["skipped_template"])


@router.post("", status_code=201, response_model=CampaignCreated, responses=responses())
async def create_campaign(body: CampaignIn, caller: Editor, services: ServicesDep) -> Any:
    async with services.db.transaction() as session:
        if body.capsule and await session.get(Capsule, body.capsule) is None:
            raise HTTPException(422, f"no capsule {body.capsule}")
        campaign = await editing.create(session, values=_values(body), actor=caller.name)
        _audit(session, caller.name, "campaign.create", campaign.id)
        return {"id": campaign.id}


@router.get("", response_model=list[CampaignOut], responses=responses())
async def list_campaigns(caller: Editor, services: ServicesDep) -> Any:
    async with services.db.transaction() as session:
        campaigns = await editing.listed(session)
        counts = await results.counts_of(session, [c.id for c in campaigns])
        return [_out(c, counts[c.id], services) for c in campaigns]


@router.get("/{campaign_id}", response_model=CampaignOut, responses=responses(404))
async def read_campaign(campaign_id: CampaignId, caller: Editor, services: ServicesDep) -> Any:
    async with services.db.transaction() as session:
        campaign = await _found(session, campaign_id)
        counts = await results.counts(session, campaign_id=campaign_id)
        return _out(campaign, counts, services)


@router.get("/{campaign_id}/audience", response_model=AudienceSize, responses=responses(404))
async def audience_size(campaign_id: CampaignId, caller: Editor, services: ServicesDep) -> Any:
    async with services.db.transaction() as session:
        return {"count": await editing.audience_size(session, await _found(session, campaign_id))}


@router.post("/{campaign_id}/send", response_model=CampaignOut, responses=responses(404, 409))
async def send_campaign(
    campaign_id: CampaignId, caller: Editor, services: ServicesDep, body: SendIn | None = None
) -> Any:
    send_at = _instant(body.send_at, services) if body and body.send_at else None
    if send_at is not None and send_at < utcnow():
        raise HTTPException(422, "send_at is in the past")
    return await _change(services, caller.name, campaign_id, "send", editing.schedule, send_at)


@router.post("/{campaign_id}/pause", response_model=CampaignOut, responses=responses(404, 409))
async def pause_campaign(campaign_id: CampaignId, caller: Editor, services: ServicesDep) -> Any:
    return await _change(services, caller.name, campaign_id, "pause", editing.pause)


@router.post("/{campaign_id}/resume", response_model=CampaignOut, responses=responses(404, 409))
async def resume_campaign(campaign_id: CampaignId, caller: Editor, services: ServicesDep) -> Any:
    return await _change(services, caller.name, campaign_id, "resume", editing.resume)


@router.post("/{campaign_id}/cancel", response_model=CampaignOut, responses=responses(404, 409))
async def cancel_campaign(campaign_id: CampaignId, caller: Editor, services: ServicesDep) -> Any:
    return await _change(services, caller.name, campaign_id, "cancel", editing.cancel)


@router.post("/{campaign_id}/test", response_model=TestSendOut, responses=responses(404))
async def test_send(
    campaign_id: CampaignId, body: TestSendIn, caller: Editor, services: ServicesDep
) -> Any:
    """The campaign to one user (an editor's own account), as they would see it."""
    async with services.db.transaction() as session:
        campaign = await _found(session, campaign_id)
        user = await session.scalar(
            select(User).where(User.channel == body.channel, User.channel_user_id == body.user)
        )
        if user is None:
            raise HTTPException(404, "no such user: they must have written to the bot first")
        skipped = await editing.test_send(session, campaign, user)
        _audit(session, caller.name, "campaign.test", campaign_id)
    services.worker.poke()
    return {"queued": skipped is None, "skipped": skipped}


@router.get("/{campaign_id}/results", response_model=CampaignOut, responses=responses(404))
async def campaign_results(campaign_id: CampaignId, caller: Editor, services: ServicesDep) -> Any:
    return await read_campaign(campaign_id, caller, services)


@router.get(
    "/{campaign_id}/results.csv",
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": "a header line, then the campaign's figures",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **responses(404),
    },
)
async def campaign_results_csv(
    campaign_id: CampaignId, caller: Editor, services: ServicesDep
) -> PlainTextResponse:
    async with services.db.transaction() as session:
        campaign = await _found(session, campaign_id)
        counts = await results.counts(session, campaign_id=campaign_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "topic", "status", *results.COUNTS])
    writer.writerow([campaign.id, campaign.name, campaign.topic, campaign.status, *counts.values()])
    return PlainTextResponse(out.getvalue(), media_type="text/csv")


async def _change(
    services: Services, actor: str, campaign_id: int, action: str, change: Any, *args: Any
) -> Any:
    async with services.db.transaction() as session:
        campaign = await _found(session, campaign_id)
        try:
            await change(session, campaign, *args)
        except editing.CampaignStateError as error:
            raise HTTPException(409, str(error)) from None
        _audit(session, actor, f"campaign.{action}", campaign_id)
        await session.flush()
        counts = await results.counts(session, campaign_id=campaign_id)
        return _out(campaign, counts, services)


async def _found(session: AsyncSession, campaign_id: int) -> Campaign:
    campaign = await editing.get(session, campaign_id)
    if campaign is None:
        raise HTTPException(404, f"no campaign {campaign_id}")
    return campaign


def _values(body: CampaignIn) -> dict[str, Any]:
    return {
        "name": body.name,
        "topic": body.topic,
        "texts": _dumped(body.text),
        "capsule_id": body.capsule,
        "buttons": {"items": [_dumped(b) for b in body.buttons]},
        "templates": {k: v.model_dump() for k, v in body.templates.items()},
        "audience": body.audience.model_dump(exclude_none=True),
    }


def _dumped(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(by_alias=True, exclude_none=True)


def _instant(moment: datetime, services: Services) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=ZoneInfo(services.settings.timezone))
    return moment


def _out(campaign: Campaign, counts: dict[str, int], services: Services) -> dict[str, Any]:
    zone = ZoneInfo(services.settings.timezone)
    send_at = campaign.send_at.astimezone(zone).replace(tzinfo=None) if campaign.send_at else None
    return {
        "id": campaign.id,
        "name": campaign.name,
        "topic": campaign.topic,
        "status": campaign.status,
        "send_at": send_at.isoformat(timespec="minutes") if send_at else None,
        "created_by": campaign.created_by,
        "created_at": campaign.created_at,
        "text": campaign.texts,
        "capsule": campaign.capsule_id,
        "buttons": (campaign.buttons or {}).get("items", []),
        "templates": campaign.templates or {},
        "audience": campaign.audience or {},
        "counts": counts,
    }


def _audit(session: AsyncSession, actor: str, action: str, campaign_id: int) -> None:
    audit.record(session, actor=actor, action=action, target=f"campaign:{campaign_id}")
