"""Word lists of the YAML files in bot/nlu/, and searching a message for them.

A list is matched after normalisation (bot/nlu/normalize.py): whole words or phrases;
"word*" also matches the words it begins ("inscri*": inscrire, inscrivez); Arabic-script
words of four letters or more also match after their clitics ("بالأخبار" has "أخبار").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from bot.nlu.normalize import normalize

_ARABIC = range(0x0600, 0x0700)
Words = frozenset[str]


def listed(values: Iterable[object]) -> Words:
    """A list of a words file, normalized as messages are."""
    return frozenset(
        normalize(str(v)).strip(" ?!.؟،,") + ("*" if str(v).endswith("*") else "") for v in values
    )


def typed(text: str) -> str:
    """A message in the form the lists are searched in: normalized, padded with spaces."""
    return f" {normalize(text).replace('?', ' ').replace('؟', ' ').strip(' !.،,:')} "


def has_any(typed: str, listed: Words) -> bool:
    return _pattern(listed).search(typed) is not None


def marked(typed: str, listed: Words, mark: str) -> str:
    """The typed message with each word or phrase of the list replaced by `mark`."""
    pattern = _pattern(listed)
    while (replaced := pattern.sub(f" {mark} ", typed)) != typed:  # again: neighbours share a space
        typed = replaced
    return typed


@cache
def _pattern(listed: Words) -> re.Pattern[str]:
    """One search for a whole list (a list is read on every message, word by word it was
    the costliest part of a turn's reading): any of its words, as `_written_as` says, the
    longest first ("appels a projets" before "appels")."""
    longest_first = sorted(listed, key=lambda word: (-len(word), word))
    return re.compile("|".join(_written_as(word) for word in longest_first) or "(?!)")


def _written_as(word: str) -> str:
    if word.endswith("*"):  # a prefix: "tamwil*" is "tamwilat" too
        return re.escape(f" {word[:-1]}")
    # an Arabic word also after its clitics ("بالأخبار", "فلخبار"), not before a suffix
    stem = len(word) >= 4 and " " not in word and ord(word[0]) in _ARABIC
    return re.escape(f"{word} " if stem else f" {word} ")
