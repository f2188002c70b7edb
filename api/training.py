"""The review list of training phrases: editors propose questions the bot did not
understand (from the insights' unanswered list), accept or reject them; `fadaa nlu-train`
takes the accepted ones into the training set."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field, field_validator

from api.auth import Editor
from api.errors import responses
from api.services import ServicesDep
from bot.content import known_intents
from bot.nlu.review import AlreadyDecided, AlreadyProposed, Status, decide, listing, propose
from bot.store.models import TrainingPhrase

router = APIRouter(prefix="/admin/training", tags=["training"], responses=responses())
PhraseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="a proposed phrase's id")]


class PhraseIn(BaseModel):
    text: str = Field(
        min_length=1, max_length=500, examples=["wach kayn chi da3m l cooperative dyal lkhayata?"]
    )
    intent: str = Field(max_length=60, examples=["financing_options"])
    language: Literal["fr", "ar", "ary", "ary-Latn"] = Field(examples=["ary-Latn"])

    @field_validator("text")
    @classmethod
    def _meaningful(cls, text: str) -> str:
        if not text.strip() or "\x00" in text:
            raise ValueError("the text is empty or contains a NUL byte")
        return text.strip()

    @field_validator("intent")
    @classmethod
    def _known(cls, intent: str) -> str:
        if intent not in known_intents():
            raise ValueError(f"unknown intent {intent!r}")
        return intent


class PhraseOut(BaseModel):
    id: int = Field(examples=[7])
    text: str = Field(examples=["wach kayn chi da3m l cooperative dyal lkhayata?"])
    intent: str = Field(examples=["financing_options"])
    language: str = Field(examples=["ary-Latn"])
    status: Status
    proposed_by: str = Field(examples=["Khadija"])
    reviewed_by: str | None
    created_at: datetime
    reviewed_at: datetime | None

    @classmethod
    def of(cls, row: TrainingPhrase) -> PhraseOut:
        return cls.model_validate(row, from_attributes=True)


class DecisionIn(BaseModel):
    decision: Literal["accept", "reject"] = Field(examples=["accept"])


@router.post("/review", status_code=201, responses=responses(409))
async def propose_phrase(body: PhraseIn, caller: Editor, services: ServicesDep) -> PhraseOut:
    """Add an unanswered question to the review list as a phrase of an intent."""
    async with services.db.transaction() as session:
        try:
            phrase = await propose(
                session,
                text=body.text,
                intent=body.intent,
                language=body.language,
                actor=caller.name,
            )
        except AlreadyProposed as error:
            raise HTTPException(409, str(error)) from None
        await session.flush()
        return PhraseOut.of(phrase)


@router.get("/review")
async def list_phrases(
    caller: Editor,
    services: ServicesDep,
    status: Annotated[Status | None, Query(examples=["proposed"])] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[PhraseOut]:
    """Newest first, of every status unless one is asked for."""
    async with services.db.transaction() as session:
        rows = await listing(session, status=status, limit=limit, offset=offset)
        return [PhraseOut.of(row) for row in rows]


@router.post("/review/{phrase_id}", responses=responses(404, 409))
async def decide_phrase(
    phrase_id: PhraseId, body: DecisionIn, caller: Editor, services: ServicesDep
) -> PhraseOut:
    """Accept (`fadaa nlu-train` will learn it) or reject a proposed phrase."""
    async with services.db.transaction() as session:
        try:
            phrase = await decide(
                session, phrase_id=phrase_id, accept=body.decision == "accept", actor=caller.name
            )
        except AlreadyDecided as error:
            raise HTTPException(409, str(error)) from None
        if phrase is None:
            raise HTTPException(404, f"no proposed phrase {phrase_id}")
        await session.flush()
        return PhraseOut.of(phrase)
