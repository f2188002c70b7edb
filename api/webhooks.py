"""Webhook routes. They check the sender, store and answer, and return at once:
replies leave through the outbox, never inside the request.

200 means the update is stored (or kept as unprocessable); 503 means nothing could be
written, so Telegram or Meta delivers it again. Bodies are limited while they stream in
(api/limits.py), and a WhatsApp post without a well-formed signature is refused before its
body is read.
"""

import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.limits import MAX_BODY
from api.services import Services, channel_or_404, services_of
from bot.channels.intake import StoreDown

router = APIRouter(tags=["webhooks"])
ServicesDep = Annotated[Services, Depends(services_of)]
RETRY_LATER = "the update could not be stored; deliver it again later"
STORED = b'{"ok":true}'


@router.post("/telegram/webhook", responses={200: {"content": {"application/json": {}}}})
async def telegram_webhook(request: Request) -> Response:
    """Telegram's updates, with the secret token it was given in the
    `X-Telegram-Bot-Api-Secret-Token` header. The hot path: no dependency to solve and a
    ready-made answer (FastAPI's dependency and response machinery cost more CPU than
    Telegram's update does)."""
    services = services_of(request)
    channel = channel_or_404(services.telegram, "Telegram")
    expected = services.settings.telegram_webhook_secret
    secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if expected and not hmac.compare_digest(secret.encode(), expected.get_secret_value().encode()):
        raise HTTPException(status_code=403, detail="wrong secret token")
    body = await _body(request)
    update = _json_object(body)
    if not isinstance(update.get("update_id"), int):
        raise HTTPException(status_code=400, detail="not a Telegram update (no update_id)")
    try:
        await channel.receive(update, body)
    except StoreDown:
        raise HTTPException(status_code=503, detail=RETRY_LATER) from None
    return Response(STORED, media_type="application/json")


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
    request: Request,
    services: ServicesDep,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
) -> Response:
    channel = channel_or_404(services.whatsapp, "WhatsApp")
    refused = channel.signature_refusal(signature)
    if refused:  # before reading a byte of the body
        return PlainTextResponse(refused, status_code=403)
    try:
        text, status = await channel.receive(await _body(request), signature)
    except StoreDown:
        return JSONResponse({"detail": RETRY_LATER}, status_code=503)
    return PlainTextResponse(text, status_code=status)


async def _body(request: Request) -> bytes:
    """The body, read chunk by chunk and given up on past the limit."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HTTPException(status_code=413, detail=f"body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise HTTPException(status_code=400, detail="body is not JSON") from None
    if not isinstance(data, dict):
        raise HTTPException(status_code=400, detail="body is not a JSON object")
    return data
