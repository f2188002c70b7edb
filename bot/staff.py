"""Staff accounts for the console: argon2 passwords, lock-out after repeated failures, and
sessions whose cookie value is kept only as a SHA-256 (like admin tokens)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin_tokens import ROLES
from bot.clock import utcnow
from bot.store.models import AuditEntry, StaffAccount, StaffSession

MAX_FAILURES = 5
LOCK_OUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# verified against when the email is unknown, so both answers take the same time
_DECOY = _hasher.hash("not a password of anyone")


class StaffError(ValueError):
    """A refused account change (bad role, short password, unknown email)."""


@dataclass(frozen=True)
class Login:
    account: StaffAccount | None
    refusal: str | None = None  # "invalid" or "locked"


@dataclass(frozen=True)
class Opened:
    """A new session: the cookie value (given to the browser once) and its CSRF token."""

    cookie: str
    csrf_token: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _normal(email: str) -> str:
    return email.strip().lower()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"a password has at least {MIN_PASSWORD} characters")


async def create(
    session: AsyncSession, *, email: str, name: str, role: str, password: str, actor: str = "cli"
) -> StaffAccount:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254:
        raise StaffError("an email address is expected")
    _check_password(password)
    if await find(session, email) is not None:
        raise StaffError(f"{_normal(email)} already has an account")
    account = StaffAccount(
        email=_normal(email),
        name=name.strip()[:80] or _normal(email),
        role=role,
        password_hash=await asyncio.to_thread(_hasher.hash, password),
        failed_logins=0,
    )
    session.add(account)
    session.add(AuditEntry(actor=actor, action="staff.create", target=f"{account.email} ({role})"))
    await session.flush()
    return account


async def find(session: AsyncSession, email: str) -> StaffAccount | None:
    return await session.scalar(select(StaffAccount).where(StaffAccount.email == _normal(email)))


async def listing(session: AsyncSession) -> list[StaffAccount]:
    return list(await session.scalars(select(StaffAccount).order_by(StaffAccount.id)))


async def reset_password(
    session: AsyncSession, *, email: str, password: str, actor: str = "cli"
) -> StaffAccount:
    """A new password; it also lifts a lock-out and ends the account's sessions."""
    _check_password(password)
    account = await find(session, email)
    if account is None:
        raise StaffError(f"no account for {_normal(email)}")
    account.password_hash = await asyncio.to_thread(_hasher.hash, password)
    account.failed_logins, account.locked_until = 0, None
    await session.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
    session.add(AuditEntry(actor=actor, action="staff.reset_password", target=account.email))
    return account


async def set_disabled(
    session: AsyncSession, *, email: str, disabled: bool, actor: str = "cli"
) -> StaffAccount:
    """Someone who left: no login, and their open sessions end now (enabled again later if
    need be, with the same password)."""
    account = await find(session, email)
    if account is None:
        raise StaffError(f"no account for {_normal(email)}")
    account.disabled_at = utcnow() if disabled else None
    await session.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
    action = "staff.disable" if disabled else "staff.enable"
    session.add(AuditEntry(actor=actor, action=action, target=account.email))
    return account


async def authenticate(session: AsyncSession, *, email: str, password: str) -> Login:
    """The account for this email and password; after MAX_FAILURES wrong passwords in a row
    the account is locked for LOCK_OUT, even for the right password."""
    account = await find(session, email)
    if account is None or account.disabled_at is not None:
        await _verified(_DECOY, password)
        return Login(None, "invalid")
    now = utcnow()
    if account.locked_until is not None and account.locked_until > now:
        return Login(None, "locked")
    if not await _verified(account.password_hash, password):
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILURES:
            account.failed_logins, account.locked_until = 0, now + LOCK_OUT
            session.add(AuditEntry(actor=account.email, action="staff.locked", target="console"))
            return Login(None, "locked")
        return Login(None, "invalid")
    account.failed_logins, account.locked_until = 0, None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = await asyncio.to_thread(_hasher.hash, password)
    return Login(account)


async def _verified(password_hash: str, password: str) -> bool:
    """Checked in a thread: argon2 takes tens of milliseconds of CPU (by design), which the
    event loop must not wait through."""

    def verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


async def open_session(session: AsyncSession, account: StaffAccount) -> Opened:
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    await session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    session.add(
        StaffSession(
            account_id=account.id,
            token_hash=_digest(cookie),
            csrf_token=csrf,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.add(AuditEntry(actor=account.email, action="staff.login", target="console"))
    return Opened(cookie, csrf)


async def session_for(
    session: AsyncSession, cookie: str
) -> tuple[StaffSession, StaffAccount] | None:
    """The live session and its (enabled) account for a cookie value, or None."""
    if not cookie or len(cookie) > 200:
        return None
    row = (
        await session.execute(
            select(StaffSession, StaffAccount)
            .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
            .where(
                StaffSession.token_hash == _digest(cookie),
                StaffSession.expires_at > utcnow(),
                StaffAccount.disabled_at.is_(None),
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def close_session(session: AsyncSession, cookie: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(cookie)))
