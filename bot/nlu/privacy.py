"""Reading what a message says about the user's data: a request to erase it ("supprimer
mes données", «امسح بياناتي», "ms7 les données dyali") or a question about it ("où sont mes
données ?", «شنو كتسجلو عليا؟»). Word lists: privacy_words.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TypedDict

from bot.content import read_yaml
from bot.nlu.normalize import concept_of
from bot.nlu.word_lists import Words, has_any, listed, typed

WORDS_FILE = Path(__file__).with_name("privacy_words.yaml")
QUESTION_WORDS = 12  # longer, a message asks something else too: the classifier decides


class _Words(TypedDict):
    """The lists of privacy_words.yaml, normalized."""

    erase: Words
    mine: Words
    keep: Words
    everything: Words


def asks_to_erase(text: str) -> bool:
    """The message has an erasing word ("effacez", "ms7", «احذف», "ne me contactez plus")."""
    return has_any(typed(text), _words()["erase"])


def erasing_words() -> Words:
    """What a confirmed erasure may name besides its yes ("oui, supprimez tout", «نعم،
    أؤكد الحذف», "ah ms7 kolchi")."""
    words = _words()
    return words["erase"] | words["mine"] | words["everything"]


def asks_about_my_data(text: str) -> bool:
    """A short question on what is kept about the user ("vous gardez quoi sur moi ?",
    «ماذا تحفظون عني؟»), without an erasing word."""
    message = typed(text)
    words = _words()
    return (
        len(message.split()) <= QUESTION_WORDS
        and has_any(message, words["keep"])
        and has_any(message, words["mine"])
        and not has_any(message, words["erase"])
    )


def about_the_cooperative(text: str) -> bool:
    """The message names the cooperative and not the user's own data ("je veux modifier
    les données de ma coopérative")."""
    message = typed(text)
    names_it = any(concept_of(word) == "cooperative" for word in message.split())
    return names_it and not has_any(message, _words()["mine"])


@cache
def _words() -> _Words:
    raw = read_yaml(WORDS_FILE)
    return {
        "erase": listed(raw["erase"]),
        "mine": listed(raw["mine"]),
        "keep": listed(raw["keep"]),
        "everything": listed(raw["everything"]),
    }
