"""Continuing on a phone: a browser tab cannot ring, Telegram and WhatsApp can. The web page
offers the links (bot/web_links.py); the other channel welcomes the conversation."""

from bot.flows.base import Turn, with_menu
from bot.i18n import _
from bot.messages import Button, Outbound

WEB = "web"
CONTINUE = "web:continue"  # the page opens its Telegram / WhatsApp links for this button


def welcome(turn: Turn) -> list[Outbound]:
    """The link code arrived on Telegram or WhatsApp."""
    return with_menu(
        _(
            "Welcome! If you came from ODCO's website, your conversation continues here, "
            "and your reminders will reach you here."
        )
    )


def offer_on_the_web(turn: Turn) -> list[Outbound]:
    """After a reminder is set in the browser: it can only ring on a phone."""
    if turn.inbound.channel != WEB:
        return []
    return [
        Outbound(
            _(
                "A browser tab cannot remind you. Continue on Telegram or WhatsApp: "
                "your conversation, reminders and news go with you."
            ),
            (Button(CONTINUE, _("Continue on your phone")),),
        )
    ]
