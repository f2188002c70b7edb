"""What the advisors' group adapter asks of the core, in one short transaction each: an
advisor's message in a topic, and a handoff's topic (its thread id is kept here, as the
Bot API cannot list topics). The adapter itself only translates and sends."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import update

from bot.handoff.attachments import Keeping, Upload
from bot.handoff.desk import AdvisorDesk
from bot.handoff.queue import HandoffQueue
from bot.store.database import Database
from bot.store.models import Handoff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupMessage:
    """An advisor's message in a topic, as the group adapter read it."""

    advisor_telegram_id: int
    thread_id: int
    command: str | None
    text: str
    key: str  # the update's id: a redelivered update does nothing
    file: Upload | None = None  # a photo or PDF the advisor posted, checked
    file_refused: str | None = None  # why a file the advisor posted cannot be sent


@dataclass(frozen=True)
class Topic:
    handoff_id: int
    title: str
    thread_id: int | None
    summary: str


class GroupDesk:
    def __init__(self, db: Database, desk: AdvisorDesk, queue: HandoffQueue) -> None:
        self.db, self.desk, self.queue = db, desk, queue

    async def advisor_wrote(self, message: GroupMessage) -> bool:
        """Do what a registered advisor wrote in a handoff's topic; False when it is
        ignored (not an advisor, or not a handoff's topic). A posted file is kept only if
        its reply goes out."""
        with Keeping(self.desk.settings.data_dir) as files:
            async with self.db.transaction() as session:
                advisor = await self.desk.telegram_advisor(session, message.advisor_telegram_id)
                if advisor is None:
                    log.info("ignored a message from someone who is not a registered advisor")
                    return False
                handoff = await self.desk.in_thread(session, message.thread_id)
                if handoff is None:
                    return False
                refusal = await self.desk.act(
                    session,
                    handoff,
                    advisor,
                    command=message.command,
                    text=message.text,
                    key=message.key,
                    attachment=files.keep(handoff.user_id, message.file),
                    file_refused=message.file_refused,
                )
                files.sent = refusal is None
        return True

    async def topic(self, handoff_id: int) -> Topic | None:
        """The handoff's topic; None when the user erased their data meanwhile."""
        async with self.db.transaction() as session:
            handoff = await session.get(Handoff, handoff_id)
            if handoff is None:
                return None
            return Topic(handoff.id, handoff.topic, handoff.thread_id, handoff.summary)

    async def topic_opened(self, handoff_id: int, thread_id: int) -> bool:
        """Keep the topic's thread id; False when the handoff is gone (erased)."""
        async with self.db.transaction() as session:
            stored = await session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id)
                .values(thread_id=thread_id)
                .returning(Handoff.id)
            )
            return stored.first() is not None

    async def unreachable(self, handoff_id: int) -> None:
        """The group cannot be reached: a waiting user is told (once)."""
        async with self.db.transaction() as session:
            await self.queue.tell_unreachable(session, handoff_id)
