"""Bearer tokens with roles, and a per-token rate limit."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from api.services import services_of
from bot import admin_tokens
from bot.channels.service import Services
from bot.store.models import AdminToken

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Caller:
    token_id: int
    name: str
    role: str


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
    """A dependency admitting the given roles (admins are admitted everywhere)."""

    async def caller(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Caller:
        scheme, _space, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        # the body guard has already looked the token up, before any body was read
        row = getattr(request.state, "admin_token", None) or await token_row(
            services_of(request), token.strip()
        )
        if row is None:
            raise HTTPException(
                401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"}
            )
        if row.role != "admin" and row.role not in roles:
            raise HTTPException(403, f"the {row.role} role cannot do this")
        if not request.app.state.rate_limiter.allow(row.id):
            raise HTTPException(429, "too many requests for this token; wait a minute")
        return Caller(row.id, row.name, row.role)

    return caller


async def token_row(services: Services | None, token: str) -> AdminToken | None:
    """The active token row, or None; tokens too long to be ours are not looked up."""
    if services is None or len(token) > 200:
        return None
    async with services.db.transaction() as session:
        return await admin_tokens.find(session, token)


Editor = Annotated[Caller, Depends(require("editor"))]
Admin = Annotated[Caller, Depends(require("admin"))]
