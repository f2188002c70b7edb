"""Deciding the reply to one inbound message, given the conversation so far.

Order: advisors' queue > slash command > exact choice (button, shown number or label) >
steering words (back, menu, cancel, sources) > a flow waiting for an answer > first
contact > what the text names (a follow-up on the last topic, an item by its words) > the
classifier, whose confidence decides between acting, asking "did you mean…?", and saying
what the bot covers.
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
    continuing,
    handoff,
    navigation,
    onboarding,
    privacy,
    reminders,
    smalltalk,
    subscriptions,
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
from bot.flows.commands import COMMANDS, command_of, deep_link_payload
from bot.flows.language import (
    CHOSEN,
    choose_language,
    follows_switch,
    question_beside_request,
    requested_language,
)
from bot.flows.navigation import Steer
from bot.flows.questionnaire import Questionnaire
from bot.flows.smalltalk import acknowledge, show_menu
from bot.flows.topics import item_named, sources_asked
from bot.follow_ups import about_what_it_names
from bot.i18n import LANGUAGES, use_language
from bot.messages import Media, Outbound
from bot.nlu import OUT_OF_SCOPE, Understand, Understanding
from bot.nlu.consent import consent_request
from bot.nlu.normalize import clean, normalize
from bot.nlu.opening import after_opening
from bot.nlu.privacy import asks_to_erase, erasing_words
from bot.nlu.reading import read_message
from bot.web_links import code_in

CONFIRMATIONS = frozenset({privacy.ERASE, "reminder:confirm", "reminder:cancel-all:yes"})
NOT_OFFERED = frozenset({OUT_OF_SCOPE, "greeting", "thanks_goodbye"})


def respond(turn: Turn, understand: Understand) -> list[Outbound]:
    with use_language(turn.language):
        outbounds = _decide(turn, understand)
    offered = next((o.buttons for o in reversed(outbounds) if o.buttons), None)
    if offered is not None:
        turn.conversation.offered = [[b.payload, b.title] for b in offered]
    return outbounds


def _decide(turn: Turn, understand: Understand) -> list[Outbound]:
    inbound = turn.inbound
    saved = reminders.just_saved(turn)  # a change of its time may follow, on this turn only
    listed = reminders.just_listed(turn)  # so may "7ayedha", "بدلها ل 4"
    command = command_of(inbound.text) if not inbound.payload else None
    if turn.handoff is not None and command and (link := _deep_link(turn, *command)):
        return handoff.leave_for(turn, _on_payload(turn, link, understand))
    if turn.handoff is not None:
        return handoff.during(turn, understand, command=command is not None)
    if not inbound.payload and code_in(inbound.text):
        return continuing.welcome(turn)
    if command:
        return _on_command(turn, *command, understand=understand)
    payload = (
        inbound.payload
        or chosen_payload(inbound.text, turn.conversation.offered)
        or _confirmed(turn)
    )
    if payload:
        return _on_payload(turn, payload, understand)
    text = clean(inbound.text)
    flow = GUIDED_FLOWS.get(turn.conversation.flow or "")
    if not text:
        return unreadable_media(turn) if inbound.media != Media.none else empty_message(turn)
    if turn.campaign_stop and not flow:  # "stop" just after a campaign message
        return subscriptions.stop(turn, turn.campaign_stop)
    if not flow and (stopped := subscriptions.stop_just_granted(turn, text)):
        return stopped
    if not flow and (moved := reminders.move_just_saved(turn, saved)):
        return moved
    if not flow and (another := reminders.another_just_after(turn, saved)):
        return another
    if not flow and (acted := reminders.act_on_listed(turn, listed)):
        return acted
    steer = navigation.steering(text)
    if steer and turn.conversation.language:
        return _steer(turn, steer, flow)
    if sources_asked(text) and turn.conversation.language:
        return navigation.sources_of(turn)
    switch = requested_language(text, understand) if len(text.split()) <= 6 else None
    if switch and turn.conversation.language and switch != turn.conversation.language:
        turn.conversation.context[CHOSEN] = True
        return choose_language(turn, switch)
    if (
        normalize(text).isdigit()
        and turn.conversation.offered
        and not (flow and flow.reads_numbers(turn))
    ):
        return navigation.choose_in_range(turn)
    _read(turn, text, understand)
    if turn.conversation.language is None:
        return _first_contact(turn, understand)
    if turn.understood.intent == "change_language" and (
        asked := _asked_in_another_language(turn, text, understand)
    ):
        return asked
    if switched := follows_switch(turn, turn.understood):
        turn.conversation.language = switched
        with use_language(switched):
            return _after_reading(turn, flow)
    return _after_reading(turn, flow)


def _asked_in_another_language(
    turn: Turn, text: str, understand: Understand
) -> list[Outbound] | None:
    """ "Excusez-moi, je préfère continuer en français : est-ce que les coopératives peuvent
    en bénéficier ?": the conversation moves to the language asked for and the question is
    answered in it, as any question would be (a follow-up of the last answer, too)."""
    language = requested_language(text, understand)
    question = question_beside_request(text, understand)
    if language is None or question is None:
        return None
    turn.ask, reading = question
    turn.understanding = replace(
        reading,
        language=turn.understood.language,
        script=turn.understood.script,
        language_confidence=turn.understood.language_confidence,
    )
    turn.conversation.context[CHOSEN] = True
    turn.conversation.language = language
    with use_language(language):
        return _after_reading(turn, GUIDED_FLOWS.get(turn.conversation.flow or ""))


def _confirmed(turn: Turn) -> str | None:
    """A typed "oui" / "ah" / "نعم" to a question whose first button confirms."""
    offered = turn.conversation.offered
    if not offered or offered[0][0] not in CONFIRMATIONS:
        return None
    confirming = offered[0][0]
    about = erasing_words() if confirming == privacy.ERASE else frozenset()
    return confirming if navigation.is_yes(turn.inbound.text, also=about) else None


def _read(turn: Turn, text: str, understand: Understand) -> None:
    turn.understanding, turn.ask = read_message(text, understand, turn.settings.act_threshold)


def _after_reading(turn: Turn, flow: GuidedFlow | None) -> list[Outbound]:
    return _in_flow(turn, flow) if flow else _on_text(turn)


def _deep_link(turn: Turn, name: str, argument: str) -> str | None:
    return deep_link_payload(turn, argument) if name == "start" else None


def _on_command(turn: Turn, name: str, argument: str, understand: Understand) -> list[Outbound]:
    """ "/start intilaka" answers Intilaka; a first "/start" asks the language once."""
    deep_link = _deep_link(turn, name, argument)
    if turn.conversation.language is None:
        if deep_link:
            onboarding.remember_question(turn, deep_link)
        return onboarding.ask_language_once(turn)
    if deep_link:
        return _on_payload(turn, deep_link, understand)
    return COMMANDS.get(name, show_menu)(turn)


def _steer(turn: Turn, steer: Steer, flow: GuidedFlow | None) -> list[Outbound]:
    if steer == Steer.back and flow:
        return flow.back(turn) or _back_to_topic(turn)
    if steer == Steer.back:
        return _back_to_topic(turn, step_back=True)
    if steer == Steer.cancel:
        return navigation.cancelled(turn)
    if steer == Steer.repeat:
        return _repeated(turn, flow)
    turn.conversation.leave_flow()
    return show_menu(turn)


def _repeated(turn: Turn, flow: GuidedFlow | None) -> list[Outbound]:
    """ "3awed", "tu peux répéter ?": the flow's question, else the last answer, else the
    menu."""
    if flow:
        return flow.ask_again(turn)
    topic = turn.conversation.topic
    return answer_item_id(turn, topic) if topic else show_menu(turn)


def _back_to_topic(turn: Turn, step_back: bool = False) -> list[Outbound]:
    """Back from the first question of a flow, or from an answer: the answer before it."""
    turn.conversation.leave_flow()
    previous = turn.conversation.previous_topic() if step_back else turn.conversation.topic
    return answer_item_id(turn, previous) if previous else show_menu(turn)


def _in_flow(turn: Turn, flow: GuidedFlow) -> list[Outbound]:
    """A typed answer moves on; a confident question about something else leaves, and so
    does, in a questionnaire, one that names a topic ("w Forsa chno hiya?"), and, while a
    reminder is set, a story of several lines."""
    answered = flow.read(turn)
    if answered is not None:
        turn.answered_flow = True
        return answered
    understanding = turn.understood
    confident = understanding.intent != OUT_OF_SCOPE and (
        understanding.confidence >= turn.settings.act_threshold
    )
    text = turn.inbound.text
    if (
        confident
        or (isinstance(flow, Questionnaire) and item_named(text))
        or (flow is reminders.REMINDERS and reminders.new_question(text))
    ):
        turn.conversation.leave_flow()
        return _on_text(turn)
    return flow.ask_again(turn)


def _first_contact(turn: Turn, understand: Understand) -> list[Outbound]:
    """Answer in the language the message shows (a Latin greeting alone: welcomed in it,
    with the menu); if it shows none, ask once, and then the next message decides."""
    named = requested_language(turn.inbound.text, understand)
    if named and len(turn.inbound.text.split()) <= 4:  # "francais", "b darija 3afak"
        return _chose_language(turn, named, understand)
    asking = _asks_something(turn)
    greeted_in = None if asking else onboarding.greeted_in_latin(turn)
    if greeted_in and not onboarding.already_asked(turn):  # "bonjour", "salam": no question
        return _chose_language(turn, greeted_in, understand)
    if onboarding.language_is_clear(turn) or onboarding.already_asked(turn):
        onboarding.settle_language(turn)
        if not asking and onboarding.has_question(turn):  # "ok" after the language question
            return _chose_language(turn, turn.language, understand)
        with use_language(turn.language):
            return onboarding.welcoming(turn, _on_text(turn))
    if asking:
        onboarding.remember_question(turn, turn.inbound.text)
    return onboarding.ask_language_once(turn)


def _asks_something(turn: Turn) -> bool:
    """More than a greeting, a word of acknowledgement or an emoji: "Bonjour, je suis Fatima
    de Taroudant", "salam, bghit nwsal b lakhbar"."""
    text = turn.inbound.text
    return (
        turn.understood.intent not in ("greeting", OUT_OF_SCOPE)
        or after_opening(text) not in ("", text)
        or consent_request(text) is not None
    ) and not navigation.is_yes(text)


def _on_payload(turn: Turn, payload: str, understand: Understand) -> list[Outbound]:
    kind, _separator, value = payload.partition(":")
    if kind in GUIDED_FLOWS:
        return GUIDED_FLOWS[kind].answer(turn, value)
    if kind in KIND_HANDLERS:
        return KIND_HANDLERS[kind](turn, value)
    if payload in PAYLOAD_HANDLERS:
        return PAYLOAD_HANDLERS[payload](turn)
    if kind == "campaign":  # a campaign's button: counted, then what it opens
        return _on_payload(turn, subscriptions.tapped(turn, value), understand)
    if kind == "lang" and value in LANGUAGES:
        return _chose_language(turn, value, understand)
    turn.conversation.leave_flow()
    if kind == "intent":
        return _act(turn, value)
    if kind == "item":
        return answer_item_id(turn, value)
    return MENU_HANDLERS.get(value, show_menu)(turn)


def _chose_language(turn: Turn, language: str, understand: Understand) -> list[Outbound]:
    """The question asked before the choice (typed, or a deep link) is answered after it."""
    question = onboarding.take_question(turn)
    if turn.conversation.language is not None:  # from the language menu: a deliberate choice
        turn.conversation.context[CHOSEN] = True
    turn.conversation.language = language
    with use_language(language):
        welcome = onboarding.welcome_once(turn)
        if question is None:
            return [*welcome, *choose_language(turn, language)]
        if ":" in question and " " not in question:  # a deep link's payload
            return [*welcome, *_on_payload(turn, question, understand)]
        turn.inbound = replace(turn.inbound, text=question, payload=None)
        _read(turn, question, understand)
        return [*welcome, *_on_text(turn)]


def _on_text(turn: Turn) -> list[Outbound]:
    """Act on what the text names; when unsure, offer the likely topics; otherwise say
    what Fadaa covers."""
    understanding = turn.understood
    settings = turn.settings
    if replies := subscriptions.asked(turn):  # "bghit nwsal b lakhbar"
        return replies
    if replies := privacy.asked(turn):  # "vous gardez quoi sur moi ?"
        return replies
    if navigation.changed_mind_outright(turn.inbound.text) and not asks_to_erase(turn.inbound.text):
        return navigation.cancelled(turn)  # "la bdelt rayi": nothing pending, a plain OK
    if navigation.is_yes(turn.inbound.text):  # "ok", "مزيان", "d'accord": nothing to confirm
        return acknowledge(turn)
    topic_before = turn.conversation.topic
    if replies := about_what_it_names(turn):
        turn.conversation.misunderstandings = 0
        return subscriptions.offer_once(turn, replies, topic_before)
    unsure = understanding.confidence < settings.act_threshold
    if (understanding.intent == OUT_OF_SCOPE or unsure) and smalltalk.is_rude(turn.inbound.text):
        return smalltalk.calm_reply(turn)
    if understanding.intent == OUT_OF_SCOPE:
        if understanding.confidence >= settings.out_of_scope_threshold:
            return outside_scope(turn)
        candidates = _candidates(understanding, settings.clarify_threshold / 3)
        return did_you_mean(turn, candidates) if candidates else not_understood(turn)
    if understanding.confidence >= settings.act_threshold:
        turn.conversation.misunderstandings = 0
        return subscriptions.offer_once(turn, _act(turn, understanding.intent), topic_before)
    candidates = _candidates(understanding, settings.clarify_threshold / 2)
    if understanding.confidence >= settings.clarify_threshold and candidates:
        return did_you_mean(turn, candidates)
    return not_understood(turn)


def _candidates(understanding: Understanding, floor: float) -> list[str]:
    """Topics to offer; never "did you mean: a greeting?"."""
    return [
        intent
        for intent, probability in understanding.top[:3]
        if intent not in NOT_OFFERED and probability >= floor
    ][:2]


def _act(turn: Turn, intent: str) -> list[Outbound]:
    handler = INTENT_HANDLERS.get(intent)
    return handler(turn) if handler else answer_intent(turn, intent)
