"""Which content item a typed question is about, beyond what the intent classifier names.

Two readings, both from data files:
- words that name one item (`bot/nlu/item_words.yaml`): "Forsa", "commissaire aux comptes",
  "رقم الهاتف"; they reach items that no intent names;
- follow-ups (`bot/content/followups.yaml`): a message that names an aspect ("et le taux ?",
  "وشحال كتاخد ديال الوقت؟") but no topic is about the topic of the last answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bot.content import CONTENT_DIR, read_yaml
from bot.nlu.normalize import normalize

ITEM_WORDS_FILE = Path(__file__).parent.parent / "nlu" / "item_words.yaml"
FOLLOWUPS_FILE = CONTENT_DIR / "followups.yaml"
_ARABIC_CLITICS = ("وال", "فال", "بال", "لل", "ال", "و", "ف", "ب", "ل")
_LATIN_CLITICS = ("l'", "l", "f", "b", "d", "w")
# A listed word loses only its article: its other first letters may be the word itself
# ("bch7al" asks a price where "ch7al" asks how many; "frais" is not "rais", a president).
_ARTICLES = ("ال", "l'", "l")
# an article written with an apostrophe ("l'cooperative") is a word of its own once normalised
_ELIDED = frozenset({"l"})
_TYPO_MIN_LENGTH = 6
_TYPO_SCORE = 88
_REMEMBERED_TOKENS = 300
NEXT_STEP_WORDS = 6


# walked step by step: an answer there is where the user now stands
CREATION_FAMILIES = ("create", "formalize")


def family(item_id: str) -> str:
    """ "financing" for "financing.intilaka": items of one family answer related questions."""
    return item_id.partition(".")[0]


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    target: str


@dataclass(frozen=True, eq=False)  # one per data file, so its identity is its key
class Lexicon:
    """Phrases indexed by their first word (as written and without its clitic), and the
    long one-word phrases a typo may be close to."""

    by_first: dict[str, tuple[Phrase, ...]]
    long_words: tuple[str, ...]


def _lexicon(table: dict[str, list[str]]) -> Lexicon:
    by_first: dict[str, list[Phrase]] = {}
    long_words: set[str] = set()
    for target, words in table.items():
        for written in words:
            tokens = tuple(normalize(str(written)).split())
            if not tokens:
                continue
            phrase = Phrase(tokens, target)
            for key in {tokens[0], _unarticled(tokens[0])}:
                by_first.setdefault(key, []).append(phrase)
            if len(tokens) == 1 and len(tokens[0]) >= _TYPO_MIN_LENGTH:
                long_words.add(tokens[0])
    return Lexicon({k: tuple(v) for k, v in by_first.items()}, tuple(sorted(long_words)))


@cache
def _item_lexicon() -> Lexicon:
    return _lexicon(read_yaml(ITEM_WORDS_FILE))


@cache
def followups() -> dict[str, Any]:
    return read_yaml(FOLLOWUPS_FILE)


@cache
def _aspect_lexicon() -> Lexicon:
    return _lexicon(followups()["aspects"])


@cache
def _listed(key: str) -> Lexicon:
    """One list of followups.yaml ("sources", "refers_back", "creation", "next_step"…)."""
    return _lexicon({key: followups()[key]})


def _says(key: str, text: str) -> bool:
    """The message has a phrase of that list."""
    return bool(_scores(_listed(key), text))


def _stem(token: str) -> str:
    """A typed word without a leading clitic ("بالضريبه" → "ضريبه", "ldriba" → "driba");
    a Latin one keeps four letters, so that French "dans" is not "ans" (years)."""
    if token.isascii():
        return _without_prefix(token, _LATIN_CLITICS, keep=4)
    return _without_prefix(token, _ARABIC_CLITICS)


def _unarticled(token: str) -> str:
    """A listed word without its article ("lkhlas" → "khlas", "الفائدة" → "فائدة")."""
    return _without_prefix(token, _ARTICLES)


def _without_prefix(token: str, prefixes: tuple[str, ...], keep: int = 3) -> str:
    for prefix in prefixes:
        if token.startswith(prefix) and len(token) - len(prefix) >= keep:
            return token[len(prefix) :]
    return token


def _token_matches(written: str, typed: str) -> bool:
    return typed in (written, _unarticled(written)) or _stem(typed) in (
        written,
        _unarticled(written),
    )


def _corrected(tokens: list[str], lexicon: Lexicon) -> list[str]:
    """A long word that matches no phrase start may be a typo of a known long word."""
    corrected = []
    for token in tokens:
        if (
            len(token) >= _TYPO_MIN_LENGTH
            and token not in lexicon.by_first
            and _stem(token) not in lexicon.by_first
        ):
            close = process.extractOne(
                token, lexicon.long_words, scorer=fuzz.ratio, score_cutoff=_TYPO_SCORE
            )
            token = close[0] if close else token
        corrected.append(token)
    return corrected


def _ranked(lexicon: Lexicon, text: str) -> list[str]:
    """Targets with a matching phrase, those covering the most words first."""
    scores = _scores(lexicon, text)
    return sorted(scores, key=scores.__getitem__, reverse=True)


def _scores(lexicon: Lexicon, text: str) -> dict[str, tuple[int, int]]:
    """For each target with a matching phrase: words covered, longest phrase. A word counts
    once, for the longest phrase it is part of ("damane intelak" is not also "intelak")."""
    scores: dict[str, tuple[int, int]] = {}
    for _start, length, target in _spans(lexicon, normalize(text).split()):
        covered, longest = scores.get(target, (0, 0))
        scores[target] = (covered + length, max(longest, length))
    return scores


Span = tuple[int, int, str]  # start, length, target


def _spans(lexicon: Lexicon, tokens: list[str]) -> tuple[Span, ...]:
    """The phrases found, longest first, no word in two of them. A turn looks for the same
    lexicon in its message several times (item, aspects, aspects beside items): the result
    for a message-sized text is kept; a huge one is not, to bound the memory."""
    words = tuple(tokens)
    if len(words) <= _REMEMBERED_TOKENS:
        return _remembered_spans(lexicon, words)
    return _found_spans(lexicon, words)


@lru_cache(maxsize=2048)
def _remembered_spans(lexicon: Lexicon, tokens: tuple[str, ...]) -> tuple[Span, ...]:
    return _found_spans(lexicon, tokens)


def _found_spans(lexicon: Lexicon, written: tuple[str, ...]) -> tuple[Span, ...]:
    tokens = _corrected(list(written), lexicon)
    matches = [
        (len(phrase.words), start, window, phrase.target)
        for start, token in enumerate(tokens)
        for phrase in {*lexicon.by_first.get(token, ()), *lexicon.by_first.get(_stem(token), ())}
        if (window := _window_at(phrase.words, tokens, start))
    ]
    used: set[int] = set()
    spans: list[Span] = []
    for _length, start, window, target in sorted(matches, reverse=True):
        span = set(range(start, start + window))
        if not span & used:
            used |= span
            spans.append((start, window, target))
    return tuple(spans)


def _window_at(words: tuple[str, ...], tokens: list[str], start: int) -> int:
    """How many typed words from `start` the phrase covers (0: it is not there). An article
    typed inside the phrase is skipped: "ndir l'cooperative online" (normalised "ndir l
    cooperative online") is "ndir cooperative online"."""
    at = start
    for number, word in enumerate(words):
        while number and at < len(tokens) and tokens[at] in _ELIDED and word != tokens[at]:
            at += 1
        if at >= len(tokens) or not _token_matches(word, tokens[at]):
            return 0
        at += 1
    return at - start


@dataclass(frozen=True)
class Named:
    item_id: str
    strong: bool  # named by a phrase of several words ("compte bancaire", "dar al moukawil")
    also: frozenset[str] = frozenset()  # other items the message names


def item_named(text: str, topic: str | None = None) -> Named | None:
    """The content item the message names most by its own words, if any; of two named as
    much, the one the conversation moves to rather than the last topic ("وفين نتكون
    فالماركوتينغ؟" after the logo: the training)."""
    scores = _scores(_item_lexicon(), text)
    if not scores:
        return None
    best = max(scores, key=lambda target: (scores[target], target != topic))
    return Named(best, strong=scores[best][1] >= 2, also=frozenset(scores) - {best})


def aspects_named(text: str) -> list[str]:
    """The aspects ("rate", "duration", "documents"…) the message asks about; who issues
    is asked of the other, when there is one ("la garantie chkon kay3tiha": the guarantee's
    answer says who gives it)."""
    if _asks_how_much_alone(text):
        return [AMOUNT]
    ranked = _ranked(_aspect_lexicon(), text)
    asked = [aspect for aspect in ranked if aspect not in FRAMES]
    return asked or list(dict.fromkeys(ALONE_MEANS.get(aspect, aspect) for aspect in ranked))


def asks_to_borrow(text: str) -> bool:
    """ "quelle banque prête ?", «بغيت كريدي»: a loan, not the bank account."""
    return _says("lending", text)


def _asks_how_much_alone(text: str) -> bool:
    """ "w ch7al?", "وكم؟", "et combien ?": the whole message asks how much."""
    return normalize(text).strip(" ?!.") in _how_much_alone()


@cache
def _how_much_alone() -> frozenset[str]:
    return frozenset(normalize(str(words)) for words in followups()["how_much_alone"])


def aspects_beside_items(text: str) -> list[str]:
    """The aspects asked by words that do not name an item: in "w imta nakhod ra9m dyal
    tasjil?" the registration ("tasjil") is part of the number's name, only "imta" asks."""
    if _asks_how_much_alone(text):
        return [AMOUNT]
    tokens = normalize(text).split()
    naming = _words_in(_spans(_item_lexicon(), tokens))
    beside = {
        ALONE_MEANS.get(target, target)
        for start, length, target in _spans(_aspect_lexicon(), tokens)
        if not set(range(start, start + length)) <= naming
    }
    return [aspect for aspect in aspects_named(text) if aspect in beside]


def asks_support(text: str) -> bool:
    """ "wach kayn d3m l3yalat?", "دعم خاص بالنساء": support for someone, not who may have
    the last answer's topic (but "peuvent-elles avoir cette aide ?" points back to it)."""
    return "support" in aspects_named(text) and not refers_back(text)


def named_by_aspect_words(text: str) -> bool:
    """Every word that names an item also asks an aspect: "est-ce que les femmes
    peuvent ?" asks who may, it does not name women's cooperatives (but "où déposer le
    dossier ?" names the court's step with a word, "déposer", that asks nothing)."""
    tokens = normalize(text).split()
    aspect_words = _words_in(_spans(_aspect_lexicon(), tokens))
    item_words = _words_in(_spans(_item_lexicon(), tokens))
    return bool(item_words) and item_words <= aspect_words


def _words_in(spans: tuple[Span, ...]) -> set[int]:
    return {i for start, length, _target in spans for i in range(start, start + length)}


UNKNOWN = "unknown"
ITSELF = "itself"
ISSUER = "issuer"
AMOUNT = "amount"
ELIGIBILITY = "eligibility"
# aspects asked only when the message asks nothing else; "can I…?" or a group of people
# alone asks who may
ALONE_MEANS = {"can": ELIGIBILITY, "people": ELIGIBILITY}
FRAMES = frozenset({ISSUER, *ALONE_MEANS})


def answer_for(topic: str, aspect: str) -> str | None:
    """The item that answers this aspect of the topic (the topic itself where its own
    answer says it), UNKNOWN where the sources have no confirmed answer, None where the
    topic's own answer is the best there is."""
    table = followups()
    by_topic = (table.get("by_topic") or {}).get(topic) or {}
    by_family = (table.get("by_family") or {}).get(family(topic)) or {}
    target = by_topic.get(aspect) or by_family.get(aspect)
    return topic if target == ITSELF else target


@dataclass(frozen=True)
class GroupItem:
    item_id: str
    of_family: bool  # the topic's family has an item for that group (the young cooperators)


def group_item(topic: str, text: str) -> GroupItem | None:
    """The item for a group of people the message names ("et les jeunes ?"), when it is
    not the topic itself: the one of the topic's family, else the group's own."""
    for name, group in (followups().get("groups") or {}).items():
        if _says_group(name, text):
            of_family = (group.get("by_family") or {}).get(family(topic))
            item = str(of_family or group["item"])
            return None if item == topic else GroupItem(item, of_family is not None)
    return None


def _says_group(name: str, text: str) -> bool:
    return bool(_scores(_group_lexicon(name), text))


@cache
def _group_lexicon(name: str) -> Lexicon:
    return _lexicon({name: followups()["groups"][name]["words"]})


def sources_asked(text: str) -> bool:
    """ "ما مصدرك؟", "mnin jbti hadchi?", "c'est quoi ta source ?" (short messages only)."""
    return len(text.split()) <= 8 and _says("sources", text)


def refers_back(text: str) -> bool:
    """ "c'est un prêt ?", "هل هي قرض؟", "w hiya fin kayna?": about the last answer."""
    return _says("refers_back", text)


def names_creation(text: str) -> bool:
    """ "quels papiers pour créer une coopérative ?", "شنو الوراق باش نأسس؟": the creation."""
    return _says("creation", text)


def asks_next_step(text: str) -> bool:
    """ "w mn ba3d chno?", "et après ?", "وبعد ذلك؟": a short question for what follows."""
    return len(text.split()) <= NEXT_STEP_WORDS and _says("next_step", text)


def step_after(topic: str) -> str | None:
    """The step after an answer that is not a step itself (the members: the name)."""
    return (followups().get("step_after") or {}).get(topic)


def asks_to_join(text: str, topic: str | None) -> bool:
    """ "on peut s'inscrire ?" right after a programme or a prize: how to take part in it,
    not a subscription to the news."""
    return (
        topic is not None
        and "join" in aspects_named(text)
        and answer_for(topic, "join") is not None
    )


def who_to_ask(topic: str) -> str:
    return str((followups().get("ask") or {}).get(family(topic), "delegation"))
