"""Formalising an informal activity: three questions, then the route that fits."""

from __future__ import annotations

from bot.flows.answers import answer_item_id
from bot.flows.base import Turn
from bot.flows.questionnaire import Option, Question, Questionnaire, Slots
from bot.i18n import _
from bot.messages import Outbound

QUESTIONS = (
    Question(
        "activity",
        lambda: _("What is your activity?"),
        (
            Option("food", lambda: _("Food made at home")),
            Option("crafts", lambda: _("Crafts")),
            Option("trade", lambda: _("Selling, trade")),
            Option("services", lambda: _("Services")),
            Option("agriculture", lambda: _("Agriculture")),
        ),
    ),
    Question(
        "people",
        lambda: _("Do you work alone or with others?"),
        (
            Option("alone", lambda: _("Alone")),
            Option("few", lambda: _("With 2 to 4 people")),
            Option("group", lambda: _("With 5 or more")),
        ),
    ),
    Question(
        "area",
        lambda: _("Where do you work?"),
        (Option("rural", lambda: _("Rural area")), Option("urban", lambda: _("In town"))),
    ),
)


def conclude(turn: Turn, slots: Slots) -> list[Outbound]:
    """Five people or more can found a cooperative; fewer should compare other statuses."""
    route = "formalize.together" if slots["people"] == "group" else "formalize.alone"
    return answer_item_id(turn, route)


FORMALIZE = Questionnaire("formalize", QUESTIONS, conclude)
