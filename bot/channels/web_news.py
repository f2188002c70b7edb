"""Waking the web chat's open streams when their session has a new reply.

A reply queued by this process wakes its session's streams at once. Replies queued anywhere
else (an advisor's answer, a reminder, another web process) are found by one watcher per
process that reads the web rows added to the outbox since its last look, every
FADAA_WEB_POLL_SECONDS: one small query per process, however many streams are open (none
while no stream is open, as in a worker), and only the sessions concerned wake up. A row
committed after a later one was seen (possible with several writers) is found by the
stream's own slower look (STREAM_LOOKS_EVERY).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import func, select

from bot.store.database import Database
from bot.store.models import OutboxItem
from bot.tasks import stopped_within

log = logging.getLogger(__name__)
LOOK_AT_MOST = 1000  # rows per look; more wait for the next one
STREAM_LOOKS_EVERY = 10  # times FADAA_WEB_POLL_SECONDS: a stream reads the store itself


class SessionNews:
    def __init__(self, db: Database, channel: str) -> None:
        self.db = db
        self.channel = channel
        self._events: dict[str, asyncio.Event] = {}
        self._listeners: Counter[str] = Counter()
        self._seen = -1  # the newest outbox id looked at; -1: not looking (no stream open)

    def wake(self, session_ids: Iterable[str]) -> None:
        for session_id in session_ids:
            event = self._events.pop(session_id, None)
            if event is not None:
                event.set()

    async def wait(self, session_id: str, seconds: float) -> None:
        """Until the session has news, or `seconds` pass."""
        event = self._events.setdefault(session_id, asyncio.Event())
        self._listeners[session_id] += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), seconds)
        finally:
            self._listeners[session_id] -= 1
            if not self._listeners[session_id]:
                del self._listeners[session_id]
                self._events.pop(session_id, None)

    async def watch(self, stopping: asyncio.Event, every: float) -> None:
        """Wake the sessions whose replies were queued elsewhere, until asked to stop."""
        while not await stopped_within(stopping, every):
            try:
                await self.look()
            except Exception:  # noqa: BLE001 — streams still look for themselves now and then
                log.exception("could not look for new web chat replies")

    async def look(self) -> None:
        if not self._events:  # no stream open here (a worker, a quiet night): no query
            self._seen = -1
            return
        if self._seen < 0:  # streams opened since the last look: each reads the store once more
            self._seen = await self._newest()
            self.wake(list(self._events))
            return
        async with self.db.transaction() as session:
            rows = (
                # every channel's new rows, read once: the primary key's range, no more
                await session.execute(
                    select(OutboxItem.id, OutboxItem.channel, OutboxItem.recipient)
                    .where(OutboxItem.id > self._seen)
                    .order_by(OutboxItem.id)
                    .limit(LOOK_AT_MOST)
                )
            ).all()
        if rows:
            self._seen = rows[-1].id
            self.wake({row.recipient for row in rows if row.channel == self.channel})

    async def _newest(self) -> int:
        async with self.db.transaction() as session:
            return await session.scalar(select(func.max(OutboxItem.id))) or 0
