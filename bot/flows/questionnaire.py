"""A guided questionnaire: a few button questions, free-text answers accepted, then a result.

Each question's options are buttons; typed answers match a button's label (via
flows.base.chosen_payload) or the option's synonyms in `choices.yaml`. A message that answers
nothing and is confidently about another topic leaves the questionnaire.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.flows.base import Turn, menu_button
from bot.i18n import _
from bot.messages import Button, Outbound
from bot.nlu.normalize import normalize

CHOICES_FILE = Path(__file__).parent / "choices.yaml"
Slots = dict[str, Any]


@dataclass(frozen=True)
class Option:
    value: str
    title: Callable[[], str]


@dataclass(frozen=True)
class Question:
    slot: str
    prompt: Callable[[], str]
    options: tuple[Option, ...]
    ask_if: Callable[[Slots], bool] = lambda _slots: True
    read_text: Callable[[str], str | None] | None = None


@dataclass(frozen=True)
class Questionnaire:
    name: str
    questions: tuple[Question, ...]
    conclude: Callable[[Turn, Slots], list[Outbound]]

    @property
    def steps(self) -> tuple[str, ...]:
        """Its steps in order: one per question, named after the question's slot."""
        return tuple(q.slot for q in self.questions)

    def start(self, turn: Turn) -> list[Outbound]:
        turn.conversation.flow, turn.conversation.slots = self.name, {}
        return self._next(turn)

    def answer(self, turn: Turn, value: str) -> list[Outbound]:
        """A button press: `slot=value`, or `start`."""
        slot, equals, chosen = value.partition("=")
        if not equals or turn.conversation.flow != self.name:
            return self.start(turn)
        turn.conversation.slots[slot] = chosen
        return self._next(turn)

    def read(self, turn: Turn) -> list[Outbound] | None:
        """A typed answer; None when the text answers nothing (the caller tries the NLU)."""
        question = self._current(turn.conversation.slots)
        if question is None:
            return None
        value = _typed_value(question, turn.inbound.text)
        if value is None:
            return None
        turn.conversation.slots[question.slot] = value
        return self._next(turn)

    def back(self, turn: Turn) -> list[Outbound] | None:
        """The previous question again, with the answer given to it; None before the first."""
        slots = turn.conversation.slots
        answered = [q for q in self.questions if q.slot in slots]
        if not answered:
            return None
        question = answered[-1]
        given = str(slots.pop(question.slot))
        title = next((o.title() for o in question.options if o.value == given), given)
        turn.conversation.step = question.slot
        shown = _("Your answer was: {answer}").format(answer=title)
        return [Outbound(f"{shown}\n\n{question.prompt()}", self._buttons(question))]

    def reads_numbers(self, turn: Turn) -> bool:
        """Whether a bare number answers the current question ("5" people, "50000" DH)."""
        question = self._current(turn.conversation.slots)
        if question is None:
            return False
        synonyms = choices().get(question.slot, {})
        return question.read_text is not None or any(
            str(name).isdigit() for names in synonyms.values() for name in names
        )

    def ask_again(self, turn: Turn) -> list[Outbound]:
        question = self._current(turn.conversation.slots)
        if question is None:  # every question answered: nothing left to ask
            return self._next(turn)
        reminder = _('Please choose one of the answers below, or write "menu" to stop.')
        return [Outbound(f"{reminder}\n\n{question.prompt()}", self._buttons(question))]

    def _next(self, turn: Turn) -> list[Outbound]:
        question = self._current(turn.conversation.slots)
        if question is None:
            slots = dict(turn.conversation.slots)
            turn.finish_flow(self.name)
            turn.conversation.answers[self.name] = slots
            return self.conclude(turn, slots)
        turn.conversation.step = question.slot
        return [Outbound(question.prompt(), self._buttons(question))]

    def describe(self, slots: Slots) -> list[str]:
        """The answers as "question: chosen option", for a person reading them."""
        titles = {(q.slot, o.value): o.title() for q in self.questions for o in q.options}
        return [
            f"{q.prompt()} → {titles.get((q.slot, str(slots[q.slot])), slots[q.slot])}"
            for q in self.questions
            if q.slot in slots
        ]

    def _current(self, slots: Slots) -> Question | None:
        return next((q for q in self.questions if q.slot not in slots and q.ask_if(slots)), None)

    def _buttons(self, question: Question) -> tuple[Button, ...]:
        options = [
            Button(f"{self.name}:{question.slot}={o.value}", o.title()) for o in question.options
        ]
        return (*options, menu_button())


def _typed_value(question: Question, text: str) -> str | None:
    if question.read_text and (value := question.read_text(text)) is not None:
        return value
    words = f" {normalize(text)} "
    synonyms = choices().get(question.slot, {})
    return next(
        (
            value
            for value, names in synonyms.items()
            if any(f" {normalize(str(name))} " in words for name in names)
        ),
        None,
    )


@cache
def choices() -> dict[str, dict[str, list[str]]]:
    loaded: dict[str, dict[str, list[str]]] = yaml.safe_load(CHOICES_FILE.read_text("utf-8"))
    return loaded
