"""First contact: greet, and settle the language unless the first message shows it."""

from bot.flows.base import Turn
from bot.flows.language import LANGUAGE_BUTTONS
from bot.flows.privacy import notice
from bot.i18n import _, use_language
from bot.messages import Outbound

PENDING_QUESTION = "pending_question"


def welcome_and_ask_language(turn: Turn) -> list[Outbound]:
    """One short greeting in each of the three languages, then the language buttons."""
    lines = []
    for language in ("ary", "ar", "fr"):
        with use_language(language):
            lines.append(_("Welcome to Fadaa, the assistant for cooperatives. "
                           "Which language do you prefer?") + "\n" + notice())
    return [Outbound("\n\n".join(lines), LANGUAGE_BUTTONS)]


def remember_first_question(turn: Turn) -> None:
    if turn.understanding and turn.understanding.intent not in ("greeting", "out_of_scope"):
        turn.conversation.slots[PENDING_QUESTION] = turn.inbound.text[:1000]


def take_first_question(turn: Turn) -> str | None:
    return turn.conversation.slots.pop(PENDING_QUESTION, None)


def language_is_clear(turn: Turn) -> bool:
    understanding = turn.understanding
    return bool(
        understanding
        and understanding.language
        and understanding.language_confidence >= 0.8
        and len(turn.inbound.text.split()) >= 2
    )
