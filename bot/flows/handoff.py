"""Asking for an advisor, waiting for one, and rating the help afterwards.

Asking queues the request at once ("je veux parler à un conseiller" is the request); the
user is invited to write the question, and their next message becomes the request's
description when the asking message did not say what it is about.

While advisors have the conversation the bot stays quiet: every message goes to them (the
first detail added while nobody has answered yet is acknowledged once, so that the user knows
it was passed on). Only the words that lead back to the bot ("menu", "stop", "رجوع"…) get an
answer, and a request to erase one's data, which is passed on and also answered with the
confirmation. Until an advisor has answered, a short question about the handoff itself ("je
peux changer d'avis ?", «فوقاش غادي يجاوبني؟») is answered by the bot and not passed on
(bot/handoff/questions.py), and a short change of mind ("non laisse tomber", «بلاش») leaves
the queue.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.effects import CreateReminder, LeaveHandoff, OpenHandoff, RateHandoff, RelayToAdvisors
from bot.flows import privacy
from bot.flows.answers import unnumbered
from bot.flows.base import Turn, chosen_payload, with_menu
from bot.flows.navigation import changed_mind, leaves_advisors, without_courtesy
from bot.handoff.questions import Question, question_about_handoff
from bot.handoff.status import HandoffStatus
from bot.i18n import _, format_moment, format_weekdays, use_language
from bot.messages import Button, Outbound
from bot.nlu import Understand, Understanding
from bot.nlu.normalize import clean, normalize
from bot.nlu.opening import after_opening

DESCRIPTION_WORDS = 8  # a request this long, beyond greetings and thanks, says what it is about
# context: the request was queued without the user's words, so their next message is its
# question (it becomes the request's description)
QUESTION_TO_COME = "handoff_question_to_come"


def request(turn: Turn) -> list[Outbound]:
    """From the intent, the menu or the advisor offer: the request is queued at once (the
    request just made is the request), and the user is invited to write the question,
    which the advisors read as it comes."""
    words = _own_words(turn)
    turn.conversation.leave_flow()  # asked from a flow (its advisor button): the flow ends
    return open_handoff(turn, words or _last_topic(turn), asks_question=not words)


def _own_words(turn: Turn) -> str:
    """The message, when it says more than "I want an advisor, please" ("je veux parler à
    un conseiller pour notre dossier d'agrément ONSSA"); else ""."""
    text = clean(turn.inbound.text)
    said = without_courtesy(after_opening(text))  # normalized, punctuation gone
    if turn.inbound.payload or len(said.split()) < DESCRIPTION_WORDS:
        return ""
    return text


def _last_topic(turn: Turn) -> str:
    """For the advisor, in the desk's language: the answer the user read last, if any ("" if
    none: nothing is made up)."""
    item = turn.content.get(turn.conversation.topic or "")
    if item is None:
        return ""
    language = turn.settings.advisor_language
    with use_language(language):
        return _("Asked after the answer on «{topic}»").format(
            topic=unnumbered(item.title[language])
        )


def _answer_while_waiting(turn: Turn, question: Question) -> list[Outbound]:
    answers = {
        Question.undo: _(
            'Yes. Your request can be withdrawn at any time: tap "Leave the queue" or write "menu".'
        ),
        Question.when: _working_hours(turn),
        Question.who: _who_answers(),
    }
    return [Outbound(answers[question], (Button("handoff:leave", _("Leave the queue")),))]


def _working_hours(turn: Turn) -> str:
    hours = turn.settings.office_hours()
    return _(
        "Advisors work {days}, {opens}–{closes} (Morocco time), and answer here, in this chat."
    ).format(
        days=format_weekdays(hours.weekdays),
        opens=hours.opens.strftime("%H:%M"),
        closes=hours.closes.strftime("%H:%M"),
    )


def _who_answers() -> str:
    return _("A person from ODCO's advisors reads your request and answers here, in this chat.")


def open_handoff(turn: Turn, description: str, *, asks_question: bool) -> list[Outbound]:
    """Queued, said so in the user's language with when advisors answer; `asks_question`:
    the request has no words of the user's yet, so they are asked to write their question
    (else to add any detail)."""
    turn.effects.append(OpenHandoff(description))
    if asks_question:
        turn.conversation.context[QUESTION_TO_COME] = True
    else:
        turn.conversation.context.pop(QUESTION_TO_COME, None)
    hours = turn.settings.office_hours()
    if hours.is_open(turn.inbound.received_at):
        when = _("An advisor will answer you here during working hours.")
    else:
        when = _(
            "Advisors work {days}, {opens}–{closes} (Morocco time). Your request is "
            "saved; an advisor will answer you here from {moment}."
        ).format(
            days=format_weekdays(hours.weekdays),
            opens=hours.opens.strftime("%H:%M"),
            closes=hours.closes.strftime("%H:%M"),
            moment=format_moment(hours.next_opening(turn.inbound.received_at)),
        )
    text = "\n".join(
        (
            _("Your request has been passed to ODCO's advisors."),
            _("Write your question here: the advisor will read it.")
            if asks_question
            else _("You can add details here: the advisor will read them."),
            when,
            _('Until then I will stay quiet. Write "menu" to come back to me.'),
        )
    )
    return [Outbound(text, (Button("handoff:leave", _("Leave the queue")),))]


def during(turn: Turn, understand: Understand, *, command: bool = False) -> list[Outbound]:
    """A message while advisors have the conversation: passed on, unless it leads back
    (a leaving word or a slash command)."""
    payload = turn.inbound.payload or _typed_choice(turn)
    if payload in WAITING_CHOICES:
        return WAITING_CHOICES[payload](turn)
    if payload == privacy.ERASE:
        return privacy.erase(turn)
    text = clean(turn.inbound.text)
    if command or leaves_advisors(text) or (_unanswered(turn) and changed_mind(text)):
        return leave(turn)
    if _unanswered(turn) and (question := question_about_handoff(text)):
        return _answer_while_waiting(turn, question)
    awaited = bool(turn.conversation.context.pop(QUESTION_TO_COME, False))
    turn.effects.append(RelayToAdvisors(question=awaited and bool(text)))
    if text and _asks_to_erase(turn, understand(text)):
        return privacy.ask_to_erase(turn)  # the advisors see the request too
    return _acknowledge_first_detail(turn)


def _acknowledge_first_detail(turn: Turn) -> list[Outbound]:
    """Once per request, before any advisor answers: silence after "your request was passed
    on" leaves a user wondering whether the details she adds reach anyone."""
    if turn.handoff is None or not _unanswered(turn):
        return []
    if turn.conversation.context.get("acknowledged_handoff") == turn.handoff.id:
        return []
    turn.conversation.context["acknowledged_handoff"] = turn.handoff.id
    return [
        Outbound(
            _("Added to your request ✓ An advisor will answer here."),
            (Button("handoff:leave", _("Leave the queue")),),
        )
    ]


def _asks_to_erase(turn: Turn, understanding: Understanding) -> bool:
    turn.understanding = understanding
    return (
        understanding.intent == "delete_my_data"
        and understanding.confidence >= turn.settings.act_threshold
    )


def _unanswered(turn: Turn) -> bool:
    """No advisor has answered yet: "non merci" cannot be an answer to one."""
    return turn.handoff is None or turn.handoff.status == HandoffStatus.waiting


def _typed_choice(turn: Turn) -> str | None:
    """A typed button label, or the number of a button shown while no advisor has answered;
    once one has, a bare number answers the advisor ("how many members?" "7")."""
    answering = turn.handoff is not None and turn.handoff.status != HandoffStatus.waiting
    if answering and normalize(turn.inbound.text).isdigit():
        return None
    return chosen_payload(turn.inbound.text, turn.conversation.offered)


def leave(turn: Turn) -> list[Outbound]:
    return with_menu(_left_queue(turn))


def leave_for(turn: Turn, opened: list[Outbound]) -> list[Outbound]:
    """Leaving for what the user opened meanwhile ("/start intilaka" from a link): its
    answer follows at once instead of the menu."""
    return [Outbound(_left_queue(turn)), *opened]


def _left_queue(turn: Turn) -> str:
    turn.effects.append(LeaveHandoff())
    turn.conversation.context.pop(QUESTION_TO_COME, None)
    return _("You have left the advisors' queue. I am here again:")


def remind_later(turn: Turn) -> list[Outbound]:
    """A reminder at the next opening after today, in the user's zone."""
    hours = turn.settings.office_hours()
    tomorrow = datetime.combine(turn.now.date() + timedelta(days=1), time(0), turn.now.tzinfo)
    moment = hours.next_opening(tomorrow)
    turn.effects.append(
        CreateReminder(
            text=_("Your question to an advisor is still waiting. Write here to add details."),
            local=moment.replace(tzinfo=None),
            zone=hours.zone,
            recurrence=None,
        )
    )
    return [
        Outbound(
            _("I will remind you on {moment}. Your request stays in the queue.").format(
                moment=format_moment(moment)
            ),
            (Button("handoff:leave", _("Leave the queue")),),
        )
    ]


def call_back(turn: Turn) -> list[Outbound]:
    turn.effects.append(RelayToAdvisors(callback=True))
    if turn.handoff is not None and turn.handoff.phone_known:
        return [Outbound(_("An advisor will call you back on this number during working hours."))]
    return [Outbound(_("Write your phone number here and an advisor will call you back."))]


def rate(turn: Turn, value: str) -> list[Outbound]:
    handoff_id, _separator, score = value.partition(":")
    if handoff_id.isdigit() and score in ("1", "2", "3", "4", "5"):
        turn.effects.append(RateHandoff(int(handoff_id), int(score)))
    return with_menu(_("Thank you for your answer! What else can I do for you?"))


WAITING_CHOICES = {
    "handoff:leave": leave,
    "menu:main": leave,
    "handoff:remind": remind_later,
    "handoff:callback": call_back,
}
