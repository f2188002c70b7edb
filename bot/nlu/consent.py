"""Reading a request to receive campaigns, or to stop them ("bghit nwsal b lakhbar",
"je ne veux plus recevoir les nouvelles", «وقف»). Word lists: consent_words.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.content import read_yaml
from bot.nlu.normalize import normalize

WORDS_FILE = Path(__file__).with_name("consent_words.yaml")
SHORT = 4  # "bghit nwsal", "je veux recevoir": a receive word alone in a short message
_ARABIC = range(0x0600, 0x0700)


@dataclass(frozen=True)
class ConsentRequest:
    wants: bool  # True: receive; False: stop
    topics: tuple[str, ...]  # empty: not said


def consent_request(text: str) -> ConsentRequest | None:
    """What the message asks about receiving campaigns, if it asks that."""
    words = _words()
    typed = _typed(text)
    topics = tuple(t for t, listed in words["topics"].items() if _has_any(typed, listed))
    if _has_any(typed, words["unsubscribe"]):
        return ConsentRequest(False, topics)
    if not _has_any(typed, words["receive"]):
        return None
    if _has_any(typed, words["negation"]):
        return ConsentRequest(False, topics)
    if topics or len(typed.split()) <= SHORT:
        return ConsentRequest(True, topics)
    return None


def is_stop_word(text: str) -> bool:
    """The whole message says stop ("stop", "وقف", "safi baraka")."""
    return _typed(text).strip() in _words()["stop"]


def _typed(text: str) -> str:
    return f" {normalize(text).strip(' ?!.؟،,')} "


def _has_any(typed: str, listed: frozenset[str]) -> bool:
    return any(_has(typed, word) for word in listed)


def _has(typed: str, word: str) -> bool:
    if f" {word} " in typed:
        return True
    stem = len(word) >= 4 and " " not in word and ord(word[0]) in _ARABIC
    return stem and word in typed


@cache
def _words() -> dict[str, frozenset[str] | dict[str, frozenset[str]]]:
    raw = read_yaml(WORDS_FILE)

    def listed(values: list[object]) -> frozenset[str]:
        return frozenset(normalize(str(v)).strip(" ?!.؟،,") for v in values)

    return {
        "receive": listed(raw["receive"]),
        "negation": listed(raw["negation"]),
        "unsubscribe": listed(raw["unsubscribe"]),
        "stop": listed(raw["stop"]),
        "topics": {topic: listed(values) for topic, values in raw["topics"].items()},
    }
