"""Words that only Darija uses among the languages written in Arabic letters."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.content import read_yaml
from bot.nlu.word_lists import Words, has_any, listed, typed

DARIJA_WORDS_FILE = Path(__file__).with_name("darija_words.yaml")


@cache
def darija_words() -> Words:
    return listed(read_yaml(DARIJA_WORDS_FILE)["darija"])


def has_darija_words(text: str) -> bool:
    """ "شكون هي ODCO؟", "واش كاين دعم؟": a word MSA does not use."""
    return has_any(typed(text), darija_words())
