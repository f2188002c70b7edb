"""Words that steer rather than ask (back, menu, cancel), and the sources of an answer.

They work in every step of every flow, in every language and script, before the message
is read as an answer or a question.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from pathlib import Path

from bot.content import read_yaml
from bot.flows.base import Turn, menu_button, with_menu
from bot.i18n import _
from bot.messages import Button, Outbound
from bot.nlu.normalize import normalize
from bot.nlu.word_lists import Words, has_any, listed

WORDS_FILE = Path(__file__).with_name("navigation_words.yaml")
_LONGEST_PHRASE = 4
_PUNCTUATION = re.compile(r"[^\w' ]+")


class Steer(StrEnum):
    back = "back"
    menu = "menu"
    cancel = "cancel"
    repeat = "repeat"


def steering(text: str) -> Steer | None:
    """The steering word the whole message is, if any ("rje3", "retour ?", "مصدر؟"), with
    or without a "please" ("tu peux répéter stp", «عاود عافاك»)."""
    typed = normalize(text).strip(" ?!.؟،,")
    plain = without_courtesy(text)
    return next(
        (steer for steer, words in _words().items() if typed in words or plain in words), None
    )


def is_yes(text: str, also: Words = frozenset()) -> bool:
    """ "oui", "wakha", «نعم», or several ("ah akid", "oui je confirme", «اه متأكد»);
    thanks or "please" around them change nothing ("oui merci", «واخا شكرا», "ah 3afak"),
    and neither do the words of what is being confirmed, `also` («نعم، أؤكد الحذف»)."""
    tokens = _spaced(text).split()
    quiet = _courtesy_words() | also
    said_yes, at = False, 0
    while at < len(tokens):
        if length := _phrase_at(tokens, at, _yes_words()):
            said_yes = True
        elif not (length := _phrase_at(tokens, at, quiet)):
            return False
        at += length
    return said_yes


def without_courtesy(text: str) -> str:
    """The message without its thanks and "please" ("tu peux répéter stp": "tu peux
    repeter"), normalized."""
    tokens, kept, at = _spaced(text).split(), [], 0
    while at < len(tokens):
        if length := _phrase_at(tokens, at, _courtesy_words()):
            at += length
            continue
        kept.append(tokens[at])
        at += 1
    return " ".join(kept)


def _phrase_at(tokens: list[str], at: int, phrases: Words) -> int:
    """How many words from `at` are a phrase of the list (a word by its prefix or clitics)."""
    for length in range(min(_LONGEST_PHRASE, len(tokens) - at), 1, -1):
        if " ".join(tokens[at : at + length]) in phrases:
            return length
    return 1 if has_any(f" {tokens[at]} ", phrases) else 0


@cache
def _yes_words() -> Words:
    return listed(read_yaml(WORDS_FILE)["confirm"])


@cache
def _courtesy_words() -> Words:
    return listed(read_yaml(WORDS_FILE)["courtesy"])


def leaves_advisors(text: str) -> bool:
    return steering(text) in (Steer.back, Steer.menu, Steer.cancel)


CHANGE_OF_MIND_WORDS = 8  # longer, it is a message with something to say


def changed_mind(text: str) -> bool:
    """ "la safi mabghitch", "non laissez tomber, finalement pas besoin": a short message
    that takes a request back."""
    return _short_and_has(text, _change_of_mind_words() | _outright_words())


def changed_mind_outright(text: str) -> bool:
    """ "la bdelt rayi", «لا، غيرت رأيي»: says in so many words that the user changed
    their mind ("ma bghitch lcredit" does not: it asks for something else)."""
    return _short_and_has(text, _outright_words())


def _short_and_has(text: str, phrases: frozenset[str]) -> bool:
    typed = _spaced(text)
    return len(typed.split()) <= CHANGE_OF_MIND_WORDS and any(
        f" {phrase} " in typed for phrase in phrases
    )


def _spaced(text: str) -> str:
    """Normalized, punctuation as spaces, padded: "oui, merci !" is " oui merci "."""
    return " {} ".format(_PUNCTUATION.sub(" ", normalize(text)))


@cache
def _change_of_mind_words() -> frozenset[str]:
    return frozenset(normalize(str(w)) for w in read_yaml(WORDS_FILE)["change_of_mind"])


@cache
def _outright_words() -> frozenset[str]:
    return frozenset(normalize(str(w)) for w in read_yaml(WORDS_FILE)["changed_mind_outright"])


@cache
def _words() -> dict[Steer, frozenset[str]]:
    raw = read_yaml(WORDS_FILE)
    return {
        steer: frozenset(normalize(str(w)).strip(" ?!.؟،,") for w in raw[steer.value])
        for steer in Steer
    }


def cancelled(turn: Turn) -> list[Outbound]:
    turn.conversation.leave_flow()
    return with_menu(_("OK, stopped. Here is what I can help you with:"))


def sources_of(turn: Turn, item_id: str = "") -> list[Outbound]:
    """The sources of an answer (by default the last one), by name and date."""
    item = turn.content.get(item_id or turn.conversation.topic or "")
    if item is None:
        return with_menu(_("Ask me a question first; each answer can show its sources."))
    lines = [
        _("Sources of «{title}» (checked on {date}):").format(
            title=item.title[turn.language], date=item.last_verified.isoformat()
        )
    ]
    for key in item.sources:
        source = turn.content.sources.get(key) or {}
        url = source.get("url")
        lines.append(f"• {source.get('title', key)}" + (f" — {url}" if url else ""))
    return [
        Outbound(
            "\n".join(lines), (Button(f"item:{item.id}", item.title[turn.language]), menu_button())
        )
    ]


def choose_in_range(turn: Turn) -> list[Outbound]:
    """A typed number that matches no option: say which numbers work, and show them again."""
    offered = turn.conversation.offered
    buttons = tuple(Button(payload, title) for payload, title in offered)
    return [
        Outbound(_("Please choose a number from 1 to {count}:").format(count=len(offered)), buttons)
    ]
