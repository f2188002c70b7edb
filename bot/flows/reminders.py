"""Setting, listing, changing and cancelling reminders.

Set: when? (parsed from free text) → what? → "I will remind you … on …" [Confirm]. An
ambiguous hour offers its other reading as a button; a missing time offers common times.
"Remind me of it" after an answer is about that answer's topic. A change of time said
right after the confirmation ("plutôt à 11h", "la, m3a 11") moves the reminder just saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.effects import CancelReminder, CreateReminder, RescheduleReminder
from bot.flows import continuing
from bot.flows.answers import unnumbered
from bot.flows.base import Turn, menu_button
from bot.flows.navigation import is_yes
from bot.i18n import _, format_moment
from bot.messages import MAX_CHOICES, Button, Outbound
from bot.nlu.times import (
    TimeExpression,
    asks_reminder,
    corrected_time,
    parse_time,
    points_back,
    reminder_words,
)

FLOW = "reminder"
COMMON_TIMES = ("09:00", "14:00", "18:00")
JUST_SAVED = "reminder_saved"  # context: the reminder saved by the previous turn


class Step(StrEnum):
    when = "when"
    what = "what"
    confirm = "confirm"


def start_from_text(turn: Turn) -> list[Outbound]:
    """ "fakrni ghda f 10 ndi lwra9": everything needed may already be in the message; what
    it gives is kept, and only what is missing is asked. "Rappelle-moi ça", "fakrni bih"
    after an answer are about its topic; with no topic, what to remind of is asked."""
    text = turn.inbound.text
    _begin(
        turn,
        text=_topic_text(turn) if points_back(text, turn.now) else reminder_words(text, turn.now),
    )
    return _take_time(turn, text) or []


def start_with_text(turn: Turn, text: str) -> list[Outbound]:
    """From a flow's "Remind me" button: the text is proposed, the time is asked."""
    _begin(turn, text=text)
    return _ask_when(turn)


class ReminderFlow:
    """The conversation's side of reminders, with the same surface as a questionnaire."""

    name = FLOW
    steps = tuple(Step)

    def read(self, turn: Turn) -> list[Outbound] | None:
        """A typed answer to the current step; None when it is not one."""
        return _READERS.get(turn.conversation.step, _read_time)(turn)

    def ask_again(self, turn: Turn) -> list[Outbound]:
        return _ask_when(turn, _("I did not understand the time.") + " ")

    def back(self, turn: Turn) -> list[Outbound] | None:
        """From the confirmation or the "what?" question back to "when?"; from "when?", out."""
        if turn.conversation.step == Step.when:
            return None
        slots = turn.conversation.slots
        shown = ""
        if slots.get("local"):
            shown = (
                _("Your answer was: {answer}").format(
                    answer=format_moment(datetime.fromisoformat(slots["local"]))
                )
                + "\n"
            )
        return _ask_when(turn, shown)

    def reads_numbers(self, turn: Turn) -> bool:
        return turn.conversation.step in (Step.when, Step.what)  # "10" is an hour

    def answer(self, turn: Turn, value: str) -> list[Outbound]:
        return _on_payload(turn, value)


def _read_what(turn: Turn) -> list[Outbound]:
    """The reminder's words ("ndi lwra9 l ODCO"), then the confirmation."""
    text = turn.inbound.text
    words = reminder_words(text, turn.now) or text
    if points_back(text, turn.now):
        words = _topic_text(turn)
    if not words:
        return _ask_what(turn)
    turn.conversation.slots["text"] = words[:500]
    return _confirm(turn)


def _read_confirmation(turn: Turn) -> list[Outbound] | None:
    """A typed yes saves; "non, à 11h" moves the time proposed (on its day); anything else
    may be another time."""
    if is_yes(turn.inbound.text):
        return _save(turn)
    return _correct_proposed(turn) or _read_time(turn)


def _correct_proposed(turn: Turn) -> list[Outbound] | None:
    slots = turn.conversation.slots
    if "local" not in slots:
        return None
    moved = corrected_time(turn.inbound.text, turn.now, datetime.fromisoformat(slots["local"]))
    if moved is None:
        return None
    slots.update(local=moved.isoformat(), alternative=None, assumed=False)
    if moved <= turn.now.replace(tzinfo=None):
        return _ask_when(turn, _("That time has already passed.") + " ")
    return _confirm(turn)


def _read_time(turn: Turn) -> list[Outbound] | None:
    text = turn.inbound.text
    if _another_request(turn, text):
        return start_from_text(turn)
    return _take_time(turn, text, quiet=True)


def _another_request(turn: Turn, text: str) -> bool:
    """ "fakrni ghda nchri zit" while another reminder is being set replaces it (a change
    of a saved reminder keeps to its time)."""
    return (
        not turn.conversation.slots.get("reminder_id")
        and asks_reminder(text)
        and bool(reminder_words(text, turn.now))
    )


_READERS: dict[str | None, Callable[[Turn], list[Outbound] | None]] = {
    Step.what: _read_what,
    Step.confirm: _read_confirmation,
}
REMINDERS = ReminderFlow()


def _on_payload(turn: Turn, value: str) -> list[Outbound]:
    action, _sep, argument = value.partition(":")
    actions = {
        "new": lambda: start_with_text(turn, ""),
        "item": lambda: _from_item(turn, argument),
        "confirm": lambda: _save(turn),
        "alt": lambda: _use_alternative(turn),
        "at": lambda: _at(turn, argument),
        "drop": lambda: _drop(turn),
        "show": lambda: _show(turn, int(argument)),
        "cancel": lambda: _cancel(turn, [int(argument)]),
        "cancel-all": lambda: _cancel(turn, [r.id for r in turn.reminders]),
        "change": lambda: _change(turn, int(argument)),
    }
    return actions.get(action, lambda: my_reminders(turn))()


def my_reminders(turn: Turn) -> list[Outbound]:
    if not turn.reminders:
        return [
            Outbound(
                _("You have no reminders."),
                (Button("reminder:new", _("New reminder")), menu_button()),
            )
        ]
    lines = [_("Your reminders:")] + [
        f"{i}. {format_moment(r.local)} — {r.text}{_repeat(r.recurrence)}"
        for i, r in enumerate(turn.reminders[:8], start=1)
    ]
    shown = turn.reminders[: MAX_CHOICES - 3]  # with "Cancel all" and the menu
    buttons = [
        Button(f"reminder:show:{r.id}", f"{i}. {r.text or '⏰'}")
        for i, r in enumerate(shown, start=1)
    ]
    return [
        Outbound(
            "\n".join(lines),
            (*buttons, Button("reminder:cancel-all", _("Cancel all")), menu_button()),
        )
    ]


def _begin(turn: Turn, *, text: str) -> None:
    conversation = turn.conversation
    conversation.flow, conversation.slots = FLOW, {"text": text}


def _from_item(turn: Turn, item_id: str) -> list[Outbound]:
    item = turn.content.get(item_id)
    proposed = item.reminder.get(turn.language, "") if item and item.reminder else ""
    return start_with_text(turn, proposed)


def _topic_text(turn: Turn) -> str:
    """What "it" is after an answer: the text its "Remind me" button proposes, else its
    title; nothing without a topic (then it is asked)."""
    topic = turn.conversation.topic
    item = turn.content.get(topic) if topic else None
    if item is None:
        return ""
    return item.reminder.get(turn.language) or unnumbered(item.title.get(turn.language, ""))


def _ask_when(turn: Turn, prefix: str = "") -> list[Outbound]:
    turn.conversation.step = Step.when
    question = _('When should I remind you? For example: "tomorrow at 10" or "in 2 hours".')
    return [Outbound(f"{prefix}{question}", (Button("reminder:drop", _("No reminder")),))]


def _take_time(turn: Turn, text: str, *, quiet: bool = False) -> list[Outbound] | None:
    parsed = parse_time(text, turn.now)
    if parsed is None:
        return None if quiet else _ask_when(turn)
    slots = turn.conversation.slots
    _remember(slots, parsed)
    if parsed.local <= turn.now.replace(tzinfo=None):
        return _ask_when(turn, _("That time has already passed.") + " ")
    if not slots.get("text") and not slots.get("reminder_id"):
        return _ask_what(turn)
    return _confirm(turn)


def _ask_what(turn: Turn) -> list[Outbound]:
    turn.conversation.step = Step.what
    return [
        Outbound(_("What should I remind you of?"), (Button("reminder:drop", _("No reminder")),))
    ]


def _remember(slots: dict[str, Any], parsed: TimeExpression) -> None:
    slots["local"] = parsed.local.isoformat()
    slots["alternative"] = parsed.alternative.isoformat() if parsed.alternative else None
    slots["assumed"] = parsed.time_assumed
    slots["recurrence"] = parsed.recurrence or slots.get("recurrence")


def _confirm(turn: Turn) -> list[Outbound]:
    turn.conversation.step = Step.confirm
    slots = turn.conversation.slots
    local = datetime.fromisoformat(slots["local"])
    text = _("I will remind you: «{text}»\n{when} ({zone}){repeat}").format(
        text=slots.get("text") or _current_text(turn),
        when=format_moment(local),
        zone=_zone_name(turn.zone),
        repeat=_repeat(slots.get("recurrence")),
    )
    buttons = [Button("reminder:confirm", _("Confirm"))]
    if slots.get("alternative"):
        other = datetime.fromisoformat(slots["alternative"])
        buttons.append(
            Button("reminder:alt", _("No, at {time}").format(time=other.strftime("%H:%M")))
        )
    if slots.get("assumed"):
        buttons += [Button(f"reminder:at:{hour}", hour) for hour in COMMON_TIMES]
    buttons.append(Button("reminder:drop", _("No reminder")))
    return [Outbound(text, tuple(buttons))]


def _use_alternative(turn: Turn) -> list[Outbound]:
    slots = turn.conversation.slots
    if slots.get("alternative"):
        slots["local"], slots["alternative"] = slots["alternative"], None
    return _confirm(turn)


def _at(turn: Turn, hour: str) -> list[Outbound]:
    slots = turn.conversation.slots
    if "local" not in slots:
        return _ask_when(turn)
    chosen = datetime.fromisoformat(slots["local"]).replace(
        hour=int(hour[:2]), minute=int(hour[3:5])
    )
    slots.update(local=chosen.isoformat(), assumed=False, alternative=None)
    if chosen <= turn.now.replace(tzinfo=None):
        return _ask_when(turn, _("That time has already passed.") + " ")
    return _confirm(turn)


def _save(turn: Turn) -> list[Outbound]:
    slots = turn.conversation.slots
    if "local" not in slots:
        return _ask_when(turn)
    local = datetime.fromisoformat(slots["local"])
    text = (slots.get("text") or "⏰")[:500]
    if slots.get("reminder_id"):
        turn.effects.append(RescheduleReminder(slots["reminder_id"], local))
    else:
        turn.effects.append(CreateReminder(text, local, turn.zone, slots.get("recurrence")))
    turn.finish_flow(FLOW)
    turn.conversation.context[JUST_SAVED] = {
        "id": slots.get("reminder_id"),
        "text": text,
        "local": local.isoformat(),
    }
    return [_saved(local), *continuing.offer_on_the_web(turn)]


def _saved(local: datetime) -> Outbound:
    return Outbound(
        _("Done! I will remind you on {when}.").format(when=format_moment(local)),
        (Button("intent:my_reminders", _("My reminders")), menu_button()),
    )


def just_saved(turn: Turn) -> dict[str, Any] | None:
    """The reminder the previous turn saved, if it did; forgotten by this turn either way."""
    saved: dict[str, Any] | None = turn.conversation.context.pop(JUST_SAVED, None)
    return saved


def move_just_saved(turn: Turn, saved: dict[str, Any] | None) -> list[Outbound] | None:
    """ "plutôt à 11h", "la, m3a 11", "بدلها ل 11" right after a reminder was saved: that
    reminder moves (on its day unless one is said); None when the message is not that."""
    if not saved:
        return None
    local = datetime.fromisoformat(saved["local"])
    moved = corrected_time(turn.inbound.text, turn.now, local)
    if moved is None:
        return None
    reminder_id = saved.get("id") or _saved_id(turn, saved["text"], local)
    if reminder_id is None:
        return None
    if moved <= turn.now.replace(tzinfo=None):
        turn.conversation.context[JUST_SAVED] = saved
        return [Outbound(_("That time has already passed."), _saved(local).buttons)]
    turn.effects.append(RescheduleReminder(reminder_id, moved))
    turn.conversation.context[JUST_SAVED] = {**saved, "id": reminder_id, "local": moved.isoformat()}
    return [_saved(moved)]


def _saved_id(turn: Turn, text: str, local: datetime) -> int | None:
    """The stored reminder a confirmation created (the engine gave it its id since)."""
    ids = [r.id for r in turn.reminders if r.text == text and r.local == local]
    return max(ids, default=None)


def _drop(turn: Turn) -> list[Outbound]:
    turn.conversation.leave_flow()
    return [Outbound(_("No reminder then."), (menu_button(),))]


def _show(turn: Turn, reminder_id: int) -> list[Outbound]:
    reminder = next((r for r in turn.reminders if r.id == reminder_id), None)
    if reminder is None:
        return my_reminders(turn)
    text = f"⏰ {reminder.text}\n{format_moment(reminder.local)}{_repeat(reminder.recurrence)}"
    return [
        Outbound(
            text,
            (
                Button(f"reminder:change:{reminder.id}", _("Change the time")),
                Button(f"reminder:cancel:{reminder.id}", _("Cancel it")),
                Button("intent:my_reminders", _("My reminders")),
            ),
        )
    ]


def _cancel(turn: Turn, reminder_ids: list[int]) -> list[Outbound]:
    known = {r.id for r in turn.reminders}
    turn.effects += [CancelReminder(i) for i in reminder_ids if i in known]
    turn.reminders = [r for r in turn.reminders if r.id not in reminder_ids]
    return [
        Outbound(
            _("Reminder cancelled."),
            (Button("intent:my_reminders", _("My reminders")), menu_button()),
        )
    ]


def _change(turn: Turn, reminder_id: int) -> list[Outbound]:
    _begin(turn, text="")
    turn.conversation.slots["reminder_id"] = reminder_id
    return _ask_when(turn)


def _current_text(turn: Turn) -> str:
    reminder_id = turn.conversation.slots.get("reminder_id")
    return next((r.text for r in turn.reminders if r.id == reminder_id), "⏰")


def _repeat(recurrence: str | None) -> str:
    names = {"daily": _("every day"), "weekly": _("every week"), "monthly": _("every month")}
    return f" — {names[recurrence]}" if recurrence in names else ""


def _zone_name(zone: str) -> str:
    return _("Casablanca time") if zone == "Africa/Casablanca" else zone
