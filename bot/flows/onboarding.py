"""First contact: answer in the language the first message shows; otherwise ask once.

A greeting alone, an emoji or "ok" says nothing sure about the language (السلام عليكم is
both Darija and Arabic): the bot asks once, in three short lines with buttons, and keeps
any question for after the choice. The next message with words in it *is* the choice.
"""

from bot.flows.base import Turn
from bot.flows.language import LANGUAGE_BUTTONS, reply_language
from bot.flows.navigation import is_yes
from bot.flows.privacy import notice
from bot.i18n import LATIN_DARIJA, _, use_language
from bot.messages import Outbound

ASKED = "asked_language"
PENDING_QUESTION = "pending_question"
NOTICED = "noticed"
GREETED_IN = "greeted_in"


def ask_language_once(turn: Turn) -> list[Outbound]:
    """One short line in each script a reader may need, then the language buttons."""
    turn.conversation.context[ASKED] = True
    if greeted_in := reply_language(turn.understanding) if turn.understanding else None:
        turn.conversation.context[GREETED_IN] = greeted_in
    lines = []
    for language in ("ary", LATIN_DARIJA, "fr"):
        with use_language(language):
            lines.append(_("Welcome to Fadaa! Which language do you prefer?"))
    return [Outbound("\n".join(lines), LANGUAGE_BUTTONS)]


def already_asked(turn: Turn) -> bool:
    return bool(turn.conversation.context.get(ASKED))


def remember_question(turn: Turn, text: str) -> None:
    turn.conversation.context[PENDING_QUESTION] = text[:1000]


def has_question(turn: Turn) -> bool:
    return PENDING_QUESTION in turn.conversation.context


def take_question(turn: Turn) -> str | None:
    question: str | None = turn.conversation.context.pop(PENDING_QUESTION, None)
    return question


CLEAR_WORDS = 3  # a sentence shows its language well enough to be answered in it


def language_is_clear(turn: Turn) -> bool:
    """A greeting alone shows no language (السلام عليكم is Arabic and Darija); the words
    after it may ("Bonjour, je suis Fatima de Taroudant"; in Arabic letters a name and a
    place seldom tell Arabic from Darija)."""
    understanding = turn.understanding
    if not understanding or not understanding.language:
        return False
    if understanding.intent == "greeting":
        after = turn.ask if turn.ask != turn.inbound.text else ""
        return len(after.split()) >= CLEAR_WORDS and understanding.language_confidence >= 0.8
    words = len(turn.inbound.text.split())
    return words >= CLEAR_WORDS or (words >= 2 and understanding.language_confidence >= 0.8)


def settle_language(turn: Turn) -> None:
    """After asking once, the message itself decides; a bare "d'accord" or «واخا» shows
    no language, so the greeting's guess does ("Bonjour" → French), else the default."""
    detected = reply_language(turn.understanding) if turn.understanding else None
    greeted_in = turn.conversation.context.pop(GREETED_IN, None)
    if greeted_in and is_yes(turn.inbound.text):
        detected = greeted_in
    turn.conversation.language = detected or turn.settings.default_language


def welcome_once(turn: Turn) -> list[Outbound]:
    """The welcome with the privacy notice, the first time a language is known."""
    if turn.conversation.context.get(NOTICED):
        return []
    turn.conversation.context[NOTICED] = True
    with use_language(turn.language):
        return [
            Outbound(_("Welcome! I am Fadaa, the assistant for cooperatives.") + "\n" + notice())
        ]


def welcoming(turn: Turn, replies: list[Outbound]) -> list[Outbound]:
    """The replies to a first message, welcomed once; the reply to a greeting ("Bonjour, je
    suis Fatima de Taroudant") welcomes already, so only the privacy notice follows it."""
    if turn.understood.intent != "greeting" or turn.conversation.context.get(NOTICED):
        return [*welcome_once(turn), *replies]
    turn.conversation.context[NOTICED] = True
    return [*replies, Outbound(notice())]
