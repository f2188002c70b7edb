"""Conversations as data: each turn of a dialogue file goes through the real engine and
store, and the reply is checked against what the file says it must contain or mean.

The format is described in tests/dialogues/FORMAT.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select

from bot.campaigns.consent import topics_of
from bot.engine import Engine
from bot.flows.answers import bulleted
from bot.handoff.status import ACTIVE_HANDOFF_STATUSES
from bot.messages import Outbound
from bot.nlu.normalize import normalize, strip_marks
from bot.store.models import Handoff, Reminder, User
from tests.chat import Chat

FOLDER = Path(__file__).parent
ZONE = ZoneInfo("Africa/Casablanca")
DEFAULT_START = datetime(2026, 12, 7, 10, 0)  # a Monday, advisors at work
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
ARABIC_SCRIPT_SLICES = {"ar", "ary"}
KEYS = {
    "item",
    "says_any",
    "says_all",
    "says_none",
    "buttons_any",
    "advisor",
    "reminder",
    "no_reminder",
    "any_script",
    "consents",
    "answered_in",
}


@dataclass
class Dialogue:
    file: str
    slice: str
    name: str
    turns: list[dict[str, Any]]
    channel: str = "telegram"
    start: datetime = DEFAULT_START

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


@dataclass
class Outcome:
    dialogue: Dialogue
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def load_dialogues(folder: Path = FOLDER) -> list[Dialogue]:
    dialogues = []
    for path in sorted(folder.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(folder))
        for raw in data["dialogues"]:
            start = datetime.fromisoformat(raw["now"]) if raw.get("now") else DEFAULT_START
            dialogues.append(
                Dialogue(
                    name,
                    data["slice"],
                    raw["name"],
                    raw["turns"],
                    raw.get("channel", "telegram"),
                    start,
                )
            )
    return dialogues


def _plain(text: str) -> str:
    return normalize(strip_marks(text))


class DialogueRun:
    """One dialogue, one brand-new user, one turn a minute from the dialogue's start."""

    def __init__(self, engine: Engine, dialogue: Dialogue, user_id: str) -> None:
        self.engine = engine
        self.content = engine.content
        self.dialogue = dialogue
        self.chat = Chat(engine, user_id=user_id, channel=dialogue.channel)
        self.last_buttons: list[tuple[str, str]] = []

    async def run(self) -> Outcome:
        outcome = Outcome(self.dialogue)
        for number, turn in enumerate(self.dialogue.turns, start=1):
            moment = (self.dialogue.start + timedelta(minutes=number - 1)).replace(tzinfo=ZONE)
            replies = await self._say(turn, moment)
            outcome.failures += [
                f"turn {number} ({turn.get('user', turn.get('press'))!r}): {f}"
                for f in await self._check(turn.get("expect") or {}, replies)
            ]
            buttons = [(b.payload, b.title) for o in replies for b in o.buttons]
            if buttons:
                self.last_buttons = buttons
        return outcome

    async def _say(self, turn: dict[str, Any], moment: datetime) -> list[Outbound]:
        if "press" in turn:
            payload = self._button(turn["press"])
            return await self.chat.send("", payload=payload, received_at=moment)
        return await self.chat.send(str(turn["user"]), received_at=moment)

    def _button(self, press: int | str) -> str:
        if isinstance(press, int):
            return (
                self.last_buttons[press - 1][0]
                if 0 < press <= len(self.last_buttons)
                else "missing-button"
            )
        wanted = _plain(press)
        return next(
            (p for p, title in self.last_buttons if wanted in _plain(title)), "missing-button"
        )

    async def _check(self, expect: dict[str, Any], replies: list[Outbound]) -> list[str]:
        unknown = set(expect) - KEYS
        if unknown:
            return [f"unknown expectation keys {sorted(unknown)}"]
        texts = [o.text for o in replies]
        everything = _plain("\n".join(texts + [b.title for o in replies for b in o.buttons]))
        failures = []
        if not replies:
            failures.append("no reply")
        if "item" in expect:
            language = expect.get("answered_in", self.dialogue.slice)
            failures += self._item(expect["item"], texts, language)
        for word in expect.get("says_all") or []:
            if _plain(str(word)) not in everything:
                failures.append(f"does not say {word!r}")
        if expect.get("says_any") and not any(
            _plain(str(w)) in everything for w in expect["says_any"]
        ):
            failures.append(f"says none of {expect['says_any']!r}")
        for word in expect.get("says_none") or []:
            if _plain(str(word)) in everything:
                failures.append(f"says {word!r}")
        if expect.get("buttons_any"):
            titles = [_plain(b.title) for o in replies for b in o.buttons]
            if not any(_plain(str(w)) in t for w in expect["buttons_any"] for t in titles):
                failures.append(f"no button like {expect['buttons_any']!r}")
        if not expect.get("any_script"):
            failures += self._script(texts)
        if "advisor" in expect:
            failures += await self._advisor(bool(expect["advisor"]))
        if "reminder" in expect or expect.get("no_reminder"):
            failures += await self._reminder(expect.get("reminder"))
        if "consents" in expect:
            failures += await self._consents(expect["consents"])
        if failures:
            failures.append("reply was: " + " | ".join(t.replace("\n", " ")[:160] for t in texts))
        return failures

    def _item(self, wanted: str | list[str], texts: list[str], language: str) -> list[str]:
        ids = [wanted] if isinstance(wanted, str) else wanted
        shown = _plain("\n".join(texts))
        for item_id in ids:
            item = self.content.get(item_id)
            if item is None:
                return [f"unknown item {item_id}"]
            if _plain(bulleted(item.text[language]))[:120] in shown:
                return []
        return [f"is not the answer of {ids}"]

    def _script(self, texts: list[str]) -> list[str]:
        arabic = [bool(_ARABIC_LETTER.search(t)) for t in texts if t.strip()]
        if self.dialogue.slice in ARABIC_SCRIPT_SLICES and arabic and not any(arabic):
            return ["reply is not in Arabic script"]
        if self.dialogue.slice not in ARABIC_SCRIPT_SLICES and any(arabic):
            return ["reply has Arabic letters"]
        return []

    async def _user(self, session: Any) -> User | None:
        return await session.scalar(
            select(User).where(
                User.channel == self.dialogue.channel, User.channel_user_id == self.chat.user_id
            )
        )

    async def _consents(self, wanted: dict[str, bool]) -> list[str]:
        """The topics the user receives now, as `consents: {news: true, capsules: false}`."""
        async with self.engine.db.transaction() as session:
            user = await self._user(session)
            receives = set() if user is None else set(await topics_of(session, user_id=user.id))
        wrong = {t: w for t, w in wanted.items() if (t in receives) != bool(w)}
        return [f"consents {sorted(receives)}, expected {wanted}"] if wrong else []

    async def _advisor(self, wanted: bool) -> list[str]:
        async with self.engine.db.transaction() as session:
            user = await self._user(session)
            active = user is not None and await session.scalar(
                select(Handoff.id).where(
                    Handoff.user_id == user.id, Handoff.status.in_(ACTIVE_HANDOFF_STATUSES)
                )
            )
        if bool(active) != wanted:
            return ["is not with an advisor" if wanted else "was handed to an advisor"]
        return []

    async def _reminder(self, wanted: dict[str, Any] | None) -> list[str]:
        async with self.engine.db.transaction() as session:
            user = await self._user(session)
            reminders = (
                []
                if user is None
                else list(
                    await session.scalars(
                        select(Reminder).where(
                            Reminder.user_id == user.id, Reminder.status == "pending"
                        )
                    )
                )
            )
        if wanted is None:
            return [f"has reminders {[r.text for r in reminders]}"] if reminders else []
        if not reminders:
            return ["no reminder saved"]
        if any(self._matches(r, wanted) for r in reminders):
            return []
        found = [(r.local_time.isoformat(), r.text) for r in reminders]
        return [f"no reminder like {wanted}; saved: {found}"]

    def _matches(self, reminder: Reminder, wanted: dict[str, Any]) -> bool:
        local = reminder.local_time
        if "at" in wanted and local.strftime("%H:%M") != str(wanted["at"]).zfill(5):
            return False
        if "in_days" in wanted and (local.date() - self.dialogue.start.date()).days != int(
            wanted["in_days"]
        ):
            return False
        text = _plain(reminder.text or "")
        if wanted.get("about_any") and not any(_plain(str(w)) in text for w in wanted["about_any"]):
            return False
        return not any(
            _plain(str(w)) in text.split() or _plain(str(w)) in text
            for w in wanted.get("about_none") or []
        )
