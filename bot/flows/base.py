"""What every flow works with: the turn being answered and the shared buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.capsules import CapsuleView
from bot.config import Settings
from bot.content import Content
from bot.effects import Effect, HandoffView, ReminderView
from bot.i18n import N_, _
from bot.messages import Button, Inbound, Outbound
from bot.nlu import Understanding
from bot.nlu.normalize import normalize

HISTORY = 6  # answers kept for "back"
MAIN_MENU = (
    ("intent:create_cooperative", N_("Create a cooperative")),
    ("intent:financing_options", N_("Financing")),
    ("item:labels.overview", N_("Labels & approvals")),
    ("intent:watch_capsules", N_("Videos")),
    ("intent:talk_to_advisor", N_("Talk to an advisor")),
    ("intent:my_reminders", N_("My reminders")),
    ("menu:language", N_("Language")),
    ("menu:news", N_("News & alerts")),
)


@dataclass
class Conversation:
    """The stored state of one user's conversation, as the flows see it."""

    language: str | None
    flow: str | None = None
    step: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    offered: list[list[str]] = field(default_factory=list)
    misunderstandings: int = 0
    answers: dict[str, Any] = field(default_factory=dict)  # finished questionnaires
    context: dict[str, Any] = field(default_factory=dict)  # topic, answers before it

    def leave_flow(self) -> None:
        self.flow, self.step, self.slots = None, None, {}

    @property
    def topic(self) -> str | None:
        """The content item of the last answer: what a follow-up is about."""
        return self.context.get("topic")

    def answered(self, item_id: str) -> None:
        history = self.context.setdefault("history", [])
        if not history or history[-1] != item_id:
            history.append(item_id)
        del history[:-HISTORY]
        self.context["topic"] = item_id

    def previous_topic(self) -> str | None:
        """Steps back one answer: the one before the last, if any."""
        history = self.context.get("history", [])
        if len(history) < 2:
            return None
        history.pop()
        self.context["topic"] = history[-1]
        return str(history[-1])


@dataclass
class Turn:
    inbound: Inbound
    conversation: Conversation
    content: Content
    settings: Settings
    understanding: Understanding | None = None
    ask: str = ""  # the words the understanding comes from: the question in a long message
    zone: str = "Africa/Casablanca"
    reminders: list[ReminderView] = field(default_factory=list)
    capsules: list[CapsuleView] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    handoff: HandoffView | None = None  # set while advisors have the conversation
    # a bare "stop" just after a campaign message: its Stop button's value ("news:12")
    campaign_stop: str | None = None
    finished: str | None = None  # the guided flow this turn completed (for the funnels)
    # the message answered a guided flow's question ("50 ألف درهم"): not a question for
    # the classifier, so it counts in neither the intents nor the fallback rate
    answered_flow: bool = False

    @property
    def understood(self) -> Understanding:
        """What the classifier made of the message, once it has read it."""
        if self.understanding is None:
            raise RuntimeError("the message has not been read yet")
        return self.understanding

    @property
    def now(self) -> datetime:
        """The moment of the message, in the user's zone."""
        return self.inbound.received_at.astimezone(ZoneInfo(self.zone))

    @property
    def language(self) -> str:
        return self.conversation.language or self.settings.default_language

    def finish_flow(self, name: str) -> None:
        """The guided flow `name` reached its end: left, and counted as finished, not
        abandoned."""
        self.conversation.leave_flow()
        self.finished = name


def chosen_payload(text: str, offered: list[list[str]]) -> str | None:
    """The offered button a typed number ("2", "٢") or label designates, if any."""
    typed = normalize(text)
    if typed.isdigit() and 1 <= int(typed) <= len(offered):
        return offered[int(typed) - 1][0]
    return next((payload for payload, title in offered if normalize(title) == typed), None)


def main_menu() -> tuple[Button, ...]:
    return tuple(Button(payload, _(title)) for payload, title in MAIN_MENU)


def menu_button() -> Button:
    return Button("menu:main", _("Main menu"))


def with_menu(text: str) -> list[Outbound]:
    return [Outbound(text, main_menu(), list_label=_("Menu"))]
