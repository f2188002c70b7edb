"""The opening of a message, before what it asks: a greeting, the person addressed, the
writer's name ("Bonjour, je m'appelle Fatima. Est-ce qu'on peut…", "salam 3likom bghit…").
Word lists: opening_words.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.content import read_yaml
from bot.nlu.normalize import normalize

WORDS_FILE = Path(__file__).with_name("opening_words.yaml")
_WORD = re.compile(r"\S+")


def after_opening(text: str) -> str:
    """What follows the opening, as written: the whole text when it opens with none, and
    "" when it is all opening ("salam 3likom khoya")."""
    words = list(_WORD.finditer(text))
    start = sum(length for length, _group in _openings([w.group() for w in words]))
    return text[words[start].start() :] if start < len(words) else ""


# the greetings of opening_words.yaml that show no language ("hello", «السلام عليكم»)
ANY = "any"
_LATIN_DARIJA, _FRENCH = "ary-Latn", "fr"


def greeting_language(text: str) -> str | None:
    """The language a message that is only a greeting shows by its words (the group of
    opening_words.yaml): Darija in Latin letters when one of them is Darija ("salam", "bjr
    labas": one Darija word makes a Latin message Darija, as one Arabizi word does for the
    NLU), else French when one is French ("Bonjour madame"), else ANY ("hello", «السلام
    عليكم»). A long word a letter away from a greeting is that greeting ("bonjourr").
    None when the message is not only a greeting ("ok", "👋", "salam, bghit…")."""
    words = _WORD.findall(text)
    groups: set[str | None] = set()
    start = 0
    while start < len(words):
        length, group = _opening_at(words, start)
        if not length:
            length, group = 1, _typed_greeting(words[start])
            if group is None:
                return None
        groups.add(group)
        start += length
    if not groups - {None}:
        return None
    return next((code for code in (_LATIN_DARIJA, _FRENCH) if code in groups), ANY)


TYPO_MIN_LENGTH = 5  # shorter words are too close to each other ("slt", "slm", "bsr")
TYPO_SCORE = 85  # "bonjourr", "salutt", "coucouu"; not "walla" for "lalla"


def _typed_greeting(word: str) -> str | None:
    """The language group of the one-word greeting a long word is a typo of."""
    typed = normalize(word)
    if len(typed) < TYPO_MIN_LENGTH:
        return None
    greetings = _phrases()[0]
    close = process.extractOne(typed, _one_word(), scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
    return greetings[close[0]] if close else None


@cache
def _one_word() -> tuple[str, ...]:
    return tuple(sorted(phrase for phrase in _phrases()[0] if " " not in phrase))


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


def _openings(words: list[str]) -> Iterator[tuple[int, str | None]]:
    """The openings at the start of a message, one after the other: how many words each
    takes, and a greeting's language group (None for an introduction or a mark)."""
    start = 0
    while start < len(words) and (opening := _opening_at(words, start))[0]:
        yield opening
        start += opening[0]


def _opening_at(words: list[str], start: int) -> tuple[int, str | None]:
    """How many words from `start` open the message (0: none): the longest greeting, an
    introduction with the name after it, or a lone mark ("—", ","); and the greeting's
    language group."""
    greetings, introductions = _phrases()
    if not normalize(words[start]):
        return 1, None
    for length in range(min(_longest(), len(words) - start), 0, -1):
        phrase = normalize(" ".join(words[start : start + length]))
        if phrase in greetings:
            return length, greetings[phrase]
        if phrase in introductions:
            return min(length + 1, len(words) - start), None  # the name is one word
    return 0, None


@cache
def _phrases() -> tuple[dict[str, str], frozenset[str]]:
    """The greetings with their language group, and the introductions."""
    raw = read_yaml(WORDS_FILE)
    return (
        {
            normalize(str(phrase)): language
            for language, phrases in raw["greetings"].items()
            for phrase in phrases
        },
        frozenset(normalize(str(p)) for p in raw["introductions"]),
    )


@cache
def _longest() -> int:
    return max(len(phrase.split()) for phrases in _phrases() for phrase in phrases)
