"""Reading a request to receive campaigns, or to stop them ("bghit nwsal b lakhbar",
"arrêtez de m'envoyer les vidéos", «وقف»). Word lists: consent_words.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypedDict

from bot.content import read_yaml
from bot.nlu.normalize import normalize

WORDS_FILE = Path(__file__).with_name("consent_words.yaml")
SHORT = 4  # "bghit nwsal", "je veux recevoir": a receive word alone in a short message
_ARABIC = range(0x0600, 0x0700)
Words = frozenset[str]


class _Words(TypedDict):
    """The lists of consent_words.yaml, normalized."""

    receive: Words
    subscribe: Words
    want: Words
    which: Words
    halt: Words
    sent: Words
    unsubscribe: Words
    stop: Words
    not_news: Words
    topics: dict[str, Words]
    weak_topics: dict[str, Words]


@dataclass(frozen=True)
class ConsentRequest:
    wants: bool  # True: receive; False: stop
    topics: tuple[str, ...]  # empty: not said (stop: all of them; receive: ask which)


def consent_request(text: str) -> ConsentRequest | None:
    """What the message asks about receiving campaigns, if it asks that."""
    words, typed = _words(), _typed(text)
    strong = _strong_topics(typed)
    if _has_any(typed, words["unsubscribe"]):
        return ConsentRequest(False, strong)
    if _has_any(typed, words["halt"]) and (strong or _has_any(typed, words["sent"])):
        return ConsentRequest(False, strong)
    subscribe = _has_any(typed, words["subscribe"])
    receive = _has_any(typed, words["receive"])
    if (subscribe or receive or _has_any(typed, words["sent"])) and _has_any(typed, words["which"]):
        return ConsentRequest(True, ())  # "which messages can you send me?"
    if subscribe:
        topics = _named_topics(typed, strong)
        return ConsentRequest(True, topics) if topics or _short(typed) else None
    if receive:
        return ConsentRequest(True, strong) if strong or _short(typed) else None
    if _has_any(typed, words["want"]) and len(strong) >= 2:  # "bghit kolchi: lakhbar, lvideos"
        return ConsentRequest(True, _named_topics(typed, strong))
    return None


def named_topics(text: str) -> tuple[str, ...]:
    """The topics a message names, financing included ("ghir dyal tamwil")."""
    typed = _typed(text)
    return _named_topics(typed, _strong_topics(typed))


def _named_topics(typed: str, strong: tuple[str, ...]) -> tuple[str, ...]:
    weak = {t for t, listed in _words()["weak_topics"].items() if _has_any(typed, listed)}
    return tuple(t for t in _words()["topics"] if t in set(strong) | weak)


def is_stop_word(text: str) -> bool:
    """The whole message says stop ("stop", "وقف", "safi baraka")."""
    return _typed(text).strip() in _words()["stop"]


def _strong_topics(typed: str) -> tuple[str, ...]:
    words = _words()
    found = []
    for topic, listed in words["topics"].items():
        seen = typed
        if topic == "news":
            for phrase in words["not_news"]:
                seen = seen.replace(f" {phrase} ", " ")
        if _has_any(seen, listed):
            found.append(topic)
    return tuple(found)


def _short(typed: str) -> bool:
    return len(typed.split()) <= SHORT


def _typed(text: str) -> str:
    return f" {normalize(text).replace('?', ' ').replace('؟', ' ').strip(' !.،,:')} "


def _has_any(typed: str, listed: Words) -> bool:
    return _pattern(listed).search(typed) is not None


@cache
def _pattern(listed: Words) -> re.Pattern[str]:
    """One search for a whole list (a list is read on every message, word by word it was
    the costliest part of a turn's reading): any of its words, as `_written_as` says."""
    return re.compile("|".join(_written_as(word) for word in sorted(listed)) or "(?!)")


def _written_as(word: str) -> str:
    if word.endswith("*"):  # a prefix: "tamwil*" is "tamwilat" too
        return re.escape(f" {word[:-1]}")
    # an Arabic word also after its clitics ("بالأخبار", "فلخبار"), not before a suffix
    stem = len(word) >= 4 and " " not in word and ord(word[0]) in _ARABIC
    return re.escape(f"{word} " if stem else f" {word} ")


@cache
def _words() -> _Words:
    raw = read_yaml(WORDS_FILE)

    def listed(values: list[object]) -> Words:
        return frozenset(
            normalize(str(v)).strip(" ?!.؟،,") + ("*" if str(v).endswith("*") else "")
            for v in values
        )

    return {
        "receive": listed(raw["receive"]),
        "subscribe": listed(raw["subscribe"]),
        "want": listed(raw["want"]),
        "which": listed(raw["which"]),
        "halt": listed(raw["halt"]),
        "sent": listed(raw["sent"]),
        "unsubscribe": listed(raw["unsubscribe"]),
        "stop": listed(raw["stop"]),
        "not_news": frozenset(normalize(p) for p in raw["not_news"]),
        "topics": {topic: listed(values) for topic, values in raw["topics"].items()},
        "weak_topics": {topic: listed(values) for topic, values in raw["weak_topics"].items()},
    }
