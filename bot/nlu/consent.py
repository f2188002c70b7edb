"""Reading a request to receive campaigns, or to stop them ("bghit nwsal b lakhbar",
"arrêtez de m'envoyer les vidéos", «وقف»). Word lists: consent_words.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypedDict

from bot.content import read_yaml
from bot.nlu.normalize import normalize
from bot.nlu.word_lists import Words, has_any, listed, marked
from bot.nlu.word_lists import typed as _typed

WORDS_FILE = Path(__file__).with_name("consent_words.yaml")
SHORT = 4  # "bghit nwsal", "je veux recevoir": a receive word alone in a short message
TOPIC_MARK = "§"  # a topic's name, once counted


class _Words(TypedDict):
    """The lists of consent_words.yaml, normalized."""

    receive: Words
    subscribe: Words
    want: Words
    which: Words
    halt: Words
    asking: Words
    questions: Words
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


def asks_how_to_stop(text: str) -> bool:
    """A question about stopping the messages ("et je peux arrêter quand ?", "kifach
    nwe9ef lmessages?"), not a request to stop now."""
    words, typed = _words(), _typed(text)
    return has_any(typed, words["halt"]) and has_any(typed, words["asking"])


def consent_request(text: str) -> ConsentRequest | None:
    """What the message asks about receiving campaigns, if it asks that."""
    words, typed = _words(), _typed(text)
    strong = _strong_topics(typed)
    if has_any(typed, words["unsubscribe"]):
        return ConsentRequest(False, strong)
    if has_any(typed, words["halt"]) and (strong or has_any(typed, words["sent"])):
        return ConsentRequest(False, strong)
    subscribe = has_any(typed, words["subscribe"])
    receive = has_any(typed, words["receive"])
    if (subscribe or receive or has_any(typed, words["sent"])) and has_any(typed, words["which"]):
        return ConsentRequest(True, ())  # "which messages can you send me?"
    if subscribe:
        topics = _named_topics(typed, strong)
        return ConsentRequest(True, topics) if topics or _short(typed) else None
    if receive:
        return ConsentRequest(True, strong) if strong or _short(typed) else None
    if has_any(typed, words["want"]) and len(strong) >= 2:  # "bghit kolchi: lakhbar, lvideos"
        return ConsentRequest(True, _named_topics(typed, strong))
    return None


def halts(text: str) -> bool:
    """The message has a verb of stopping ("حبس", "arrêtez", "ma bghitch")."""
    return has_any(_typed(text), _words()["halt"])


def asks_about(text: str) -> bool:
    """A question ("c'est quoi les appels à projets ?"), not a choice of topics."""
    return has_any(_typed(text), _words()["questions"])


def length_of_answer(text: str) -> int:
    """Its length in words, a topic's name counting as one ("les appels à projets")."""
    typed = _typed(text)
    for topic_words in (*_words()["topics"].values(), *_words()["weak_topics"].values()):
        typed = marked(typed, topic_words, TOPIC_MARK)
    return len(typed.split())


def named_topics(text: str) -> tuple[str, ...]:
    """The topics a message names, financing included ("ghir dyal tamwil")."""
    typed = _typed(text)
    return _named_topics(typed, _strong_topics(typed))


def _named_topics(typed: str, strong: tuple[str, ...]) -> tuple[str, ...]:
    weak = {t for t, words in _words()["weak_topics"].items() if has_any(typed, words)}
    return tuple(t for t in _words()["topics"] if t in set(strong) | weak)


def is_stop_word(text: str) -> bool:
    """The whole message says stop ("stop", "وقف", "safi baraka")."""
    return _typed(text).strip() in _words()["stop"]


def _strong_topics(typed: str) -> tuple[str, ...]:
    words = _words()
    found = []
    for topic, topic_words in words["topics"].items():
        seen = typed
        if topic == "news":
            for phrase in words["not_news"]:
                seen = seen.replace(f" {phrase} ", " ")
        if has_any(seen, topic_words):
            found.append(topic)
    return tuple(found)


def _short(typed: str) -> bool:
    return len(typed.split()) <= SHORT


@cache
def _words() -> _Words:
    raw = read_yaml(WORDS_FILE)
    return {
        "receive": listed(raw["receive"]),
        "subscribe": listed(raw["subscribe"]),
        "want": listed(raw["want"]),
        "which": listed(raw["which"]),
        "halt": listed(raw["halt"]),
        "asking": listed(raw["asking"]),
        "questions": listed(raw["questions"]),
        "sent": listed(raw["sent"]),
        "unsubscribe": listed(raw["unsubscribe"]),
        "stop": listed(raw["stop"]),
        "not_news": frozenset(normalize(p) for p in raw["not_news"]),
        "topics": {topic: listed(values) for topic, values in raw["topics"].items()},
        "weak_topics": {topic: listed(values) for topic, values in raw["weak_topics"].items()},
    }
