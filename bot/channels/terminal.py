"""A conversation in the terminal with the real engine and store (`fadaa chat`).

Buttons print as numbered options; the user answers with the number (Western or
Eastern Arabic digits), the label, or free text. A pasted Telegram deep link
(t.me/<bot>?start=intilaka) opens its topic as on Telegram. Arabic is printed in visual order on a
terminal (most do not apply the bidirectional algorithm) and in logical order to a pipe.
"""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from datetime import timedelta
from typing import TextIO

from arabic_reshaper import reshape
from bidi import get_display

from bot.engine import Engine
from bot.messages import Inbound
from bot.outbox import Delivery, deliver_pending, recover_claims
from bot.tasks import settle, stopped_within

CHANNEL = "terminal"
_ARABIC = ("\u0600", "\u06ff")
_DEEP_LINK = re.compile(r"(?:https?://)?t\.me/\w+\?start=([\w-]{1,64})")


def as_telegram_sends(line: str) -> str:
    """A pasted deep link ("https://t.me/<bot>?start=intilaka") becomes what Telegram sends
    when it is opened, "/start intilaka"; any other line is unchanged."""
    link = _DEEP_LINK.fullmatch(line.strip())
    return f"/start {link.group(1)}" if link else line


class TerminalChat:
    def __init__(
        self,
        engine: Engine,
        user_id: str,
        *,
        out: TextIO = sys.stdout,
        visual_rtl: bool = False,
        echo_input: bool = False,
    ) -> None:
        self.engine = engine
        self.user_id = user_id
        self.out = out
        self.visual_rtl = visual_rtl
        self.echo_input = echo_input
        self._pending_flush: asyncio.Task[None] | None = None

    async def run(self, source: TextIO = sys.stdin, *, follow: bool = False) -> None:
        """Deliver what a previous run left queued, then converse until end of input.

        Following, what arrives without typing (advisors' answers through the API of a
        `fadaa serve` on the same database, and reminders: see `flush_soon`) is printed
        as it arrives.
        """
        await recover_claims(self.engine.db, channel=CHANNEL, lease=timedelta(0))
        await self.flush()
        stopping, following = asyncio.Event(), []
        if follow:
            following.append(asyncio.create_task(self._follow(stopping)))
        try:
            while line := await asyncio.to_thread(source.readline):
                text = line.rstrip("\n")
                if self.echo_input:
                    self._print(f"> {text}")
                await self.say(text)
        finally:
            stopping.set()
            await settle([*following, *filter(None, [self._pending_flush])])

    async def _follow(self, stopping: asyncio.Event, every: float = 2.0) -> None:
        while not await stopped_within(stopping, every):
            await self.flush()

    def flush_soon(self) -> None:
        """Print what was queued (reminders that came due) without waiting for input."""
        self._pending_flush = asyncio.create_task(self.flush())

    async def say(self, text: str) -> None:
        inbound = Inbound(
            channel=CHANNEL,
            user_id=self.user_id,
            message_id=uuid.uuid4().hex,
            text=as_telegram_sends(text),
        )
        await self.engine.handle(inbound)
        await self.flush()

    async def flush(self) -> None:
        await deliver_pending(self.engine.db, channel=CHANNEL, deliver=self._show)

    async def _show(self, delivery: Delivery) -> None:
        outbound = delivery.outbound
        if outbound.video:
            self._print(f"[🎬 video: {outbound.video.capsule_id}]")
        self._print(f"Fadaa: {outbound.text}")
        for number, button in enumerate(outbound.buttons, start=1):
            numbered = button.title.startswith(f"{number}. ")  # a list's row: "1. …" already
            self._print(f"  {button.title}" if numbered else f"  {number}. {button.title}")
        self._print("")

    def _print(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.out.write(self._displayable(line) + "\n")
        self.out.flush()

    def _displayable(self, line: str) -> str:
        if self.visual_rtl and any(_ARABIC[0] <= c <= _ARABIC[1] for c in line):
            return str(get_display(reshape(line)))
        return line
