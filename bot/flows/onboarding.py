"""First contact: answer in the language the first message shows; otherwise ask once.

A greeting alone in Latin letters is welcomed in French or Darija in Latin letters, as its
words say ("bonjour", "salam"). A greeting alone in Arabic letters, an emoji or "ok" says
nothing sure about the language (السلام عليكم is both Darija and Arabic): the bot asks
once, in three short lines with buttons, and keeps any question for after the choice. The
next message with words in it *is* the choice.
"""

from bot.flows.base import Turn
from bot.flows.language import LANGUAGE_BUTTONS, reply_language
from bot.flows.navigation import is_yes
from bot.flows.privacy import notice
from bot.i18n import LATIN_DARIJA, _, use_language
from bot.messages import Outbound
from bot.nlu.opening import ANY, greeting_language

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


def greeted_in_latin(turn: Turn) -> str | None:
    """The language a greeting alone in Latin letters is welcomed in, without asking.

    Whoever greets in Latin letters reads them, and the language question would answer
    them in Arabic letters too. Latin letters leave French or Darija, and the greeting's
    words say which (bot/nlu/opening_words.yaml): "bonjour", "slt", "bonsoir madame" are
    French; "salam", "labas?", "sbah lkhir" Darija, which wins in a mix ("bjr labas"), as
    one Arabizi word makes a Latin message Darija. The NLU's language is unsure on one word
    (it is trained on "salam" in French and "bonjour" in Darija, and reads "salut" as
    Darija), so it only decides a greeting the lists leave open ("hello") or do not know;
    it picks among the Latin-letter languages, and the menu has the language button. In
    Arabic letters a greeting shows no difference between Arabic and Darija: the bot asks."""
    understanding = turn.understanding
    text = turn.inbound.text
    if not understanding or understanding.script != "latn" or turn.ask != text:
        return None  # Arabic letters, or more than a greeting ("salam, bghit…")
    shown = greeting_language(text)
    if shown not in (None, ANY):
        return shown
    if shown == ANY or understanding.intent == "greeting":
        return reply_language(understanding)
    return None


def settle_language(turn: Turn) -> None:
    """After asking once, the message itself decides (a Latin greeting alone as on first
    contact: "bonsoir" is French); a bare "d'accord" or «واخا» shows no language, so the
    greeting's guess does ("Bonjour" → French), else the default."""
    detected = greeted_in_latin(turn) or (
        reply_language(turn.understanding) if turn.understanding else None
    )
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
