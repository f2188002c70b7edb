"""The opening of a message, before what it asks: a greeting, the person addressed, the
writer's name ("Bonjour, je m'appelle Fatima. Est-ce qu'on peut…", "salam 3likom bghit…").
Word lists: opening_words.yaml."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from bot.content import read_yaml
from bot.nlu.normalize import normalize

WORDS_FILE = Path(__file__).with_name("opening_words.yaml")
_WORD = re.compile(r"\S+")


def after_opening(text: str) -> str:
    """What follows the opening, as written: the whole text when it opens with none, and
    "" when it is all opening ("salam 3likom khoya")."""
    words = list(_WORD.finditer(text))
    start = 0
    while start < len(words) and (length := _opening_at([w.group() for w in words], start)):
        start += length
    return text[words[start].start() :] if start < len(words) else ""


SELF_INTRODUCTION_WORDS = 8  # longer, it tells a story that asks something


def introduces_self(text: str) -> bool:
    """ "je suis Fatima de Taroudant", «أنا خديجة من تيزنيت»: who writes, nothing more."""
    words = normalize(text).split()
    return len(words) <= SELF_INTRODUCTION_WORDS and any(
        words[: len(phrase.split())] == phrase.split() for phrase in _self_introductions()
    )


@cache
def _self_introductions() -> frozenset[str]:
    return frozenset(normalize(str(p)) for p in read_yaml(WORDS_FILE)["self_introductions"])


def _opening_at(words: list[str], start: int) -> int:
    """How many words from `start` open the message (0: none): the longest greeting, an
    introduction with the name after it, or a lone mark ("—", ",")."""
    greetings, introductions = _phrases()
    if not normalize(words[start]):
        return 1
    for length in range(min(_longest(), len(words) - start), 0, -1):
        phrase = normalize(" ".join(words[start : start + length]))
        if phrase in greetings:
            return length
        if phrase in introductions:
            return min(length + 1, len(words) - start)  # the name is one word
    return 0


@cache
def _phrases() -> tuple[frozenset[str], frozenset[str]]:
    raw = read_yaml(WORDS_FILE)
    return (
        frozenset(normalize(str(p)) for p in raw["greetings"]),
        frozenset(normalize(str(p)) for p in raw["introductions"]),
    )


@cache
def _longest() -> int:
    return max(len(phrase.split()) for phrases in _phrases() for phrase in phrases)
