"""Greeting, menu and goodbye."""

from bot.flows.base import Turn, with_menu
from bot.i18n import _
from bot.messages import Outbound


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
