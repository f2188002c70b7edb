"""The staff console in the browser: login and logout (session cookie + CSRF token), the
page shell, live queue updates (SSE) and charts as SVG. Everything else the console does,
it does through the admin API's JSON routes, with the same roles."""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import AsyncIterator
from pathlib import Path
from string import Template
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from api.auth import SESSION_COOKIE, Caller, require, session_row
from api.charts import CHARTS
from api.services import services_of
from bot import insights, staff
from bot.channels.service import Services
from bot.content import known_intents, read_yaml
from bot.handoff import inbox

STATIC = Path(__file__).resolve().parent / "static" / "console"
POLL_SECONDS = 1.0
STREAM_SECONDS = 300.0  # the browser reconnects by itself; a shutdown never waits long
router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)
static = StaticFiles(directory=STATIC)
ServicesDep = Annotated[Services, Depends(services_of)]
AdvisorCaller = Annotated[Caller, Depends(require("advisor"))]
EditorCaller = Annotated[Caller, Depends(require("editor"))]
StaffCaller = Annotated[Caller, Depends(require("advisor", "editor"))]
REFUSAL_STATUS = {"invalid": 401, "locked": 429, "throttled": 429, "origin": 403}
REFUSALS: dict[str, str] = read_yaml(Path(__file__).with_name("console_texts.yaml"))[
    "login_refusals"
]


def _page(page: str, status: int = 200, **values: str) -> HTMLResponse:
    text = Template((STATIC / page).read_text(encoding="utf-8")).substitute(
        {k: html.escape(v) for k, v in values.items()}
    )
    return HTMLResponse(
        text,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
            "style-src 'self'; frame-ancestors 'none'",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
        },
    )


def _login_page(refusal: str | None = None) -> HTMLResponse:
    message = REFUSALS.get(refusal or "", "")
    return _page(
        "login.html",
        REFUSAL_STATUS.get(refusal or "", 200),
        error=message,
        hidden="" if message else "hidden",
    )


@router.get("")
async def console(request: Request, services: ServicesDep) -> HTMLResponse:
    """The console for a logged-in person, the login page for anyone else."""
    found = await session_row(services, request.cookies.get(SESSION_COOKIE, ""))
    if found is None:
        return _login_page()
    login, account = found
    return _page("console.html", csrf=login.csrf_token, name=account.name, role=account.role)


@router.post("/login", response_model=None)
async def log_in(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    if not _same_origin(request, services.settings.public_url):
        return _login_page("origin")
    # before the password is checked: one address trying many accounts (which the
    # per-account lock-out cannot see) is slowed, and argon2's CPU is not theirs to spend
    address = request.client.host if request.client else "unknown"
    if not request.app.state.login_limiter.allow(("login", address)):
        return _login_page("throttled")
    async with services.db.transaction() as session:
        login = await staff.authenticate(session, email=email, password=password)
        opened = await staff.open_session(session, login.account) if login.account else None
    if opened is None:
        return _login_page(login.refusal)
    response = RedirectResponse("/console", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.cookie,
        max_age=int(staff.SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/logout")
async def log_out(request: Request, caller: StaffCaller, services: ServicesDep) -> Response:
    async with services.db.transaction() as session:
        await staff.close_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


def _same_origin(request: Request, public_url: str | None) -> bool:
    """A login form posted from another site is refused (login CSRF); behind a proxy the
    page's origin is the public URL or the forwarded host."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser form: curl, scripts
    ours = {request.headers.get("host"), request.headers.get("x-forwarded-host")}
    if public_url:
        ours.add(urlsplit(public_url).netloc)
    return urlsplit(origin).netloc in ours - {None, ""}


@router.get("/content")
async def find_content(
    caller: EditorCaller,
    services: ServicesDep,
    q: Annotated[str, Query(max_length=200)] = "",
    topic: Annotated[str, Query(max_length=80)] = "",
) -> dict[str, Any]:
    """Content items whose id, title or text (any language) contains `q`, in a topic (file)."""
    items = sorted(services.engine.content.items.values(), key=lambda i: i.id)
    needle = q.strip().casefold()
    found = []
    for item in items:
        if topic and item.file.removesuffix(".yaml") != topic:
            continue
        texts = [item.id, *item.title.values(), *item.text.values()]
        hit = next((t for t in texts if needle in t.casefold()), None) if needle else ""
        if hit is None:
            continue
        found.append(
            {"id": item.id, "file": item.file, "title": item.title.get("fr", item.id)}
            | {"excerpt": _excerpt(hit, needle) if needle else ""}
        )
    topics = sorted({i.file.removesuffix(".yaml") for i in items})
    return {"items": found, "topics": topics}


def _excerpt(text: str, needle: str, width: int = 60) -> str:
    at = text.casefold().find(needle)
    start = max(0, at - width // 2)
    return ("…" if start else "") + text[start : start + width].replace("\n", " ") + "…"


@router.get("/intents")
async def intents(caller: EditorCaller) -> list[str]:
    """What a training phrase may be labelled with."""
    return list(known_intents())


@router.get("/events")
async def queue_events(request: Request, caller: AdvisorCaller, services: ServicesDep) -> Response:
    """Server-sent events: the queue's counts and unread messages, each time they change."""

    cookie = request.cookies.get(SESSION_COOKIE, "")

    async def stream() -> AsyncIterator[str]:
        last = None
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_SECONDS
        yield "retry: 2000\n\n"
        while loop.time() < ends and not await request.is_disconnected():
            async with services.db.transaction() as session:
                if caller.via == "console" and not await staff.session_for(session, cookie):
                    return  # logged out or password reset: the stream ends with the session
                now = await inbox.snapshot(session)
            if now != last:
                last = now
                yield f"event: queue\ndata: {json.dumps(now)}\n\n"
            await asyncio.sleep(POLL_SECONDS)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/charts/{name}.svg")
async def chart(
    name: str,
    caller: EditorCaller,
    services: ServicesDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> Response:
    draw = CHARTS.get(name)
    if draw is None:
        raise HTTPException(404, f"no chart {name} (try: {', '.join(CHARTS)})")
    async with services.db.transaction() as session:
        data = await insights.summary(
            session, days=days, fallback_below=services.settings.clarify_threshold
        )
    return Response(draw(data), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
