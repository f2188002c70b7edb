"""Dialogues with no engine and no database: each message is a `Turn` built in memory and
handed to `respond()`, the conversation kept between turns as the engine would store it.

For flows that need nothing stored (onboarding, menus, answers, questionnaires, the
reminder flow up to its effect). A turn's expectations are those of FORMAT.md, except
the ones that read the store (`advisor`, `reminder`, `no_reminder`); `effects: [Name]`
lists the effects the turn must ask the engine for (e.g. CreateReminder).
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.content import Content
from bot.dialogue import respond
from bot.effects import Effect
from bot.flows.base import Conversation, Turn
from bot.messages import Inbound, Outbound
from bot.nlu import understand
from tests.dialogues.runner import ZONE, Dialogue, DialogueRun, Outcome

STORE_KEYS = {"advisor", "reminder", "no_reminder"}
_ids = itertools.count(1)


class MemoryChat:
    """One user's conversation, held in memory; `effects` are the last turn's."""

    def __init__(self, content: Content, settings: Settings, channel: str = "telegram") -> None:
        self.content, self.settings, self.channel = content, settings, channel
        self.conversation = Conversation(language=None)
        self.effects: list[Effect] = []

    def send(
        self, text: str = "", *, payload: str | None = None, received_at: datetime | None = None
    ) -> list[Outbound]:
        inbound = Inbound(
            channel=self.channel,
            user_id="212600000001",
            message_id=f"m{next(_ids)}",
            text=text,
            payload=payload,
            **({"received_at": received_at} if received_at else {}),
        )
        turn = Turn(
            inbound, self.conversation, self.content, self.settings, zone=self.settings.timezone
        )
        replies = respond(turn, understand)
        self.conversation, self.effects = turn.conversation, turn.effects
        return replies


class MemoryDialogueRun(DialogueRun):
    """A dialogue file's turns through MemoryChat, checked as the store-backed runner does."""

    def __init__(self, content: Content, settings: Settings, dialogue: Dialogue) -> None:
        self.content = content
        self.dialogue = dialogue
        self.memory = MemoryChat(content, settings, dialogue.channel)
        self.last_buttons: list[tuple[str, str]] = []

    async def run(self) -> Outcome:
        used = {key for turn in self.dialogue.turns for key in turn.get("expect") or {}}
        if used & STORE_KEYS:
            return Outcome(self.dialogue, [f"{sorted(used & STORE_KEYS)} need the store"])
        return await super().run()

    async def _say(self, turn: dict[str, Any], moment: datetime) -> list[Outbound]:
        at = moment.astimezone(ZONE)
        if "press" in turn:
            return self.memory.send(payload=self._button(turn["press"]), received_at=at)
        return self.memory.send(str(turn["user"]), received_at=at)

    async def _check(self, expect: dict[str, Any], replies: list[Outbound]) -> list[str]:
        wanted = expect.get("effects") or []
        failures = await super()._check(
            {k: v for k, v in expect.items() if k != "effects"}, replies
        )
        asked = [type(effect).__name__ for effect in self.memory.effects]
        missing = [name for name in wanted if name not in asked]
        return failures + ([f"asked for {asked}, not {missing}"] if missing else [])
