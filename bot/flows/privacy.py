"""What is stored, and erasing it on request.

A message the classifier reads as "delete my data" asks for the confirmation only when it
has an erasing word (bot/nlu/privacy_words.yaml); otherwise it is a question about the
data ("où sont mes données ?", «شنو كتسجلو عليا؟»), answered with what Fadaa keeps and the
same erase button: nothing is erased without it.
"""

from bot.effects import EraseUser
from bot.flows.base import Turn, menu_button
from bot.i18n import _
from bot.messages import Button, Outbound
from bot.nlu.privacy import about_the_cooperative, asks_about_my_data, asks_to_erase

ERASE = "privacy:erase"


def ask_to_erase(turn: Turn) -> list[Outbound]:
    """The delete_my_data intent: the confirmation, or what is kept when it is a question."""
    text = turn.inbound.text
    if asks_to_erase(text):
        return confirm(turn)
    if about_the_cooperative(text):
        return nothing_about_the_cooperative(turn)
    return what_is_kept(turn)


def asked(turn: Turn) -> list[Outbound] | None:
    """ "vous gardez quoi sur moi ?", whatever the classifier makes of it; None otherwise."""
    return what_is_kept(turn) if asks_about_my_data(turn.inbound.text) else None


def chosen(turn: Turn) -> list[Outbound]:
    """ "Delete my data" chosen among the topics offered: the confirmation."""
    turn.conversation.leave_flow()
    return confirm(turn)


def confirm(turn: Turn) -> list[Outbound]:
    return [
        Outbound(
            _(
                "This erases your messages, your reminders and your conversation with Fadaa. "
                "Are you sure?"
            ),
            (Button(ERASE, _("Yes, erase everything")), menu_button()),
        )
    ]


def what_is_kept(turn: Turn) -> list[Outbound]:
    """What Fadaa keeps and for how long, with the erase button second (a typed "ok" to
    this answer is not a yes to erasing)."""
    text = " ".join(
        (
            _(
                "Fadaa, ODCO's assistant, keeps your messages (to answer you), your reminders, "
                "where our conversation stands (language, step, your answers), the news you "
                "asked to receive and, if you talked with an advisor, that conversation."
            ),
            _("Messages older than {days} days are erased automatically.").format(
                days=turn.settings.message_retention_days
            ),
            _('To erase all of it now, choose "Erase everything".'),
        )
    )
    return [Outbound(text, (menu_button(), Button(ERASE, _("Erase everything"))))]


def nothing_about_the_cooperative(turn: Turn) -> list[Outbound]:
    return [
        Outbound(
            _(
                "Fadaa keeps nothing about your cooperative, so there is nothing to change "
                "here. For your cooperative's records, ask ODCO's regional delegation "
                "(www.odco.gov.ma)."
            ),
            (menu_button(),),
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
