"""Choosing and changing the conversation language (and, for Darija, its script)."""

import re

from bot.flows.base import Turn
from bot.flows.navigation import is_yes
from bot.flows.smalltalk import show_menu
from bot.i18n import LATIN_DARIJA, _, use_language
from bot.messages import Button, Outbound
from bot.nlu import Understand, Understanding
from bot.nlu.normalize import normalize
from bot.nlu.reading import asks_question

LANGUAGE_BUTTONS = (
    Button("lang:ary", "الدارجة"),
    Button("lang:ar", "العربية"),
    Button("lang:fr", "Français"),
    Button(f"lang:{LATIN_DARIJA}", "Darija (latin)"),
)
_NAMES = {
    "fr": (
        "français",
        "francais",
        "fransawi",
        "fransawiya",
        "french",
        "فرنسية",
        "الفرنسية",
        "بالفرنسية",
        "فرنساوية",
        "بالفرنساوية",
        "الفرونسي",
    ),
    "ar": (
        "arabe",
        "arabiya",
        "l'arabiya",
        "fos7a",
        "fusha",
        "العربية",
        "بالعربية",
        "الفصحى",
        "بالفصحى",
        "عربية",
        "العربية الفصحى",
    ),
    "ary": (
        "darija",
        "darja",
        "derija",
        "الدارجة",
        "بالدارجة",
        "دارجة",
        "marocain",
        "l3arbiya",
        "l3arabiya",
        "3arbiya",
        "3arbia",
        "l3arbia",
        "3arabia",
        "l3arabia",
        "b l7rouf l3arbiya",
        "l7rouf l3arbiya",
        "الحروف العربية",
        "بالحروف العربية",
        "lettres arabes",
    ),
    LATIN_DARIJA: (
        "latin",
        "latine",
        "latines",
        "l7rouf latin",
        "l7rouf latiniya",
        "latiniya",
        "arabizi",
        "lettres latines",
        "en lettres latines",
        "الحروف اللاتينية",
        "بالحروف اللاتينية",
        "بالاتيني",
        "darija latin",
        "darija b latin",
    ),
}
_NAMED = {language: {normalize(n) for n in names} for language, names in _NAMES.items()}
_DARIJA_ONLY = {normalize(n) for n in ("darija", "darja", "derija", "marocain")}  # no script named


def ask_language(turn: Turn) -> list[Outbound]:
    return [Outbound(_("Which language do you prefer?"), LANGUAGE_BUTTONS)]


def change_language(turn: Turn) -> list[Outbound]:
    """Switch at once when the message names a language, otherwise ask."""
    named = requested_language(turn.inbound.text, lambda _text: turn.understood)
    if not named:
        return ask_language(turn)
    turn.conversation.context[CHOSEN] = True
    return choose_language(turn, named)


# a language asked for, or changed from the menu, stays whatever script the user writes
# in; the first choice (the welcome's buttons) is a starting point: a user who tapped
# "الدارجة" and then writes Arabizi is answered in it
CHOSEN = "language_chosen"


def choose_language(turn: Turn, language: str) -> list[Outbound]:
    turn.conversation.language = language
    with use_language(language):
        return show_menu(turn)


def requested_language(text: str, understand: Understand) -> str | None:
    """The language a message asks for: the longest name it contains wins
    ("b l7rouf l3arbiya" names Darija letters, not "l3arbiya" alone)."""
    words = " {} ".format(re.sub(r"[^\w' ]+", " ", normalize(text)))
    found = [
        (len(name), language, name)
        for language, names in _NAMED.items()
        for name in names
        if f" {name} " in words or f" b{name} " in words
    ]
    if not found:
        return None
    _length, language, name = max(found)
    # the turn's own reading (computed once, ahead of the turn), asked only for a bare "darija"
    if name in _DARIJA_ONLY and reply_language(understand(text)) == LATIN_DARIJA:
        return LATIN_DARIJA  # "bdel logha l darija", asked in Arabizi: answered in it
    return language


# a request and the question that goes with it: "je préfère continuer en français : est-ce
# que…", "بالعربية من فضلك، ما هي…"
_PARTS = re.compile(r"(?<=[.!?؟:\n])\s*|[،,;؛]\s+")
QUESTION_WORDS = 3


def question_beside_request(text: str, understand: Understand) -> tuple[str, Understanding] | None:
    """The question a message asks beside its request for a language, and its reading:
    after "Excusez-moi, je préfère continuer en français :" comes what is asked. The parts
    that name a language, or ask nothing, are the request."""
    parts = [part.strip() for part in _PARTS.split(text) if part and part.strip()]
    questions = [
        part
        for part in parts
        if len(part.split()) >= QUESTION_WORDS
        and asks_question(part)
        and requested_language(part, understand) is None
    ]
    if not questions or len(parts) < 2:
        return None
    question = questions[-1]
    reading = understand(question)
    return (question, reading) if reading.intent != "change_language" else None


def reply_language(understanding: Understanding) -> str | None:
    """The reply language for a detected one: Darija is answered in the script it was written in."""
    if understanding.language == "ary" and understanding.script == "latn":
        return LATIN_DARIJA
    return understanding.language


SENTENCE_WORDS = 4  # shorter messages ("merci", "ok", "la coopérative") switch nothing
SWITCH_CONFIDENCE = 0.9
SCRIPT_MOVED_CONFIDENCE = 0.75
LATIN_LANGUAGES = frozenset({"fr", LATIN_DARIJA})
SCRIPT_WORDS = 2  # a Darija reader's new script shows in words, not in one ("ok", "wakha")
_SPOKEN = re.compile(r"[aeiouyàâäéèêëîïôöûùü23579]", re.IGNORECASE)  # Arabizi digits are vowels too
_CONFUSABLE = {"ar", "ary"}  # one script, shared words: a sentence may read as either
_SOCIAL = {"greeting", "thanks_goodbye"}  # "ok merci", "wakha chokran": said in any script


def _keys_typed_by_mistake(turn: Turn) -> bool:
    """ "xqzv qsd": Latin words none of which has a vowel switch nothing."""
    words = turn.inbound.text.split()
    return all(word.isascii() and not _SPOKEN.search(word) for word in words)


def follows_switch(turn: Turn, understanding: Understanding) -> str | None:
    """The language to answer in from now on, when the user has moved to another one:
    a Darija reader who switches script, or anyone who writes a whole sentence plainly in
    another language (an Arabizi writer who goes on in French). Not when they chose the
    language themselves, not between Arabic and Darija in Arabic letters, and not for a
    word of acknowledgement or thanks ("ok", "d'accord", "مزيان")."""
    current = turn.conversation.language
    detected = reply_language(understanding)
    if (
        detected is None
        or detected == current
        or turn.conversation.context.get(CHOSEN)
        or {current, detected} <= _CONFUSABLE
        or understanding.intent in _SOCIAL
        or is_yes(turn.inbound.text)
    ):
        return None
    darija = {"ary", LATIN_DARIJA}
    if current in darija and detected in darija:
        words = len(turn.inbound.text.split())
        confident = understanding.language_confidence >= 0.8
        typed = words >= SCRIPT_WORDS and confident and not _keys_typed_by_mistake(turn)
        return detected if typed else None
    sentence = len(turn.inbound.text.split()) >= SENTENCE_WORDS
    return (
        detected
        if sentence and understanding.language_confidence >= _needed(current, understanding)
        else None
    )


def _needed(current: str | None, understanding: Understanding) -> float:
    """How sure of the new language the reading must be: a sentence in the other script
    has already shown the move ("quelle loi encadre les coopératives ?" in an Arabic
    conversation), only French or Darija in Latin letters is left to tell apart."""
    written_in = "latn" if current in LATIN_LANGUAGES else "arab"
    return SCRIPT_MOVED_CONFIDENCE if understanding.script != written_in else SWITCH_CONFIDENCE
