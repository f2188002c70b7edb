"""What protects the web chat: CORS for configured origins only, rate limits per session and
per address, and the page's security headers (a strict Content-Security-Policy)."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.middleware.cors import CORSMiddleware

from api.auth import RateLimiter
from api.limits import ASGIApp, Receive, Scope, Send
from bot.config import Settings

WEB_API = "/web/"


class WebCors:
    """CORS headers on the web chat's API (`/web/…`) for FADAA_WEB_ORIGINS, and nowhere
    else: the admin API never answers a browser on another site."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(WEB_API):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class WebLimits:
    """Sliding-minute limits (per process): messages per session, and messages plus new
    sessions per address."""

    def __init__(self, settings: Settings) -> None:
        self.per_session = RateLimiter(settings.web_messages_per_minute)
        self.per_address = RateLimiter(settings.web_address_requests_per_minute)

    def check_address(self, request: Request) -> None:
        address = request.client.host if request.client else "unknown"
        if not self.per_address.allow(("address", address)):
            raise HTTPException(429, "too many requests from this address; wait a minute")

    def check_session(self, session_id: str) -> None:
        if not self.per_session.allow(("session", session_id)):
            raise HTTPException(429, "too many messages in this chat; wait a minute")


def page_headers(settings: Settings) -> dict[str, str]:
    """No inline script or style, nothing from another host except capsule videos (https),
    framed only by this service and the configured sites."""
    ancestors = " ".join(["'self'", *settings.web_origins])
    policy = "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "media-src 'self' https:",
            "connect-src 'self'",
            "manifest-src 'self'",
            f"frame-ancestors {ancestors}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
