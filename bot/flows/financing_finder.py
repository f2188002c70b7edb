"""Financing finder: a few questions, then the programmes that may fit, each with its terms.

Which programme fits what comes from each content item's `match` block, not from code.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from bot.content import Item
from bot.flows.base import Turn, menu_button
from bot.flows.questionnaire import Option, Question, Questionnaire, Slots
from bot.i18n import _, format_number
from bot.messages import Button, Outbound
from bot.nlu.normalize import normalize

AMOUNT_BANDS = (50_000, 300_000, 1_200_000)
_NUMBER = re.compile(r"(\d{1,3}(?:[ .,]\d{3})+|\d+(?:[.,]\d+)?)\s*([^\d\s]*)\s*([^\d\s]*)")
_THOUSANDS = {"k", "alf", "الف", "آلاف", "الاف"}
_MILLIONS = {"m", "million", "millions", "mlyon", "melyoun", "mliyon", "مليون", "ملايين", "مليار"}
_DIRHAMS = {"dh", "dhs", "mad", "dirham", "dirhams", "درهم", "دراهم"}


def read_amount(text: str) -> str | None:
    """An amount in dirhams. "20 مليون" without "درهم" is the spoken 20 million centimes."""
    match = _NUMBER.search(normalize(text))
    if not match:
        return None
    number = float(re.sub(r"[ .,](?=\d{3}\b)", "", match.group(1)).replace(",", "."))
    unit, after = match.group(2), match.group(3)
    if unit in _THOUSANDS:
        number *= 1_000
    elif unit in _MILLIONS:
        number *= 1_000_000 if after in _DIRHAMS else 10_000
    return str(int(number))


def _up_to(limit: int) -> str:
    return _("Up to {amount} DH").format(amount=format_number(limit))


def _amount_options() -> tuple[Option, ...]:
    bands = tuple(Option(str(limit), partial(_up_to, limit)) for limit in AMOUNT_BANDS)
    beyond = Option(
        str(AMOUNT_BANDS[-1] * 4),
        lambda: _("More than {amount} DH").format(amount=format_number(AMOUNT_BANDS[-1])),
    )
    return (*bands, beyond)


QUESTIONS = (
    Question(
        "stage",
        lambda: _("Is your cooperative already created?"),
        (
            Option("in_creation", lambda: _("Not yet")),
            Option("created", lambda: _("Already created")),
        ),
    ),
    Question(
        "age",
        lambda: _("How old is it?"),
        (
            Option("young", lambda: _("Under 5 years")),
            Option("older", lambda: _("5 years or more")),
        ),
        ask_if=lambda slots: slots.get("stage") == "created",
    ),
    Question(
        "sector",
        lambda: _("What is its main activity?"),
        (
            Option("agriculture", lambda: _("Agriculture")),
            Option("crafts", lambda: _("Crafts")),
            Option("services", lambda: _("Trade, services")),
            Option("other", lambda: _("Other")),
        ),
    ),
    Question(
        "area",
        lambda: _("Where is it?"),
        (Option("rural", lambda: _("Rural area")), Option("urban", lambda: _("In town"))),
    ),
    Question(
        "audience",
        lambda: _("Are the members mostly women or young people (18-34)?"),
        (
            Option("women", lambda: _("Women")),
            Option("youth", lambda: _("Young people")),
            Option("both", lambda: _("Both")),
            Option("none", lambda: _("Neither")),
        ),
    ),
    Question(
        "amount",
        lambda: _("About how much do you need? Choose or write the amount."),
        _amount_options(),
        read_text=read_amount,
    ),
)


def fits(match: dict[str, Any], slots: Slots) -> bool:
    """Whether a programme's `match` block admits these answers."""
    if slots["stage"] not in match.get("stage", ("in_creation", "created")):
        return False
    too_old = slots.get("age") == "older" and "max_age_years" in match
    if too_old and slots["sector"] not in match.get("age_exempt_sectors", ()):
        return False
    if slots["area"] not in match.get("area", ("rural", "urban")):
        return False
    wanted = set(match.get("audience", ["any"]))
    members = {"women", "youth"} if slots["audience"] == "both" else {slots["audience"]}
    if "any" not in wanted and not wanted & members:
        return False
    return bool(int(slots["amount"]) <= match.get("max_amount_dh", float("inf")))


def conclude(turn: Turn, slots: Slots) -> list[Outbound]:
    language = turn.language
    matching = matching_items(list(turn.content.items.values()), slots)
    banks = turn.content.get("financing.banks")
    options = [*matching, *([banks] if banks else [])]
    text = "\n\n".join(
        [
            _(
                "For a need of about {amount} DH, these programmes may fit. Open each one for its "
                "terms; they change, so confirm the current terms with a bank or the body "
                "concerned."
            ).format(amount=format_number(int(slots["amount"]))),
            _(
                "The 2020 Covid products (Relance TPE, Damane Relance) were measures of that year; "
                "ask a bank what exists today."
            ),
        ]
    )
    buttons = [Button(f"item:{item.id}", item.title[language]) for item in options]
    advisor = Button("intent:talk_to_advisor", _("Talk to an advisor"))
    return [Outbound(text, (*buttons[:8], advisor, menu_button()), list_label=_("Programmes"))]


FINANCING_FINDER = Questionnaire("finder", QUESTIONS, conclude)


def matching_items(items: list[Item], slots: Slots) -> list[Item]:
    return [item for item in items if item.match and fits(item.match, slots)]
