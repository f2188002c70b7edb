"""Asking for an advisor, waiting for one, and rating the help afterwards.

While advisors have the conversation the bot stays quiet: every message goes to them (the
first detail added while nobody has answered yet is acknowledged once, so that the user knows
it was passed on). Only
the words that lead back to the bot ("menu", "stop", "رجوع"…) get an answer, and a request
to erase one's data, which is passed on and also answered with the confirmation. Until an
advisor has answered, a short question about the handoff itself ("je peux changer d'avis ?",
«فوقاش غادي يجاوبني؟») is answered by the bot and not passed on (bot/handoff/questions.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum

from bot.effects import CreateReminder, LeaveHandoff, OpenHandoff, RateHandoff, RelayToAdvisors
from bot.flows import privacy
from bot.flows.base import Turn, chosen_payload, menu_button, with_menu
from bot.flows.navigation import changed_mind, leaves_advisors
from bot.flows.smalltalk import show_menu
from bot.handoff.questions import Question, question_about_handoff
from bot.handoff.status import HandoffStatus
from bot.i18n import _, format_moment, format_weekdays
from bot.messages import Button, Outbound
from bot.nlu import Understand, Understanding
from bot.nlu.normalize import clean, normalize

NAME = "handoff"


class Step(StrEnum):
    describe = "describe"  # the one line that tells the advisor what it is about


DESCRIPTION_WORDS = 8  # a request this long already says what it is about


def request(turn: Turn) -> list[Outbound]:
    """From the intent, the menu or the advisor offer: ask for one line unless the
    message already says what it is about."""
    text = clean(turn.inbound.text)
    if not turn.inbound.payload and len(text.split()) >= DESCRIPTION_WORDS:
        return open_handoff(turn, text)
    turn.conversation.flow, turn.conversation.step = NAME, Step.describe
    return [_ask_for_the_line(_("An advisor can help you. In one line, what is your question?"))]


def _ask_for_the_line(text: str) -> Outbound:
    return Outbound(text, (Button("handoff:skip", _("Skip")), menu_button()))


def _answer_before_sending(turn: Turn, question: Question) -> list[Outbound]:
    """The answer, then the same request for the line: nothing has been passed on yet."""
    answers = {
        Question.undo: _(
            'Yes. Nothing has been sent yet: write "cancel" and I pass nothing on. Once '
            'it is sent, you can still leave the queue at any time by writing "menu".'
        ),
        Question.when: _working_hours(turn),
        Question.who: _who_answers(),
    }
    return [
        _ask_for_the_line(
            "\n".join((answers[question], _("In one line, what is your question for the advisor?")))
        )
    ]


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


def withdrawn(turn: Turn) -> list[Outbound]:
    """The user took the request back before it was sent: say plainly that nothing was."""
    turn.conversation.leave_flow()
    return with_menu(
        _(
            'OK, nothing has been sent to an advisor. If you need one later, choose "{choice}" '
            "in the menu."
        ).format(choice=_("Talk to an advisor"))
    )


def open_handoff(turn: Turn, description: str) -> list[Outbound]:
    turn.finish_flow(NAME)  # also when a long first request skipped the describe step
    turn.effects.append(OpenHandoff(description))
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
            when,
            _('Until then I will stay quiet. Write "menu" to come back to me.'),
        )
    )
    return [Outbound(text, (Button("handoff:leave", _("Leave the queue")),))]


class Describe:
    """Waiting for the one line that tells the advisor what the request is about."""

    name = NAME
    steps = tuple(Step)
    reads_media = True  # a voice note is a fine description: advisors can listen to it

    def read(self, turn: Turn) -> list[Outbound]:
        if question := question_about_handoff(turn.inbound.text):
            return _answer_before_sending(turn, question)
        if changed_mind(turn.inbound.text):
            return withdrawn(turn)
        return open_handoff(turn, clean(turn.inbound.text))

    def cancel(self, turn: Turn) -> list[Outbound]:
        """ "annuler", «بلاش» instead of the line: nothing is passed on."""
        return withdrawn(turn)

    def ask_again(self, turn: Turn) -> list[Outbound]:
        """ "3awed", "répète" instead of the line: the question again (a typed line is
        always read as the line, so nothing else asks again)."""
        return [_ask_for_the_line(_("In one line, what is your question for the advisor?"))]

    def back(self, turn: Turn) -> list[Outbound] | None:
        return None  # back from the one question: the answer before it

    def reads_numbers(self, turn: Turn) -> bool:
        return True  # a number can be the description ("2 questions")

    def answer(self, turn: Turn, value: str) -> list[Outbound]:
        if value == "skip":
            return open_handoff(turn, "")
        turn.conversation.leave_flow()
        return show_menu(turn)


DESCRIBE = Describe()


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
    turn.effects.append(RelayToAdvisors())
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
