"""Deciding the reply to one inbound message, given the conversation so far.

Order: an exact choice (button, menu number or label) wins; then a flow waiting for an
answer; then the classifier, whose confidence decides between acting, asking "did you
mean…?", and saying what the bot can do.
"""

from __future__ import annotations

from dataclasses import replace

from bot.flows import (
    GUIDED_FLOWS,
    INTENT_HANDLERS,
    KIND_HANDLERS,
    MENU_HANDLERS,
    PAYLOAD_HANDLERS,
    GuidedFlow,
    handoff,
)
from bot.flows.answers import answer_intent, answer_item_id
from bot.flows.base import Turn, chosen_payload
from bot.flows.clarify import (
    did_you_mean,
    empty_message,
    not_understood,
    outside_scope,
    unreadable_media,
)
from bot.flows.language import choose_language
from bot.flows.onboarding import (
    language_is_clear,
    remember_first_question,
    take_first_question,
    welcome_and_ask_language,
)
from bot.flows.smalltalk import show_menu, welcome
from bot.i18n import _, use_language
from bot.messages import Media, Outbound
from bot.nlu import OUT_OF_SCOPE, Understand, Understanding
from bot.nlu.normalize import clean


def respond(turn: Turn, understand: Understand) -> list[Outbound]:
    with use_language(turn.language):
        outbounds = [_labelled(o) for o in _decide(turn, understand)]
    offered = next((o.buttons for o in reversed(outbounds) if o.buttons), None)
    if offered is not None:
        turn.conversation.offered = [[b.payload, b.title] for b in offered]
    return outbounds


def _labelled(outbound: Outbound) -> Outbound:
    """Many choices show as a list on small screens; the list needs a label in this language."""
    if len(outbound.buttons) > 3 and not outbound.list_label:
        return replace(outbound, list_label=_("Choose"))
    return outbound


def _decide(turn: Turn, understand: Understand) -> list[Outbound]:
    if turn.handoff is not None:
        return handoff.during(turn, understand)
    inbound = turn.inbound
    payload = inbound.payload or chosen_payload(inbound.text, turn.conversation.offered)
    if payload:
        return _on_payload(turn, payload, understand)
    text = clean(inbound.text)
    flow = GUIDED_FLOWS.get(turn.conversation.flow or "")
    if not text and inbound.media != Media.none and getattr(flow, "reads_media", False):
        return flow.read(turn)
    if not text:
        return unreadable_media(turn) if inbound.media != Media.none else empty_message(turn)
    turn.understanding = understand(text)
    if turn.conversation.language is None:
        return _first_contact(turn)
    if flow:
        return _in_flow(turn, flow)
    return _on_text(turn)


def _in_flow(turn: Turn, flow: GuidedFlow) -> list[Outbound]:
    """A typed answer moves on; a confident question about something else leaves."""
    answered = flow.read(turn)
    if answered is not None:
        return answered
    understanding = turn.understanding
    if understanding.intent != OUT_OF_SCOPE and (
            understanding.confidence >= turn.settings.act_threshold):
        turn.conversation.leave_flow()
        return _on_text(turn)
    return flow.ask_again(turn)


def _first_contact(turn: Turn) -> list[Outbound]:
    """A greeting alone says nothing sure about the language (السلام عليكم is both)."""
    if turn.understanding.intent == "greeting" or not language_is_clear(turn):
        remember_first_question(turn)
        return welcome_and_ask_language(turn)
    turn.conversation.language = turn.understanding.language
    with use_language(turn.language):
        return [welcome(), *_on_text(turn)]


def _on_payload(turn: Turn, payload: str, understand: Understand) -> list[Outbound]:
    kind, _separator, value = payload.partition(":")
    if kind in GUIDED_FLOWS:
        return GUIDED_FLOWS[kind].answer(turn, value)
    if kind in KIND_HANDLERS:
        return KIND_HANDLERS[kind](turn, value)
    if payload in PAYLOAD_HANDLERS:
        return PAYLOAD_HANDLERS[payload](turn)
    if kind == "lang" and value in ("ary", "ar", "fr"):
        return _chose_language(turn, value, understand)
    turn.conversation.leave_flow()
    if kind == "intent":
        return _act(turn, value)
    if kind == "item":
        return answer_item_id(turn, value)
    return MENU_HANDLERS.get(value, show_menu)(turn)


def _chose_language(turn: Turn, language: str, understand: Understand) -> list[Outbound]:
    first_question = take_first_question(turn)
    if first_question is None:
        return choose_language(turn, language)
    turn.conversation.language = language
    turn.understanding = understand(first_question)
    with use_language(language):
        return _on_text(turn)


def _on_text(turn: Turn) -> list[Outbound]:
    """Act when sure; when unsure, offer the likely topics; otherwise say what Fadaa covers."""
    understanding = turn.understanding
    settings = turn.settings
    if understanding.intent == OUT_OF_SCOPE:
        sure = understanding.confidence >= settings.out_of_scope_threshold
        candidates = [] if sure else _candidates(understanding, settings.clarify_threshold / 3)
        return did_you_mean(turn, candidates) if candidates else outside_scope(turn)
    if understanding.confidence >= settings.act_threshold:
        turn.conversation.misunderstandings = 0
        return _act(turn, understanding.intent)
    candidates = _candidates(understanding, settings.clarify_threshold / 2)
    if understanding.confidence >= settings.clarify_threshold and candidates:
        return did_you_mean(turn, candidates)
    return not_understood(turn)


def _candidates(understanding: Understanding, floor: float) -> list[str]:
    return [intent for intent, probability in understanding.top[:3]
            if intent != OUT_OF_SCOPE and probability >= floor][:2]


def _act(turn: Turn, intent: str) -> list[Outbound]:
    handler = INTENT_HANDLERS.get(intent)
    return handler(turn) if handler else answer_intent(turn, intent)
