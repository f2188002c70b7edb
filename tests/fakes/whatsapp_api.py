"""A fake WhatsApp Cloud API (Graph) and realistic signed webhook payloads.

Payloads carry the business-scoped user id (`contacts[].user_id`, `messages[].from_user_id`)
that Meta added in April 2026.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

PHONE_ID = "106540352242922"
APP_SECRET = "wa-app-secret"
VOICE_MEDIA_ID = "1234567"
IMAGE_MEDIA_ID = "7654321"


class FakeGraph:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.failures: list[int] = []  # Graph error codes for the next calls
        self.failure_status = 400  # the HTTP status those errors come with
        # seconds between accepting a message and answering, like the real API's round trip:
        # a sender killed in that window has sent a message it never heard about
        self.latency = 0.0
        self.on_send: Callable[[dict[str, Any]], Awaitable[None]] | None = None  # a probe
        self._ids = itertools.count(1)
        self.app = FastAPI()
        self.uploads: list[str] = []  # the declared type of each upload
        self.uploaded: dict[str, dict[str, Any]] = {}  # media id → type, filename, content
        self.app.post("/{version}/{phone_id}/messages")(self._send)
        self.app.post("/{version}/{phone_id}/media")(self._upload)
        self.app.get("/whatsapp_business/attachments/")(self._download)
        self.app.get("/{version}/{media_id}")(self._media_url)
        self.media: dict[str, tuple[bytes, str]] = {
            VOICE_MEDIA_ID: (b"OggS-fake-voice", "audio/ogg"),
            IMAGE_MEDIA_ID: (b"\xff\xd8\xff-fake-jpeg", "image/jpeg"),
        }

    def texts(self) -> list[str]:
        return [m["text"]["body"] for m in self.messages if m["type"] == "text"]

    def interactive(self) -> list[dict[str, Any]]:
        return [m["interactive"] for m in self.messages if m["type"] == "interactive"]

    async def _upload(self, version: str, phone_id: str, request: Request) -> JSONResponse:
        form = await request.form()
        if form.get("messaging_product") != "whatsapp":
            return JSONResponse(
                {"error": {"message": "messaging_product is required", "code": 100}},
                status_code=400,
            )
        self.uploads.append(str(form.get("type") or "media"))
        media_id = str(1013859600285440 + len(self.uploads))
        file = form.get("file")
        if not isinstance(file, str) and file is not None:
            content = await file.read()
            self.uploaded[media_id] = {
                "type": str(form.get("type")),
                "filename": file.filename,
                "content": content,
            }
            self.media[media_id] = (content, str(form.get("type")))
        return JSONResponse({"id": media_id})

    async def _media_url(self, version: str, media_id: str) -> JSONResponse:
        if media_id not in self.media:
            return JSONResponse(
                {
                    "error": {
                        "message": "Unsupported get request",
                        "code": 100,
                        "type": "GraphMethodException",
                    }
                },
                status_code=400,
            )
        content, mime = self.media[media_id]
        return JSONResponse(
            {
                "url": f"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid={media_id}",
                "mime_type": mime,
                "sha256": hashlib.sha256(content).hexdigest(),
                "file_size": len(content),
                "id": media_id,
                "messaging_product": "whatsapp",
            }
        )

    async def _download(self, mid: str) -> Response:
        content, mime = self.media[mid]
        return Response(content, media_type=mime)

    async def _send(self, version: str, phone_id: str, request: Request) -> Response:
        try:
            body = await request.json()
        except ClientDisconnect:  # a sender killed mid-request: nothing was sent
            return Response(status_code=499)
        if self.failures:
            code = self.failures.pop(0)
            return JSONResponse(
                {
                    "error": {
                        "message": "fake failure",
                        "type": "OAuthException",
                        "code": code,
                        "fbtrace_id": "F",
                    }
                },
                status_code=self.failure_status,
            )
        self.messages.append(body)
        if self.on_send:
            await self.on_send(body)
        if self.latency:
            await asyncio.sleep(self.latency)
        recipient = body.get("recipient") or body.get("to")
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": recipient, "user_id": recipient}],
                "messages": [{"id": f"wamid.OUT{next(self._ids)}"}],
            }
        )


def signed(payload: dict, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}


def webhook(
    message: dict,
    bsuid: str = "MA.1234567890123",
    wa_id: str | None = "212612345678",
    name: str = "Fatima",
) -> dict:
    contact = {"profile": {"name": name}, "user_id": bsuid} | ({"wa_id": wa_id} if wa_id else {})
    message = (
        {"from_user_id": bsuid, "timestamp": str(int(time.time()))}
        | ({"from": wa_id} if wa_id else {})
        | message
    )
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "212522000000",
                                "phone_number_id": PHONE_ID,
                            },
                            "contacts": [contact],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


def text_message(wamid: str, text: str) -> dict:
    return {"id": wamid, "type": "text", "text": {"body": text}}


REPLY_CONTEXT = {"from": "212522000000", "id": "wamid.OUT1"}


def button_reply(wamid: str, payload: str, title: str = "…") -> dict:
    return {
        "id": wamid,
        "type": "interactive",
        "context": REPLY_CONTEXT,
        "interactive": {"type": "button_reply", "button_reply": {"id": payload, "title": title}},
    }


def list_reply(wamid: str, payload: str, title: str = "…") -> dict:
    return {
        "id": wamid,
        "type": "interactive",
        "context": REPLY_CONTEXT,
        "interactive": {"type": "list_reply", "list_reply": {"id": payload, "title": title}},
    }


def voice_message(wamid: str) -> dict:
    return {
        "id": wamid,
        "type": "audio",
        "audio": {
            "id": VOICE_MEDIA_ID,
            "mime_type": "audio/ogg; codecs=opus",
            "sha256": "x",
            "voice": True,
        },
    }


def image_message(wamid: str, caption: str | None = None) -> dict:
    image = {"id": IMAGE_MEDIA_ID, "mime_type": "image/jpeg", "sha256": "y"}
    return {
        "id": wamid,
        "type": "image",
        "image": image | ({"caption": caption} if caption else {}),
    }


def sign_bytes(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    """Headers for a body given as bytes (e.g. with JSON escapes json.dumps would not make)."""
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}


def failed_status(wamid: str, code: int, title: str = "Message undeliverable") -> dict:
    """WhatsApp's later report that a message it accepted could not be delivered."""
    payload = status_update()
    payload["entry"][0]["changes"][0]["value"]["statuses"] = [
        {
            "id": wamid,
            "status": "failed",
            "timestamp": "1764100000",
            "recipient_id": "212612345678",
            "recipient_user_id": "MA.1234567890123",
            "errors": [
                {"code": code, "title": title, "message": title, "error_data": {"details": title}}
            ],
        }
    ]
    return payload


def status_update() -> dict:
    payload = webhook(text_message("wamid.X", "x"))
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"], value["contacts"]
    value["statuses"] = [
        {
            "id": "wamid.OUT1",
            "status": "delivered",
            "timestamp": "1764100000",
            "recipient_id": "212612345678",
            "recipient_user_id": "MA.1234567890123",
        }
    ]
    return payload
