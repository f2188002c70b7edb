"""Greeting, menu, goodbye, and a calm answer to rudeness."""

import re
from functools import cache
from pathlib import Path

from bot.content import read_yaml
from bot.flows.base import Turn, with_menu
from bot.i18n import _
from bot.messages import Outbound
from bot.nlu.normalize import normalize

WORDS_FILE = Path(__file__).with_name("smalltalk_words.yaml")
_PUNCTUATION = re.compile(r"[^\w' ]+")


def greet(turn: Turn) -> list[Outbound]:
    return with_menu(_("Welcome! I am Fadaa, the assistant for cooperatives. What do you need?"))


def acknowledge(turn: Turn) -> list[Outbound]:
    """ "ok", "مزيان", "d'accord" with nothing to confirm: noted, and what can come next."""
    return with_menu(_("Good! Write your question whenever you like, or choose a topic:"))


def show_menu(turn: Turn) -> list[Outbound]:
    return with_menu(_("Here is what I can help you with. Choose a topic or write your question."))


def goodbye(turn: Turn) -> list[Outbound]:
    return [
        Outbound(
            _("You are welcome! Write to me whenever you need. Good luck with your cooperative.")
        )
    ]


def is_rude(text: str) -> bool:
    """ "nta hmar", «انت مكلخ», "t'es nul": an insult or a rude remark at the assistant."""
    typed = " {} ".format(" ".join(_PUNCTUATION.sub(" ", normalize(text)).split()))
    return any(f" {phrase} " in typed for phrase in _rude_words())


@cache
def _rude_words() -> frozenset[str]:
    return frozenset(normalize(str(phrase)) for phrase in read_yaml(WORDS_FILE)["rude"])


def calm_reply(turn: Turn) -> list[Outbound]:
    """No lecture and no echo of the words: an apology, and the ways forward (the topics,
    a person from ODCO)."""
    return with_menu(
        _(
            "Sorry if my answers did not help. I am here to help with your cooperative: the "
            'topics are below, and "{choice}" puts you in touch with a person from ODCO.'
        ).format(choice=_("Talk to an advisor"))
    )
