"""The web chat: anonymous sessions with signed tokens, messages in through HTTP, replies out
as events read from the outbox.

The outbox is the web client's mailbox: a reply is queued like any other, and an event
stream reads the session's rows in order (each row's id is the event id, so a client that
reconnects with Last-Event-ID gets what it missed). Any web process can serve any session:
streams read the store, woken at once by a message handled in this process, and by one
watcher per process for the rest (advisors' replies, reminders, another process; see
web_news.py). A row read by a stream is marked sent; the farewell to an erased session is
deleted once read.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import web_links
from bot.channels.intake import handle_or_keep, storable
from bot.channels.web_news import STREAM_LOOKS_EVERY, SessionNews
from bot.channels.web_page import bot_event, user_event, with_tapped_titles
from bot.channels.web_sessions import SessionRefused, SessionTokens, WebSession, session_secret
from bot.clock import utcnow
from bot.config import Settings
from bot.engine import Engine
from bot.handoff import attachments
from bot.messages import Attachment, Inbound, Outbound
from bot.store import repo
from bot.store.locks import only_one
from bot.store.models import Message, OutboxItem, User, WebLink
from bot.tasks import stopped_within
from bot.web_links import CODE_LIFETIME

CHANNEL = "web"
EVENTS_PER_READ = 50
HISTORY_LENGTH = 200
EXPIRED_PER_ROUND = 200
log = logging.getLogger(__name__)
__all__ = ["CHANNEL", "SessionRefused", "WebChannel", "WebSession"]


class WebChannel:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.tokens = SessionTokens(session_secret(settings))
        self.news = SessionNews(engine.db, CHANNEL)

    def open_session(self) -> str:
        token, _session = self.tokens.issue(utcnow())
        return token

    async def session_of(self, token: str) -> WebSession:
        """The token's session, unless it was idle longer than the settings allow."""
        session = self.tokens.read(token)
        async with self.engine.db.transaction() as db:
            last_seen = await db.scalar(
                select(User.last_seen_at).where(
                    User.channel == CHANNEL, User.channel_user_id == session.id
                )
            )
        active = max(session.issued_at, last_seen or session.issued_at)
        if utcnow() - active > timedelta(days=self.settings.web_session_idle_days):
            raise SessionRefused("this chat session expired; start a new one")
        return session

    async def receive(
        self,
        session: WebSession,
        *,
        client_id: str,
        text: str = "",
        payload: str | None = None,
        language: str | None = None,
    ) -> int:
        """Handle one message; its replies wait in the outbox for the session's streams.
        The same client id sent twice is answered once. Returns how many replies."""
        inbound = Inbound(
            channel=CHANNEL,
            user_id=session.id,
            message_id=f"{session.id}:{client_id}",
            text=text,
            payload=payload,
            language_hint=language,
        )
        replies: list[Outbound] = []

        async def handle() -> None:
            replies.extend(await self.engine.handle(storable(inbound)))

        # as the webhooks do: StoreDown when nothing could be written, and a message the
        # engine cannot handle is kept for a person to look at
        body = json.dumps({"text": text, "payload": payload}, ensure_ascii=False).encode()
        await handle_or_keep(self.engine.db, channel=CHANNEL, body=body, handle=handle)
        self.news.wake([session.id])
        return len(replies)

    async def wait_for_news(self, session: WebSession, at_most: float) -> None:
        """Until this session has a new reply, or a while: then the stream looks itself."""
        seconds = self.settings.web_poll_seconds * STREAM_LOOKS_EVERY
        await self.news.wait(session.id, min(seconds, at_most))

    async def events_after(self, session: WebSession, after: int) -> list[dict[str, Any]]:
        """The session's replies queued after event `after`, marked as delivered."""
        async with self.engine.db.transaction() as db:
            rows = (
                await db.execute(
                    select(OutboxItem.id, OutboxItem.body, OutboxItem.status, OutboxItem.user_id)
                    .where(
                        OutboxItem.channel == CHANNEL,
                        OutboxItem.recipient == session.id,
                        OutboxItem.id > after,
                    )
                    .order_by(OutboxItem.id)
                    .limit(EVENTS_PER_READ)
                )
            ).all()
            await _mark_read(db, [r for r in rows if r.status in ("pending", "sending")])
            language = await _language(db, session) if rows else None
        return [bot_event(row.id, row.body) | {"lang": language} for row in rows]

    async def file_of(self, session: WebSession, row_id: int) -> Attachment | None:
        """The file an advisor sent to this session in reply `row_id`, if any."""
        async with self.engine.db.transaction() as db:
            body = await db.scalar(
                select(OutboxItem.body).where(
                    OutboxItem.id == row_id,
                    OutboxItem.channel == CHANNEL,
                    OutboxItem.recipient == session.id,
                )
            )
        return Outbound.from_dict(body).attachment if body else None

    async def history(self, session: WebSession) -> tuple[list[dict[str, Any]], int, str | None]:
        """The conversation so far (the user's messages and the replies), oldest first, the
        id of the last reply (the stream goes on from there), and the conversation's language."""
        async with self.engine.db.transaction() as db:
            user_id, language = (
                await db.execute(
                    select(User.id, User.language).where(
                        User.channel == CHANNEL, User.channel_user_id == session.id
                    )
                )
            ).one_or_none() or (None, None)
            said = (
                await db.execute(
                    select(Message.created_at, Message.text, Message.payload)
                    .where(Message.user_id == user_id, Message.direction == "in")
                    .order_by(Message.id.desc())
                    .limit(HISTORY_LENGTH)
                )
            ).all()
            replies = (
                await db.execute(
                    select(OutboxItem.id, OutboxItem.created_at, OutboxItem.body)
                    .where(OutboxItem.channel == CHANNEL, OutboxItem.recipient == session.id)
                    .order_by(OutboxItem.id.desc())
                    .limit(HISTORY_LENGTH)
                )
            ).all()
        timeline = [(r.created_at, 1, r.id, bot_event(r.id, r.body)) for r in replies]
        timeline += [(m.created_at, 0, 0, user_event(m.text, m.payload)) for m in said]
        timeline.sort(key=lambda entry: entry[:3])
        cursor = max((r.id for r in replies), default=0)
        events = with_tapped_titles([entry[3] for entry in timeline])[-HISTORY_LENGTH:]
        return events, cursor, language

    async def forget_expired(self) -> int:
        """Erase the conversations of sessions idle past the limit (no token reaches them
        any more), link codes too old to use, and unread farewells; returns how many
        conversations."""
        now = utcnow()
        idle = now - timedelta(days=self.settings.web_session_idle_days)
        async with self.engine.db.transaction() as db:
            if not await only_one(db, "web-expiry"):
                return 0  # another process is doing it
            expired = (
                await db.scalars(
                    select(User.channel_user_id)
                    .where(User.channel == CHANNEL, User.last_seen_at < idle)
                    .limit(EXPIRED_PER_ROUND)
                )
            ).all()
            for session_id in expired:
                user_id = await repo.erase_user_silently(
                    db,
                    channel=CHANNEL,
                    channel_user_id=session_id,
                    desk=self.engine.handoffs.desk_recipient,
                )
                if user_id is not None:
                    attachments.forget_user(self.settings.data_dir, user_id)
            await db.execute(delete(WebLink).where(WebLink.created_at < now - CODE_LIFETIME))
            # a farewell to an erased session that no open page read
            await db.execute(
                delete(OutboxItem).where(
                    OutboxItem.channel == CHANNEL,
                    OutboxItem.user_id.is_(None),
                    OutboxItem.created_at < now - CODE_LIFETIME,
                )
            )
        return len(expired)

    async def keep_tidy(self, stopping: asyncio.Event, every: float = 3600.0) -> None:
        while not await stopped_within(stopping, every):
            try:
                while await self.forget_expired() == EXPIRED_PER_ROUND:
                    pass
            except Exception:  # noqa: BLE001 — tried again next round
                log.exception("could not forget expired web chat sessions")

    async def continue_links(self, session: WebSession) -> dict[str, str | None]:
        """Links to Telegram and WhatsApp that carry this conversation over (one code)."""
        async with self.engine.db.transaction() as db:
            code = await web_links.new_code(db, web_session_id=session.id)
        return web_links.links_for(
            code,
            telegram_bot=self.settings.telegram_bot_username,
            whatsapp_number=self.settings.whatsapp_number,
        )


async def _language(db: AsyncSession, session: WebSession) -> str | None:
    return await db.scalar(
        select(User.language).where(User.channel == CHANNEL, User.channel_user_id == session.id)
    )


async def _mark_read(db: AsyncSession, rows: list[Any]) -> None:
    if not rows:
        return
    now = utcnow()
    await db.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_([r.id for r in rows]))
        .values(status="sent", sent_at=now, attempts=OutboxItem.attempts + 1)
    )
    # the farewell to an erased session: read, then forgotten like the rest
    farewells = [r.id for r in rows if r.user_id is None]
    if farewells:
        await db.execute(delete(OutboxItem).where(OutboxItem.id.in_(farewells)))


# The page's own words (the conversation's come from the flows); keys are the page's names.
