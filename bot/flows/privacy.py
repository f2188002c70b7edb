"""What is stored, and erasing it on request."""

from bot.effects import EraseUser
from bot.flows.base import Turn, menu_button
from bot.i18n import _
from bot.messages import Button, Outbound


def ask_to_erase(turn: Turn) -> list[Outbound]:
    return [
        Outbound(
            _(
                "This erases your messages, your reminders and your conversation with Fadaa. "
                "Are you sure?"
            ),
            (Button("privacy:erase", _("Yes, erase everything")), menu_button()),
        )
    ]


def erase(turn: Turn) -> list[Outbound]:
    turn.effects.append(
        EraseUser(
            _(
                "Done: everything Fadaa stored about you is erased. "
                "If you write again, we start afresh."
            )
        )
    )
    return []


def notice() -> str:
    return _(
        'I keep your messages to answer you. Write "delete my data" at any time to erase them.'
    )
