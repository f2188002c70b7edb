"""Who calls the admin API: a bearer token (machines) or a console session cookie (people,
with a CSRF token header on unsafe methods); roles; a per-caller rate limit."""

from __future__ import annotations

import hmac
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.services import services_of
from bot import admin_tokens, staff
from bot.channels.service import Services
from bot.store.models import AdminToken, StaffAccount, StaffSession

WINDOW_SECONDS = 60.0
SESSION_COOKIE = "__Host-fadaa_console"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# declared in /openapi.json (so /docs has "Authorize"); refusals stay ours, hence auto_error
bearer = HTTPBearer(
    scheme_name="bearer",
    description="an admin API token (`fadaa admin create-token NAME ROLE`)",
    auto_error=False,
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@dataclass(frozen=True)
class Caller:
    token_id: int  # the token's id, or the staff account's id for a console session
    name: str
    role: str
    via: str = "token"  # "token" or "console"


class RateLimiter:
    """At most `per_minute` requests per key (a token, a chat session, an address) in any
    sliding minute (per process)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.calls: dict[Hashable, deque[float]] = defaultdict(deque)
        self._swept = time.monotonic()

    def allow(self, key: Hashable) -> bool:
        now = time.monotonic()
        if now - self._swept > WINDOW_SECONDS:
            self._forget_quiet(now)
        calls = self.calls[key]
        while calls and now - calls[0] > WINDOW_SECONDS:
            calls.popleft()
        if len(calls) >= self.per_minute:
            return False
        calls.append(now)
        return True

    def _forget_quiet(self, now: float) -> None:
        """Keys (chat sessions, addresses) with no call in the last minute cost nothing."""
        self.calls = defaultdict(
            deque, {k: c for k, c in self.calls.items() if c and now - c[-1] <= WINDOW_SECONDS}
        )
        self._swept = now


def require(*roles: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting the given roles (admins are admitted everywhere), by bearer
    token or by console session (whose unsafe requests must carry the CSRF token)."""

    async def caller(request: Request, credentials: Credentials) -> Caller:
        found = await _identify(request, credentials)
        if found.role != "admin" and found.role not in roles:
            raise HTTPException(403, f"the {found.role} role cannot do this")
        if not request.app.state.rate_limiter.allow((found.via, found.token_id)):
            raise HTTPException(429, "too many requests for this caller; wait a minute")
        return found

    return caller


async def _identify(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    if "authorization" not in request.headers and SESSION_COOKIE in request.cookies:
        return await _console_caller(request)
    if credentials is None or not credentials.credentials.strip():
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    # the body guard has already looked the token up, before any body was read
    row = getattr(request.state, "admin_token", None) or await token_row(
        services_of(request), credentials.credentials.strip()
    )
    if row is None:
        raise HTTPException(401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return Caller(row.id, row.name, row.role)


async def _console_caller(request: Request) -> Caller:
    found = getattr(request.state, "staff_session", None) or await session_row(
        services_of(request), request.cookies[SESSION_COOKIE]
    )
    if found is None:
        raise HTTPException(401, "your console session has ended; log in again")
    login, account = found
    if request.method not in SAFE_METHODS and not hmac.compare_digest(
        request.headers.get(CSRF_HEADER, ""), login.csrf_token
    ):
        raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header")
    return Caller(account.id, account.name, account.role, via="console")


async def session_row(
    services: Services | None, cookie: str
) -> tuple[StaffSession, StaffAccount] | None:
    """The live console session for a cookie value, or None."""
    if services is None:
        return None
    async with services.db.transaction() as session:
        return await staff.session_for(session, cookie)


async def token_row(services: Services | None, token: str) -> AdminToken | None:
    """The active token row, or None; tokens too long to be ours are not looked up."""
    if services is None or len(token) > 200:
        return None
    async with services.db.transaction() as session:
        return await admin_tokens.find(session, token)


Editor = Annotated[Caller, Depends(require("editor"))]
Admin = Annotated[Caller, Depends(require("admin"))]
