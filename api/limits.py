"""Unauthenticated requests cost almost nothing: bodies are limited while they stream in
(never read whole before the size check), and the admin API checks the bearer token (or
the console's session cookie) before FastAPI reads and parses a body.

A pure ASGI middleware, because FastAPI reads a route's body before running its
dependencies (where the token used to be checked).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

from starlette.exceptions import HTTPException

from api.auth import SESSION_COOKIE, session_row, token_row

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1_000_000
MAX_WEB_BODY = 16 * 1024  # a chat message: 4000 characters of Arabic, and room to spare
MAX_UPLOAD = 16 * 1024 * 1024 + 64 * 1024  # a 16 MB video and its multipart framing
_UPLOADS = re.compile(r"^/admin/(capsules/[^/]+/video|handoffs/\d+/files)$")


def body_limit(path: str) -> int:
    if path.startswith("/web/"):
        return MAX_WEB_BODY
    return MAX_UPLOAD if _UPLOADS.match(path) else MAX_BODY


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"body larger than {limit} bytes")


class GuardedBodies:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, limit = scope["path"], body_limit(scope["path"])
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        if _declared_length(headers) > limit:
            await _answer(send, 413, f"body larger than {limit} bytes")
            return
        if path.startswith("/admin/") or path == "/admin":
            refused = await _check_caller(scope, headers)
            if refused:
                await _answer(send, 401, refused, {"www-authenticate": "Bearer"})
                return
        await self.app(scope, _counting(receive, limit), send)


def _declared_length(headers: dict[str, str]) -> int:
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0


def _counting(receive: Receive, limit: int) -> Receive:
    """Raises 413 as soon as more than `limit` bytes have arrived (chunked bodies too)."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


async def _check_caller(scope: Scope, headers: dict[str, str]) -> str | None:
    """None when the token or console session is known (kept for the route's role check),
    else the refusal."""
    services = getattr(scope["app"].state, "services", None)
    cookie = _session_cookie(headers.get("cookie", ""))
    if "authorization" not in headers and cookie:
        found = await session_row(services, cookie)
        if found is None:
            return "your console session has ended; log in again"
        scope.setdefault("state", {})["staff_session"] = found
        return None
    scheme, _space, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "missing bearer token"
    row = await token_row(services, token.strip())
    if row is None:
        return "unknown or revoked token"
    scope.setdefault("state", {})["admin_token"] = row
    return None


def _session_cookie(header: str) -> str | None:
    try:
        morsel = SimpleCookie(header).get(SESSION_COOKIE)
    except CookieError:
        return None
    return morsel.value if morsel else None


async def _answer(
    send: Send, status: int, detail: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
