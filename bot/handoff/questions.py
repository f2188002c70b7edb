"""Short questions about the handoff itself ("je peux changer d'avis ?", «شكون غادي
يجاوبني؟»): the bot answers them instead of passing them on to the advisors."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from pathlib import Path

from bot.content import read_yaml
from bot.nlu.normalize import normalize

WORDS_FILE = Path(__file__).with_name("questions.yaml")
QUESTION_WORDS = 10  # longer, a message about the handoff also says something to pass on
_PUNCTUATION = re.compile(r"[^\w' ]+")


class Question(StrEnum):
    """What a user may ask about the handoff itself."""

    undo = "undo"  # can I change my mind, cancel afterwards?
    when = "when"  # when will the advisor answer?
    who = "who"  # who answers, is it a person?


def question_about_handoff(text: str) -> Question | None:
    """ "je peux changer d'avis ?", «شكون غادي يجاوبني؟»: a short question about the
    handoff, which the bot answers instead of passing it on."""
    typed = " ".join(_PUNCTUATION.sub(" ", normalize(text)).split())
    if len(typed.split()) > QUESTION_WORDS:
        return None
    return next(
        (
            question
            for question, (inside, whole) in _question_phrases().items()
            if typed in whole or any(f" {phrase} " in f" {typed} " for phrase in inside)
        ),
        None,
    )


@cache
def _question_phrases() -> dict[Question, tuple[frozenset[str], frozenset[str]]]:
    raw = read_yaml(WORDS_FILE)["questions"]

    def normalized(phrases: list[str]) -> frozenset[str]:
        return frozenset(normalize(str(phrase)) for phrase in phrases)

    return {
        question: (normalized(raw[question]["inside"]), normalized(raw[question]["whole"]))
        for question in Question
    }
