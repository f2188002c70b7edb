"""Setting, listing, changing and cancelling reminders.

Set: when? (parsed from free text) → what? → "I will remind you … on …" [Confirm]. The
text, the day and the hour may come one message each, in any order; each piece is kept. An
ambiguous hour offers its other reading as a button; a missing time offers common times.
"Remind me of it", or a request with no words of its own, after an answer is about that
answer's topic. A change of time said right after the confirmation ("plutôt à 11h", "la,
m3a 11") moves the reminder just saved; right after the reminders are listed, "7ayedha",
"supprime le 2", "بدلها ل 4" act on the one listed (with several, the bot asks which).
Cancelling all is confirmed first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.effects import CancelReminder, CreateReminder, ReminderView, RescheduleReminder
from bot.flows import continuing
from bot.flows.answers import unnumbered
from bot.flows.base import Turn, menu_button
from bot.flows.navigation import changed_mind, is_yes
from bot.i18n import _, format_moment
from bot.messages import MAX_CHOICES, Button, Outbound
from bot.nlu.reading import LONG_MESSAGE_WORDS, asks_question
from bot.nlu.times import (
    Deletion,
    TimeExpression,
    asks_reminder,
    completed,
    corrected_time,
    deletion_asked,
    parse_time,
    points_back,
    reminder_words,
)

FLOW = "reminder"
COMMON_TIMES = ("09:00", "14:00", "18:00")
JUST_SAVED = "reminder_saved"  # context: the reminder saved by the previous turn
JUST_LISTED = "reminders_listed"  # context: the reminders the previous turn listed or showed
CHANGE_SAID = "reminder_change"  # context: "bdelha l 4" said of several listed reminders
# Asked while the bot waits for what to remind of, these are requests, not its words.
REQUESTS = frozenset(
    {
        "greeting",
        "thanks_goodbye",
        "help_menu",
        "change_language",
        "my_reminders",
        "delete_my_data",
        "watch_capsules",
        "talk_to_advisor",
    }
)


class Step(StrEnum):
    when = "when"
    what = "what"
    confirm = "confirm"


def start_from_text(turn: Turn) -> list[Outbound]:
    """ "fakrni ghda f 10 ndi lwra9": everything needed may already be in the message; what
    it gives is kept, and only what is missing is asked. "Rappelle-moi ça", "fakrni bih",
    or "fakrni ghda m3a l3achra" with no words of its own, after an answer are about its
    topic; with no topic, what to remind of is asked."""
    text = turn.inbound.text
    words = reminder_words(text, turn.now)
    _begin(turn, text=_topic_text(turn) if points_back(text, turn.now) or not words else words)
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
        """A typed answer to the current step; None when it is not one (a story or a
        question of several lines is not: it leaves the flow when it is understood)."""
        if new_question(turn.inbound.text):
            return None
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
    """The reminder's words ("ndi lwra9 l ODCO"), then the confirmation; a time said with
    them, or instead of them ("m3a 3 l3chiya"), completes the time given before."""
    text = turn.inbound.text
    timed = _update_time(turn, text)
    words = reminder_words(text, turn.now) or ("" if timed else text)
    if points_back(text, turn.now) or is_yes(text):  # "wakha" is not what to remind of
        words = _topic_text(turn)
    if words:
        turn.conversation.slots["text"] = words[:500]
    return _next_question(turn)


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
    _remember(slots, moved)
    if moved.local <= turn.now.replace(tzinfo=None):
        return _refuse_past(turn)
    return _confirm(turn)


def _read_time(turn: Turn) -> list[Outbound] | None:
    """A time, or a piece of it; asked "when?" before the text was given, the text."""
    text = turn.inbound.text
    if _another_request(turn, text):
        return start_from_text(turn)
    return _take_time(turn, text, quiet=True) or _take_words(turn)


def _take_words(turn: Turn) -> list[Outbound] | None:
    """ "فكرني" → "when?" → "نعيط للبانكة": the words are what to remind of; a question, a
    request ("mes rappels"), a yes or a change of mind is not."""
    slots = turn.conversation.slots
    if turn.conversation.step != Step.when or slots.get("text") or slots.get("reminder_id"):
        return None
    text, understood = turn.inbound.text, turn.understood
    request = understood.intent in REQUESTS and understood.confidence >= turn.settings.act_threshold
    if request or asks_question(text) or is_yes(text) or changed_mind(text):
        return None
    words = _topic_text(turn) if points_back(text, turn.now) else reminder_words(text, turn.now)
    if not words:
        return None
    slots["text"] = words[:500]
    if "local" in slots:
        return _confirm(turn)
    return _ask_when(turn, _("Noted: «{text}».").format(text=slots["text"]) + " ")


def new_question(text: str) -> bool:
    """A story of several lines, or a long message with a question, asks something else
    than a reminder (a long reminder text asks nothing)."""
    several_lines = len([line for line in text.splitlines() if line.strip()]) > 1
    long_question = len(text.split()) >= LONG_MESSAGE_WORDS and asks_question(text)
    return (several_lines or long_question) and not asks_reminder(text)


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
        "which": lambda: _which(turn, argument),
        "item": lambda: _from_item(turn, argument),
        "confirm": lambda: _save(turn),
        "alt": lambda: _use_alternative(turn),
        "at": lambda: _at(turn, argument),
        "drop": lambda: _drop(turn),
        "show": lambda: _show(turn, int(argument)),
        "cancel": lambda: _cancel(turn, [int(argument)]),
        "cancel-all": lambda: _cancel_all(turn, confirmed=argument == "yes"),
        "change": lambda: _change(turn, int(argument)),
    }
    return actions.get(action, lambda: my_reminders(turn))()


def my_reminders(turn: Turn) -> list[Outbound]:
    """The list; "supprime tous mes rappels", "7ayed kolchi" ask to confirm cancelling all."""
    deletion = deletion_asked(turn.inbound.text) if not turn.inbound.payload else None
    if deletion and deletion.everything and turn.reminders:
        return _cancel_all(turn, confirmed=False)
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
    buttons = _numbered(shown, "show")
    turn.conversation.context[JUST_LISTED] = [r.id for r in turn.reminders[:8]]
    return [
        Outbound(
            "\n".join(lines),
            (*buttons, Button("reminder:cancel-all", _("Cancel all")), menu_button()),
        )
    ]


def _numbered(listed: list[ReminderView], action: str) -> list[Button]:
    return [
        Button(f"reminder:{action}:{r.id}", f"{i}. {r.text or '⏰'}")
        for i, r in enumerate(listed, start=1)
    ]


def just_listed(turn: Turn) -> list[ReminderView]:
    """The reminders the previous turn listed or showed, still pending; forgotten by this
    turn either way."""
    ids = turn.conversation.context.pop(JUST_LISTED, None) or []
    by_id = {r.id: r for r in turn.reminders}
    return [by_id[i] for i in ids if i in by_id]


def act_on_listed(turn: Turn, listed: list[ReminderView]) -> list[Outbound] | None:
    """ "7ayedha", "supprime le 2", "7ayed kolchi", "بدلها ل 4", "plutôt à 11h" right after
    the reminders were listed: done on the one listed, or on the one numbered; with several
    and no number, the bot asks which. None when the message is none of these."""
    if not listed:
        return None
    text = turn.inbound.text
    deletion = deletion_asked(text)
    if deletion and deletion.everything:
        return _cancel_all(turn, confirmed=False)
    if deletion and deletion.number is None and deletion.about:
        return _cancel_described(turn, listed, deletion)
    chosen = _chosen(listed, deletion.number if deletion else None)
    if deletion:
        return _cancel(turn, [chosen.id]) if chosen else _ask_which(turn, listed, "cancel")
    if corrected_time(text, turn.now, (chosen or listed[0]).local) is None:
        return None
    if chosen is None:
        turn.conversation.context[CHANGE_SAID] = text
        return _ask_which(turn, listed, "which")
    return _move(turn, chosen, text)


def _cancel_described(turn: Turn, listed: list[ReminderView], deletion: Deletion) -> list[Outbound]:
    """ "annule celui du comptable": the one listed whose text has those words; of several,
    the bot asks which; of none, it says so and cancels nothing."""
    described = [r for r in listed if deletion.names(r.text)]
    if len(described) == 1:
        return _cancel(turn, [described[0].id])
    if described:
        return _ask_which(turn, described, "cancel")
    turn.conversation.context[JUST_LISTED] = [r.id for r in listed]
    return [
        Outbound(
            _("None of your reminders is about «{words}». Which one should I cancel?").format(
                words=" ".join(deletion.about)
            ),
            (*_numbered(listed[: MAX_CHOICES - 1], "cancel"), menu_button()),
        )
    ]


def _move(turn: Turn, reminder: ReminderView, said: str) -> list[Outbound]:
    """A listed reminder moved to the time `said` ("bdelha l 4"), unless it has passed."""
    moved = corrected_time(said, turn.now, reminder.local)
    if moved is None:
        return _change(turn, reminder.id)
    if moved.local <= turn.now.replace(tzinfo=None):
        return [Outbound(_("That time has already passed."), _saved(reminder.local).buttons)]
    turn.effects.append(RescheduleReminder(reminder.id, moved.local))
    return [_saved(moved.local)]


def _chosen(listed: list[ReminderView], number: int | None) -> ReminderView | None:
    if number is None:
        return listed[0] if len(listed) == 1 else None
    return listed[number - 1] if 1 <= number <= len(listed) else None


def _ask_which(turn: Turn, listed: list[ReminderView], action: str) -> list[Outbound]:
    buttons = _numbered(listed[: MAX_CHOICES - 1], action)
    return [Outbound(_("Which reminder? Type its number."), (*buttons, menu_button()))]


def _which(turn: Turn, reminder_id: str) -> list[Outbound]:
    """The reminder chosen for the change of time said just before it was asked which."""
    said = turn.conversation.context.pop(CHANGE_SAID, "")
    reminder = next((r for r in turn.reminders if str(r.id) == reminder_id), None)
    return _move(turn, reminder, said) if reminder else my_reminders(turn)


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
    """The time in `text`, completing the piece given before ("nhar 15 yanayer", then
    "m3a 3 l3chiya"): an hour alone after an evening one stays in the evening."""
    if _update_time(turn, text) is None:
        return None if quiet else _ask_when(turn)
    return _next_question(turn)


def _update_time(turn: Turn, text: str) -> TimeExpression | None:
    """The time (or piece of it) in `text`, kept with what was given before; None if none."""
    slots = turn.conversation.slots
    earlier = _pending(slots)
    parsed = parse_time(text, turn.now)
    if parsed is None:
        return None
    if earlier is not None and earlier.names_time and earlier.local.hour >= 12:
        parsed = _in_the_evening(text, turn, parsed)
    if earlier is not None:
        parsed = completed(parsed, earlier)
    _remember(slots, parsed)
    return parsed


def _in_the_evening(text: str, turn: Turn, parsed: TimeExpression) -> TimeExpression:
    """After 20:00, "m3a 9" alone is 21:00 (09:00 offered); "ghda m3a 9" is read afresh."""
    if parsed.names_day:
        return parsed
    return parse_time(text, turn.now, afternoon=True) or parsed


def _next_question(turn: Turn) -> list[Outbound]:
    """What is still missing is asked (a time gone by is refused); else the confirmation."""
    slots = turn.conversation.slots
    if "local" not in slots:
        return _ask_when(turn)
    if datetime.fromisoformat(slots["local"]) <= turn.now.replace(tzinfo=None):
        return _refuse_past(turn)
    if not slots.get("text") and not slots.get("reminder_id"):
        return _ask_what(turn)
    return _confirm(turn)


def _pending(slots: dict[str, Any]) -> TimeExpression | None:
    """The time proposed so far, with which of its day and hour were said."""
    if "local" not in slots:
        return None
    return TimeExpression(
        datetime.fromisoformat(slots["local"]),
        time_assumed=bool(slots.get("assumed")),
        names_day=bool(slots.get("day_said")),
        names_time=bool(slots.get("time_said")),
    )


def _refuse_past(turn: Turn) -> list[Outbound]:
    """ "hier à 10h", or a proposal confirmed once its time has gone by: said, and asked
    again (what to remind of is kept; the time is not)."""
    slots = turn.conversation.slots
    for key in ("local", "alternative", "assumed", "day_said", "time_said"):
        slots.pop(key, None)
    return _ask_when(turn, _("That time has already passed.") + " ")


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
    slots["day_said"], slots["time_said"] = parsed.names_day, parsed.names_time


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
    slots.update(local=chosen.isoformat(), assumed=False, alternative=None, time_said=True)
    if chosen <= turn.now.replace(tzinfo=None):
        return _ask_when(turn, _("That time has already passed.") + " ")
    return _confirm(turn)


def _save(turn: Turn) -> list[Outbound]:
    slots = turn.conversation.slots
    if "local" not in slots:
        return _ask_when(turn)
    local = datetime.fromisoformat(slots["local"])
    if local <= turn.now.replace(tzinfo=None):  # confirmed the next day, say
        return _refuse_past(turn)
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
    if moved.local <= turn.now.replace(tzinfo=None):
        turn.conversation.context[JUST_SAVED] = saved
        return [Outbound(_("That time has already passed."), _saved(local).buttons)]
    turn.effects.append(RescheduleReminder(reminder_id, moved.local))
    turn.conversation.context[JUST_SAVED] = {
        **saved,
        "id": reminder_id,
        "local": moved.local.isoformat(),
    }
    return [_saved(moved.local)]


def another_just_after(turn: Turn, saved: dict[str, Any] | None) -> list[Outbound] | None:
    """ "et aussi le 22 à 9h d'appeler le comptable" right after a reminder was saved: one
    more reminder, asked without "rappelle-moi"; None when the message is not that."""
    text = turn.inbound.text
    if not saved or asks_question(text) or parse_time(text, turn.now) is None:
        return None
    if not reminder_words(text, turn.now):
        return None
    return start_from_text(turn)


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
    turn.conversation.context[JUST_LISTED] = [reminder.id]
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
    cancelled = [i for i in reminder_ids if i in known]
    turn.effects += [CancelReminder(i) for i in cancelled]
    turn.reminders = [r for r in turn.reminders if r.id not in reminder_ids]
    said = (
        _("Reminders cancelled ({count}).").format(count=len(cancelled))
        if len(cancelled) > 1
        else _("Reminder cancelled.")
    )
    return [Outbound(said, (Button("intent:my_reminders", _("My reminders")), menu_button()))]


def _cancel_all(turn: Turn, *, confirmed: bool) -> list[Outbound]:
    """All of them go only once the user said yes to how many."""
    if not turn.reminders:
        return my_reminders(turn)
    if confirmed:
        return _cancel(turn, [r.id for r in turn.reminders])
    question = _("Cancel all your reminders ({count})?").format(count=len(turn.reminders))
    buttons = (
        Button("reminder:cancel-all:yes", _("Yes, cancel them")),
        Button("intent:my_reminders", _("No, keep them")),
    )
    return [Outbound(question, buttons)]


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
