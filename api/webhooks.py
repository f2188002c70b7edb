"""Webhook routes. They check the sender, store and answer, and return at once:
replies leave through the outbox, never inside the request."""

import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse

from api.services import Services, channel_or_404, services_of

router = APIRouter(tags=["webhooks"])
MAX_BODY = 1_000_000
ServicesDep = Annotated[Services, Depends(services_of)]


@router.post("/telegram/webhook")
async def telegram_webhook(
    request: Request, services: ServicesDep,
    secret: Annotated[str, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = "",
) -> dict[str, bool]:
    channel = channel_or_404(services.telegram, "Telegram")
    expected = services.settings.telegram_webhook_secret
    if expected and not hmac.compare_digest(secret.encode(), expected.get_secret_value().encode()):
        raise HTTPException(status_code=403, detail="wrong secret token")
    update = _json_object(await _body(request))
    try:
        await channel.receive(update)
    except (KeyError, TypeError, ValueError) as error:
        raise HTTPException(status_code=400, detail=f"not a Telegram update: {error}") from None
    return {"ok": True}


@router.get("/whatsapp/webhook", response_class=PlainTextResponse)
async def whatsapp_verification(
    services: ServicesDep,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> PlainTextResponse:
    channel = channel_or_404(services.whatsapp, "WhatsApp")
    text, status = channel.verify_challenge(token, challenge)
    return PlainTextResponse(text, status_code=status)


@router.post("/whatsapp/webhook", response_class=PlainTextResponse)
async def whatsapp_webhook(
    request: Request, services: ServicesDep,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
) -> PlainTextResponse:
    channel = channel_or_404(services.whatsapp, "WhatsApp")
    text, status = await channel.receive(await _body(request), signature)
    return PlainTextResponse(text, status_code=status)


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(status_code=413, detail=f"body larger than {MAX_BODY} bytes")
    return body


def _json_object(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HTTPException(status_code=400, detail="body is not JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(status_code=400, detail="body is not a JSON object")
    return data
