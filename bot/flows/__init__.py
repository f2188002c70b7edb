"""Wiring: which handler answers which intent and which button. No logic here."""

from collections.abc import Callable

from bot.flows import (
    capsules,
    handoff,
    language,
    navigation,
    privacy,
    reminders,
    smalltalk,
    subscriptions,
)
from bot.flows.base import Turn
from bot.flows.financing_finder import FINANCING_FINDER
from bot.flows.formalize import FORMALIZE
from bot.flows.questionnaire import Questionnaire
from bot.messages import Outbound

Handler = Callable[[Turn], list[Outbound]]

INTENT_HANDLERS: dict[str, Handler] = {
    "greeting": smalltalk.greet,
    "help_menu": smalltalk.show_menu,
    "thanks_goodbye": smalltalk.goodbye,
    "change_language": language.change_language,
    "set_reminder": reminders.start_from_text,
    "my_reminders": reminders.my_reminders,
    "delete_my_data": privacy.ask_to_erase,
    "watch_capsules": capsules.browse,
    "talk_to_advisor": handoff.request,
}

KIND_HANDLERS: dict[str, Callable[[Turn, str], list[Outbound]]] = {
    "capsule": capsules.send,
    "rate": handoff.rate,
    "sources": navigation.sources_of,
    "consent": subscriptions.consent,
    "stop": subscriptions.stop,
}

PAYLOAD_HANDLERS: dict[str, Handler] = {
    privacy.ERASE: privacy.erase,
    "intent:delete_my_data": privacy.chosen,
}

MENU_HANDLERS: dict[str, Handler] = {
    "main": smalltalk.show_menu,
    "language": language.ask_language,
    "news": subscriptions.choose,
}

GuidedFlow = Questionnaire | reminders.ReminderFlow

GUIDED_FLOWS: dict[str, GuidedFlow] = {
    FINANCING_FINDER.name: FINANCING_FINDER,
    FORMALIZE.name: FORMALIZE,
    reminders.REMINDERS.name: reminders.REMINDERS,
}
