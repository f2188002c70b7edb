"""The API's errors: one documented shape for every 4xx, and the fact rules' refusal."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.content.claims import ForbiddenClaim


class Problem(BaseModel):
    """What every refusal answers: a message naming what was wrong."""

    detail: str | list[dict[str, Any]] = Field(
        description="a message, or FastAPI's list of field errors for a malformed request",
        examples=["no content item create.overview"],
    )


_MEANINGS = {
    401: ("missing, unknown or revoked bearer token", "missing bearer token"),
    403: ("the token's role cannot do this", "the advisor role cannot do this"),
    404: ("no such item", "no content item create.nowhere"),
    409: ("the change conflicts with the current state", "this handoff is already claimed"),
    413: ("the body is too large", "body larger than 1000000 bytes"),
    415: (
        "a file of a type this route does not take (an inbox file, a content import)",
        "only JPEG, PNG, WebP or PDF files can be sent",
    ),
    422: (
        "invalid input, or a text the fact sheet forbids (the message names the rule and "
        "the language)",
        "create_cooperative.yaml: item create.members: text.ary makes a claim the fact sheet "
        "forbids (rule seven_founders, language ary): 7 founders are required (the minimum "
        "is 5 members)",
    ),
    502: ("the messaging channel did not answer", "Telegram did not give the file"),
    429: ("too many requests for this token; wait a minute", "too many requests for this token"),
}
COMMON = (401, 403, 422, 429)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the given refusals (401, 403, 422 and 429 always)."""
    return {
        code: {
            "model": Problem,
            "description": _MEANINGS[code][0],
            "content": {"application/json": {"example": {"detail": _MEANINGS[code][1]}}},
        }
        for code in sorted({*COMMON, *codes})
    }


async def _forbidden_claim(_request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=422)


def install(app: FastAPI) -> None:
    """A forbidden claim is a 422 wherever it is raised (content, ready answers, console)."""
    app.add_exception_handler(ForbiddenClaim, _forbidden_claim)
