"""`GET /admin/audit`: who changed what, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import Admin
from api.errors import responses
from api.services import ServicesDep
from bot import audit

router = APIRouter(prefix="/admin", tags=["admin"], responses=responses())


class AuditEntryOut(BaseModel):
    id: int = Field(examples=[118])
    actor: str = Field(examples=["Khadija"], description="the token's or staff member's name")
    action: str = Field(examples=["content.update"])
    target: str = Field(examples=["create.members"])
    at: datetime


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    limit: int = Field(examples=[50])
    offset: int = Field(examples=[0])
    next_offset: int | None = Field(
        examples=[50], description="pass as offset for the next page; null on the last page"
    )


@router.get("/audit")
async def read_audit(
    caller: Admin,
    services: ServicesDep,
    actor: Annotated[str | None, Query(max_length=80, examples=["Khadija"])] = None,
    action: Annotated[
        str | None,
        Query(
            max_length=40,
            description='an action ("content.update"), or a prefix ending in "." ("content.")',
            examples=["content."],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AuditPage:
    async with services.db.transaction() as session:
        rows = await audit.listing(
            session, actor=actor, action=action, limit=limit + 1, offset=offset
        )
    return AuditPage(
        entries=[
            AuditEntryOut(id=r.id, actor=r.actor, action=r.action, target=r.target, at=r.created_at)
            for r in rows[:limit]
        ],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(rows) > limit else None,
    )
