"""Anonymous web chat sessions: a signed token the browser keeps; nothing stored until the
visitor writes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.clock import utcnow
from bot.config import Settings

SECRET_FILE = "web_session.key"


class SessionRefused(Exception):
    """The token is not ours, or its session was idle too long; the text says which."""


@dataclass(frozen=True)
class WebSession:
    id: str  # the channel user id of this browser's conversation
    issued_at: datetime


class SessionTokens:
    """`<session id>.<issued, unix seconds>.<HMAC-SHA256>`: nothing to store, nothing to
    guess; a token is only as good as the secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, now: datetime) -> tuple[str, WebSession]:
        session = WebSession(secrets.token_urlsafe(16), now)
        body = f"{session.id}.{int(now.timestamp())}"
        return f"{body}.{self._sign(body)}", session

    def read(self, token: str) -> WebSession:
        session_id, _dot, rest = token.strip().partition(".")
        issued, _dot, signature = rest.partition(".")
        if not (session_id and issued.isdigit() and signature) or len(token) > 200:
            raise SessionRefused("not a web chat session token")
        if not hmac.compare_digest(signature, self._sign(f"{session_id}.{issued}")):
            raise SessionRefused("not a web chat session token")
        return WebSession(session_id, datetime.fromtimestamp(int(issued), tz=utcnow().tzinfo))

    def _sign(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()[:43]


def session_secret(settings: Settings) -> bytes:
    """FADAA_WEB_SESSION_SECRET, or (in development) a random key kept in the data folder,
    so sessions outlive a restart."""
    if settings.web_session_secret:
        return settings.web_session_secret.get_secret_value().encode()
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()
