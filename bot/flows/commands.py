"""Slash commands (/start, /help, /menu, /language, /stop): read before any understanding.

"/start" is the first thing every Telegram user sends, possibly with a deep-link payload
(t.me/<bot>?start=intilaka): an intent id or a content item id with "_" for ".".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.content import known_intents
from bot.flows import language, navigation, smalltalk
from bot.flows.base import Turn
from bot.messages import Outbound

_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?(?:\s+(\S+))?\s*$")


def command_of(text: str) -> tuple[str, str] | None:
    """("start", "intilaka") for "/start intilaka"; None for anything else."""
    match = _COMMAND.match(text.strip())
    return (match.group(1).lower(), match.group(2) or "") if match else None


def deep_link_payload(turn: Turn, argument: str) -> str | None:
    """The button payload a /start argument stands for, if it names something we have
    ("intilaka", "Intilaka", "financing_intilaka")."""
    argument = argument.lower()
    if argument in known_intents():
        return f"intent:{argument}"
    for separator in ("_", "-"):
        item_id = argument.replace(separator, ".")
        if turn.content.get(item_id):
            return f"item:{item_id}"
    return None


def leaves_flow(handler: Callable[[Turn], list[Outbound]]) -> Callable[[Turn], list[Outbound]]:
    def run(turn: Turn) -> list[Outbound]:
        turn.conversation.leave_flow()
        return handler(turn)

    return run


COMMANDS: dict[str, Callable[[Turn], list[Outbound]]] = {
    "start": leaves_flow(smalltalk.show_menu),
    "help": leaves_flow(smalltalk.show_menu),
    "menu": leaves_flow(smalltalk.show_menu),
    "language": language.ask_language,
    "stop": navigation.cancelled,
}
