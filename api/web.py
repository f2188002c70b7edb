"""The web chat's routes: the page, the embeddable widget, and the API the page speaks.

POST /web/sessions      -> {"token"}: a signed anonymous session, kept by the browser
POST /web/messages      {"text"} or {"payload"}, with an optional client "id" (dedup)
GET  /web/events        Server-Sent Events: each reply as JSON {id, text, dir, buttons, video}
GET  /web/history       the conversation so far, and the event id the stream goes on from
POST /web/link          links that carry the conversation over to Telegram or WhatsApp
GET  /chat, /widget.js  the page, and one <script> tag that embeds it on another site
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi import Path as InPath
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field, model_validator

from api.services import Services, services_of
from api.web_guard import WebLimits, page_headers
from bot.capsules import video_path
from bot.channels import web_page
from bot.channels.intake import StoreDown, is_outage
from bot.channels.web import SessionRefused, WebChannel, WebSession
from bot.clock import utcnow
from bot.handoff import attachments
from bot.i18n import LANGUAGES
from bot.store.models import Capsule

STATIC = Path(__file__).parent / "static" / "chat"
RTL = frozenset({"ary", "ar"})
router = APIRouter(tags=["web chat"])
ServicesDep = Annotated[Services, Depends(services_of)]


def channel_of(services: ServicesDep) -> WebChannel:
    if services.web is None:
        raise HTTPException(404, "the web chat is not enabled")
    return services.web


def limits_of(request: Request) -> WebLimits:
    return request.app.state.web_limits


Channel = Annotated[WebChannel, Depends(channel_of)]
Limits = Annotated[WebLimits, Depends(limits_of)]


async def session_of(
    channel: Channel,
    authorization: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> WebSession:
    """The bearer token's session (or `?token=`, for EventSource, which sends no header)."""
    scheme, _space, bearer = (authorization or "").partition(" ")
    given = bearer.strip() if scheme.lower() == "bearer" else (token or "")
    if not given:
        raise HTTPException(401, "missing chat session token", {"WWW-Authenticate": "Bearer"})
    try:
        return await channel.session_of(given)
    except SessionRefused as refused:
        raise HTTPException(401, str(refused), {"WWW-Authenticate": "Bearer"}) from None
    except Exception as error:
        if is_outage(error):
            raise HTTPException(503, "the chat is unavailable for a moment") from None
        raise


Session = Annotated[WebSession, Depends(session_of)]


class MessageIn(BaseModel):
    text: str | None = Field(default=None, max_length=4000)
    payload: str | None = Field(default=None, min_length=1, max_length=256)
    id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    language: str | None = Field(default=None, max_length=16)

    @model_validator(mode="after")
    def _text_or_payload(self) -> MessageIn:
        if (self.text is None) == (self.payload is None):
            raise ValueError('send either "text" or "payload"')
        return self


@router.post("/web/sessions", status_code=201)
async def open_session(request: Request, channel: Channel, limits: Limits) -> dict[str, str]:
    limits.check_address(request)
    return {"token": channel.open_session()}


@router.post("/web/messages", status_code=202)
async def post_message(
    body: MessageIn, request: Request, session: Session, channel: Channel, limits: Limits
) -> dict[str, Any]:
    limits.check_address(request)
    limits.check_session(session.id)
    client_id = body.id or f"server-{utcnow().timestamp()}"
    try:
        replies = await channel.receive(
            session,
            client_id=client_id,
            text=body.text or "",
            payload=body.payload,
            language=body.language,
        )
    except StoreDown:
        raise HTTPException(503, "the message could not be stored; send it again") from None
    # no reply (an advisor will answer, or the id was seen before): the page shows no typing
    return {"accepted": True, "id": client_id, "replies": replies}


@router.get("/web/history")
async def history(session: Session, channel: Channel) -> dict[str, Any]:
    messages, cursor, language = await channel.history(session)
    return {"messages": messages, "cursor": cursor, "language": language}


@router.get("/web/events", response_class=EventSourceResponse)
async def events(
    request: Request,
    session: Session,
    channel: Channel,
    after: Annotated[int, Query(ge=0)] = 0,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Replies as they are queued; a reconnecting browser sends Last-Event-ID and gets
    what it missed. The stream ends after a while and the browser comes back."""
    cursor = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
    deadline = time.monotonic() + channel.settings.web_stream_seconds
    yield ServerSentEvent(comment="connected", retry=2000)
    while time.monotonic() < deadline and not await request.is_disconnected():
        news = await channel.events_after(session, cursor)
        for event in news:
            cursor = event["id"]
            yield ServerSentEvent(data=event, id=str(cursor), event="message")
        if not news:
            await channel.wait_for_news(session, deadline - time.monotonic())


@router.post("/web/link")
async def continue_elsewhere(session: Session, channel: Channel) -> dict[str, str | None]:
    return await channel.continue_links(session)


@router.get("/web/capsules/{capsule_id}")
async def capsule_video(capsule_id: str, services: ServicesDep) -> Response:
    async with services.db.transaction() as db:
        capsule = await db.get(Capsule, capsule_id)
    path = capsule and video_path(capsule, services.settings.data_dir)
    if path and path.exists():
        return FileResponse(path, media_type="video/mp4")
    if capsule and capsule.video_url and capsule.video_url.startswith("https://"):
        return RedirectResponse(capsule.video_url)
    raise HTTPException(404, f"no video for capsule {capsule_id}")


@router.get("/web/files/{row_id}")
async def advisor_file(
    row_id: Annotated[int, InPath(ge=1, le=2**53)], session: Session, channel: Channel
) -> FileResponse:
    """A photo or PDF an advisor sent to this session (`?token=`, for links and images)."""
    attachment = await channel.file_of(session, row_id)
    try:
        path = attachments.path_of(channel.settings.data_dir, attachment) if attachment else None
    except LookupError:
        path = None
    if attachment is None or path is None:
        raise HTTPException(404, f"no file in reply {row_id}")
    return FileResponse(
        path,
        media_type=attachment.mime,
        filename=attachment.name,
        content_disposition_type="inline",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


@router.get("/chat", response_class=HTMLResponse)
async def chat_page(
    services: ServicesDep,
    _channel: Channel,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """The full page; its own words come in the browser's language (the conversation then
    speaks the user's)."""
    default = services.settings.default_language
    language = lang if lang in LANGUAGES else web_page.page_language(accept_language, default)
    texts = web_page.page_texts(language)
    every_language = {code: web_page.page_texts(code) for code in LANGUAGES}
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    values = {
        "lang": language,
        "dir": "rtl" if language in RTL else "ltr",
        # the page switches its own words when the conversation changes language
        "texts": json.dumps(every_language, ensure_ascii=False).replace("<", "\\u003c"),
        **{key: html.escape(text) for key, text in texts.items()},
    }
    for key, value in values.items():
        page = page.replace("{{%s}}" % key, value)  # noqa: UP031 — literal braces around
    return HTMLResponse(page, headers=page_headers(services.settings))


@router.get("/widget.js")
async def widget(_channel: Channel) -> FileResponse:
    return FileResponse(
        STATIC / "widget.js",
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/chat/assets/{name}")
async def asset(name: str, _channel: Channel) -> FileResponse:
    kinds = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    path = STATIC / name
    if path.suffix not in kinds or path.name != name or not path.is_file():
        raise HTTPException(404, "no such asset")
    return FileResponse(
        path,
        media_type=kinds[path.suffix],
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
