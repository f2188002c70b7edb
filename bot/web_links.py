"""Carrying a web chat conversation over to Telegram or WhatsApp, where reminders and news
can reach the user: the web page shows a link with a one-time code (t.me/<bot>?start=<code>,
wa.me/<number>?text=<code>); when the code arrives on the other channel, that user takes
the web conversation's language, state and pending reminders."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.store import repo
from bot.store.models import Reminder, User, WebLink

WEB_CHANNEL = "web"
CODE_LIFETIME = timedelta(days=2)
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to misread when copied by hand
_CODE = re.compile(r"^\s*(?:/start\s+)?(web-[a-z2-9]{10})\s*$")


def code_in(text: str) -> str | None:
    """The code in "/start web-…" (Telegram) or a message that is only the code (WhatsApp)."""
    match = _CODE.match(text or "")
    return match.group(1) if match else None


def links_for(
    code: str, *, telegram_bot: str | None, whatsapp_number: str | None
) -> dict[str, str | None]:
    return {
        "code": code,
        "telegram": f"https://t.me/{telegram_bot.lstrip('@')}?start={code}"
        if telegram_bot
        else None,
        "whatsapp": f"https://wa.me/{whatsapp_number.lstrip('+')}?text={quote(code)}"
        if whatsapp_number
        else None,
    }


async def new_code(session: AsyncSession, *, web_session_id: str) -> str:
    code = "web-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))
    session.add(WebLink(code=code, session_id=web_session_id, created_at=utcnow()))
    return code


async def carry_over(session: AsyncSession, *, code: str, to: User) -> bool:
    """Give `to` the web conversation behind an unused, fresh code; False if there is none.
    Called in the turn's transaction, before the turn reads its state."""
    link = await session.scalar(
        select(WebLink)
        .where(WebLink.code == code, WebLink.used_at.is_(None))
        .where(WebLink.created_at > utcnow() - CODE_LIFETIME)
        .with_for_update()
    )
    if link is None or to.channel == WEB_CHANNEL:
        return False
    link.used_at = utcnow()
    web_user = await session.scalar(
        select(User).where(User.channel == WEB_CHANNEL, User.channel_user_id == link.session_id)
    )
    if web_user is None:
        return True
    if web_user.language:  # the turn saves its user's row only where it changed it
        await repo.update_user(
            session,
            channel=to.channel,
            channel_user_id=to.channel_user_id,
            language=web_user.language,
        )
        to.language = web_user.language
    source = await repo.state_for(session, user=web_user)
    target = await repo.state_for(session, user=to)
    for column in ("flow", "step", "slots", "offered", "answers", "context"):
        setattr(target, column, getattr(source, column))
    await session.execute(
        update(Reminder)
        .where(Reminder.user_id == web_user.id, Reminder.status == "pending")
        .values(user_id=to.id)
    )
    await session.flush()  # the turn reads the state it was given with a Core query
    return True
