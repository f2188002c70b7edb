"""Reminder times in French, Arabic and Darija, both scripts, from a message.

"fakrni ghda f 10 dsbah ndi lwra9 l lmahkama", "rappelle-moi lundi à 14h d'appeler la
banque", "ذكرني بعد يومين بالجمع العام", "kol chhar nhar 1 fakrni b l'assemblée"; and, right
after a reminder is proposed or saved, a change of its time ("plutôt à 11h", "la, m3a 11").

Policy for what people leave unsaid (the bot confirms it back with buttons):
- an hour from 1 to 7 with no period ("f 3", "à 4") is the afternoon (15:00, 16:00); the
  other reading is returned as `alternative`; 8 to 11 is the morning, 12 is noon;
- no time at all: 09:00, flagged `time_assumed`;
- a weekday is the next one after today; a date without a year is the next such date;
- "next week" alone is the same weekday a week later, with a weekday that day of the next
  calendar week; "next month" is the same day of the next month;
- a time of day alone that has passed today means tomorrow;
- a correction's time without a day is on the corrected reminder's day, and an hour alone
  from 1 to 12, without a period, keeps the corrected reminder's half of the day (20:00,
  then "non, à 9" is 21:00, the morning being the alternative).
The words live in time_words.yaml; the result is a local wall time, never an offset.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.nlu.normalize import _ARABIC_LETTERS, clean, strip_marks

WORDS_FILE = Path(__file__).parent / "time_words.yaml"
DEFAULT_TIME = time(9, 0)
_TOKEN = re.compile(r"\d{1,2}[:h.]\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|[\w'’-]+", re.UNICODE)
_CLOCK = re.compile(r"^(\d{1,2})(?:h(\d{2})?|[:.](\d{2}))$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:er|ere|re|eme|e)$")
_UNIT_DAYS = {"minutes": None, "hours": None, "days": 1, "weeks": 7, "months": 30}
_TRIGGERS = ("triggers", "triggers_pointing_back")  # "fakrni", "rappelle-le-moi"
_DAY_OFFSETS = {
    "before_yesterday": -2,
    "yesterday": -1,
    "today": 0,
    "tomorrow": 1,
    "after_tomorrow": 2,
}
_LATER = ("next_week", "next_month")
DELETION_WORDS = 6  # "supprime tous mes rappels stp"; longer, it says something else
_SAYS_WHICH_LENGTH = 4  # shorter words ("le", "du", "dyal") do not say which reminder
_NOT_WHICH = ("deletions", "everything", "which_words", "triggers", "polite", "pronouns")
_ARTICLES = ("وال", "فال", "بال", "لل", "ال", "l")  # "للمحكمة" is about "محكمة"


@dataclass(frozen=True)
class TimeExpression:
    local: datetime
    recurrence: str | None = None
    alternative: datetime | None = None
    time_assumed: bool = False
    text: str = ""
    names_day: bool = False  # "lundi", "demain", "le 15": the day was said
    names_time: bool = False  # "à 14h", "l3chiya", "dans 2 heures": the time was said


@dataclass
class _Found:
    delta: timedelta | None = None
    delta_in_days: bool = False  # "in 2 days" names a day; "in 36 hours" a moment
    day: date | None = None
    later: str | None = None  # "next_week", "next_month"
    weekday: int | None = None
    month_day: int | None = None
    hour: int | None = None
    minute: int = 0
    explicit_24h: bool = False
    quarter_to: bool = False
    period: str | None = None
    recurrence: str | None = None
    corrected: bool = False  # "plutôt", "la", "بدلها": read only in a correction
    points_back: bool = False  # "rappelle-le-moi": what to remind of is the last subject
    used: set[int] = field(default_factory=set)

    @property
    def names_day(self) -> bool:
        return any(v is not None for v in (self.day, self.weekday, self.month_day, self.later)) or (
            self.delta is not None and self.delta_in_days
        )

    @property
    def names_time(self) -> bool:
        return (
            self.hour is not None
            or self.period is not None
            or (self.delta is not None and not self.delta_in_days)
        )

    @property
    def anything(self) -> bool:
        return any(
            v is not None
            for v in (
                self.delta,
                self.day,
                self.weekday,
                self.month_day,
                self.hour,
                self.period,
                self.recurrence,
                self.later,
            )
        )


def parse_time(text: str, now: datetime, *, afternoon: bool = False) -> TimeExpression | None:
    """The reminder time in `text`, relative to `now` (aware, in the user's zone); with
    `afternoon`, an hour from 1 to 12 said without a period is read after noon."""
    found, rest = _scan(text, now)
    return _expression(found, now, rest, afternoon=afternoon)


def _expression(
    found: _Found, now: datetime, rest: str, *, afternoon: bool
) -> TimeExpression | None:
    if not found.anything:
        return None
    try:
        local, alternative, assumed = _compose(found, now, afternoon=afternoon)
    except ValueError:  # "à 25h", "10h70": no such time; asked again like any unread time
        return None
    moment = found.delta is not None and not found.delta_in_days  # "dans 2 heures"
    return TimeExpression(
        local=local,
        recurrence=found.recurrence,
        alternative=alternative,
        time_assumed=assumed,
        text=rest,
        names_day=found.names_day or moment,
        names_time=found.names_time,
    )


def completed(piece: TimeExpression, earlier: TimeExpression) -> TimeExpression:
    """A time given in pieces: "lundi prochain", then "à 14h30" is that Monday at 14:30;
    "à 16h", then "jeudi" is Thursday at 16:00. A piece that says both replaces."""
    if earlier.names_day and not piece.names_day:
        day = earlier.local.date()
        alternative = piece.alternative and datetime.combine(day, piece.alternative.time())
        return replace(
            piece,
            local=datetime.combine(day, piece.local.time()),
            alternative=alternative,
            names_day=True,
        )
    if earlier.names_time and not earlier.time_assumed and not piece.names_time:
        return replace(
            piece,
            local=datetime.combine(piece.local.date(), earlier.local.time()),
            alternative=None,
            time_assumed=False,
            names_time=True,
        )
    return piece


def asks_reminder(text: str) -> bool:
    """Whether the message says "remind me" in some language ("fakrni", "ذكرني")."""
    tokens = [_key(t) for t in _TOKEN.findall(clean(text))]
    return any(
        kind in _TRIGGERS
        for position in range(len(tokens))
        for kind, _ in _lookup(tokens, position)[1]
    )


def points_back(text: str, now: datetime) -> bool:
    """Whether what to be reminded of is only a pronoun ("rappelle-moi ça demain", "fakrni
    bih", "ذكرني بها", "rappelle-le-moi"): the subject just discussed."""
    found, rest = _scan(text, now)
    return found.points_back or _is_pronoun(rest)


def corrected_time(text: str, now: datetime, proposed: datetime) -> TimeExpression | None:
    """ "plutôt à 11h", "non, jeudi", "la, m3a 11", "بدلها ل 11" said of a reminder `proposed`
    for that time: the new time, on the same day unless a day is said (and at the same hour
    unless a time is); None unless the message is only a change of the time."""
    originals = _TOKEN.findall(clean(text))
    found = _Scanner([_key(t) for t in originals], now.date(), corrections=True).scan()
    rest = _reminder_text([o for i, o in enumerate(originals) if i not in found.used])
    if not found.corrected or rest or not (found.names_day or found.names_time):
        return None
    moved = _expression(found, now, "", afternoon=proposed.hour >= 12 and not found.names_day)
    if moved is None:  # "plutôt à 25h": not a time
        return None
    return completed(moved, TimeExpression(proposed, names_day=True, names_time=True))


@dataclass(frozen=True)
class Deletion:
    """ "7ayedha", "supprime le 2", "إلغاء الكل": which listed reminders to take off."""

    everything: bool = False
    number: int | None = None  # its number in the list shown
    about: tuple[str, ...] = ()  # words that say which ("celui du comptable": "comptable")

    def names(self, reminder_text: str) -> bool:
        """The reminder's text has one of the words that say which ("comptable",
        "lbanka" for «nmchi l banka»)."""
        written = {_unarticled(_key(t)) for t in _TOKEN.findall(clean(reminder_text))}
        return any(_same_word(word, other) for word in self.about for other in written)


def deletion_asked(text: str) -> Deletion | None:
    """Whether a short message asks to delete a reminder just listed or shown, or all."""
    tokens = [_key(t) for t in _TOKEN.findall(clean(text))]
    if len(tokens) > DELETION_WORDS or not _any_phrase(tokens, "deletions"):
        return None
    numbers = [int(t) for t in tokens if t.isdigit()]
    about = tuple(
        _unarticled(t)
        for t in tokens
        if len(_unarticled(t)) >= _SAYS_WHICH_LENGTH and not _listed_anywhere(t)
    )
    return Deletion(_any_phrase(tokens, "everything"), numbers[0] if numbers else None, about)


def _listed_anywhere(token: str) -> bool:
    """A word of the lists (a deletion, "tout", "rappel", "celui"): it does not say which."""
    return any((token,) in _phrases(category) for category in _NOT_WHICH)


def _unarticled(token: str) -> str:
    for article in _ARTICLES:
        if token.startswith(article) and len(token) - len(article) >= _SAYS_WHICH_LENGTH:
            return token[len(article) :]
    return token


def _same_word(one: str, other: str) -> bool:
    """The same word, or one begins the other ("comptable", "comptabilité")."""
    shorter, longer = sorted((one, other), key=len)
    common = shorter[: _SAYS_WHICH_LENGTH + 1]
    return len(shorter) >= _SAYS_WHICH_LENGTH and longer.startswith(common)


def _any_phrase(tokens: list[str], category: str) -> bool:
    phrases = _phrases(category)
    return any(
        tuple(tokens[start : start + length]) in phrases
        for start in range(len(tokens))
        for length in (1, 2, 3)
    )


def reminder_words(text: str, now: datetime) -> str:
    """What to be reminded of: the message without its request and time words
    ("rappelle-moi d'appeler la banque" → "appeler la banque")."""
    return _scan(text, now)[1]


def _scan(text: str, now: datetime) -> tuple[_Found, str]:
    originals = _TOKEN.findall(clean(text))
    tokens = [_key(t) for t in originals]
    found = _Scanner(tokens, now.date()).scan()
    rest = [o for i, o in enumerate(originals) if i not in found.used]
    return found, _reminder_text(rest)


def _key(token: str) -> str:
    token = strip_marks(token).translate(_ARABIC_LETTERS).casefold().replace("’", "'")
    return re.sub(r"([^\W\d_])\1{2,}", r"\1", token)


@cache
def _lexicon() -> dict[tuple[str, ...], list[tuple[str, Any]]]:
    """Every phrase, as a tuple of normalised tokens, with all its meanings."""
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    lexicon: dict[tuple[str, ...], list[tuple[str, Any]]] = {}

    def add(phrase: str, meaning: tuple[str, Any]) -> None:
        key = tuple(_key(t) for t in _TOKEN.findall(phrase))
        lexicon.setdefault(key, []).append(meaning)

    for category in (
        *_TRIGGERS,
        "corrections",
        "polite",
        "relative",
        "filler",
        *_DAY_OFFSETS,
        *_LATER,
        "this_month",
        "half_hour",
        "quarter_hour",
        "half_past",
        "quarter_past",
        "quarter_to",
        "following",
    ):
        for phrase in data[category]:
            add(phrase, (category, None))
    for category in ("weekdays", "months", "units", "duals", "numbers", "periods", "recurrence"):
        for value, phrases in data[category].items():
            for phrase in phrases:
                add(phrase, (category, value))
    return lexicon


@cache
def _phrases(category: str) -> frozenset[tuple[str, ...]]:
    """A list of time_words.yaml not read as time words (pronouns, words starting with ب,
    deletions)."""
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return frozenset(tuple(_key(t) for t in _TOKEN.findall(p)) for p in data[category])


def _is_pronoun(words: str) -> bool:
    return tuple(_key(t) for t in _TOKEN.findall(words)) in _phrases("pronouns")


def _lookup(tokens: list[str], start: int) -> tuple[int, list[tuple[str, Any]]]:
    """The longest phrase at `start` (Arabic ف/و/ب prefixes tolerated): length, meanings."""
    lexicon = _lexicon()
    for length in (4, 3, 2, 1):
        window = tokens[start : start + length]
        if len(window) < length:
            continue
        for first in _prefix_variants(window[0]):
            meanings = lexicon.get((first, *window[1:]))
            if meanings:
                return length, meanings
    return 0, []


def _prefix_variants(token: str) -> list[str]:
    variants = [token]
    if len(token) > 3 and token[0] in "وفب":
        variants.append(token[1:])
    if token.startswith("فال") or token.startswith("بال"):
        variants.append(token[1:])
    return variants


def _meaning(meanings: list[tuple[str, Any]], category: str) -> Any:
    return next((value for kind, value in meanings if kind == category), None)


def _has(meanings: list[tuple[str, Any]], category: str) -> bool:
    return any(kind == category for kind, _ in meanings)


class _Scanner:
    def __init__(self, tokens: list[str], today: date, *, corrections: bool = False) -> None:
        self.tokens = tokens
        self.today = today
        self.corrections = corrections
        self.found = _Found()

    def scan(self) -> _Found:
        position = 0
        while position < len(self.tokens):
            position = self._step(position) or position + 1
        self._absorb_prepositions()
        if self.corrections:
            self._bare_hour()
        return self.found

    def _bare_hour(self) -> None:
        """ "plutôt 11": in a correction, a number left alone is the hour."""
        left = [i for i in range(len(self.tokens)) if i not in self.found.used]
        if self.found.hour is None and len(left) == 1:
            quantity, size = self._number(left[0])
            if quantity is not None and size == 1:
                self._hour_at(left[0], quantity, size)

    def _absorb_prepositions(self) -> None:
        """ "le" in "le 15 décembre", "f" in "f lil": a filler right before a time is part of it."""
        for index in range(len(self.tokens) - 2, -1, -1):
            if (
                index not in self.found.used
                and index + 1 in self.found.used
                and _has(_lookup(self.tokens, index)[1], "filler")
                and _lookup(self.tokens, index)[0] == 1
                and not self._prefixed_pronoun(index)
            ):
                self.found.used.add(index)

    def _prefixed_pronoun(self, index: int) -> bool:
        """ "بهذا" in "ذكرني بهذا غدا" is "about this", not the filler "هذا" before a time."""
        token = (self.tokens[index],)
        return token in _phrases("pronouns") and token not in _lexicon()

    def _number(self, position: int) -> tuple[int | None, int]:
        """A quantity at `position`: digits or a number word; with its length."""
        token = self.tokens[position] if position < len(self.tokens) else ""
        if token.isdigit():
            return int(token), 1
        if ordinal := _ORDINAL.match(token):
            return int(ordinal.group(1)), 1
        length, meanings = _lookup(self.tokens, position) if token else (0, [])
        value = _meaning(meanings, "numbers")
        return (int(value), length) if value is not None else (None, 0)

    def _use(self, start: int, length: int) -> int:
        self.found.used.update(range(start, start + length))
        return start + length

    def _step(self, position: int) -> int | None:
        token = self.tokens[position]
        for reader in (self._clock_or_date, self._phrase, self._bare_number):
            end = reader(position, token)
            if end:
                return end
        return None

    def _clock_or_date(self, position: int, token: str) -> int | None:
        if clock := _CLOCK.match(token):
            self._set_hour(int(clock.group(1)), int(clock.group(2) or clock.group(3) or 0))
            self.found.explicit_24h = int(clock.group(1)) >= 13 or token.startswith("0")
            return self._minutes_after(self._use(position, 1))
        if day := _DATE.match(token):
            year = int(day.group(3)) if day.group(3) else None
            self._set_date(int(day.group(1)), int(day.group(2)), year)
            return self._use(position, 1)
        return None

    def _phrase(self, position: int, token: str) -> int | None:
        length, meanings = _lookup(self.tokens, position)
        if not meanings:
            return None
        found = self.found
        kinds = {kind for kind, _ in meanings}
        if "recurrence" in kinds:
            return self._recurrence(position, length, _meaning(meanings, "recurrence"))
        if "relative" in kinds and (end := self._relative(position + length)):
            self._use(position, length)
            return end
        if days := kinds & _DAY_OFFSETS.keys():
            found.day = self.today + timedelta(days=_DAY_OFFSETS[days.pop()])
            return self._use(position, length)
        if later := kinds & set(_LATER):
            found.later = later.pop()
            return self._use(position, length)
        if "weekdays" in kinds and not (kinds & {"numbers"} and self._next_is_unit(position + 1)):
            found.weekday = int(_meaning(meanings, "weekdays"))
            return self._following(self._use(position, length))
        if "periods" in kinds:
            found.period = _meaning(meanings, "periods")
            end = self._use(position, length)
            if found.period == "noon" and found.hour is None:
                found.hour = 12
                return self._minutes_after(end)
            return end
        if "triggers_pointing_back" in kinds:
            found.points_back = True
        if kinds & {*_TRIGGERS, "polite"}:
            return self._use(position, length)
        if (
            "filler" in kinds
            and not self._prefixed_pronoun(position)
            and (end := self._filler(position, length))
        ):
            return end
        if "corrections" in kinds and self.corrections:
            found.corrected = True
            return self._use(position, length)
        return None

    def _following(self, position: int) -> int:
        """ "prochain" in "mardi prochain": the next such day is the one meant anyway."""
        length, meanings = _lookup(self.tokens, position)
        return self._use(position, length) if _has(meanings, "following") else position

    def _recurrence(self, position: int, length: int, kind: str) -> int:
        end = self._use(position, length)
        if kind == "daily_morning":
            self.found.recurrence, self.found.period = "daily", "morning"
            return end
        if kind != "each":
            self.found.recurrence = kind
            return end
        length, meanings = _lookup(self.tokens, end)
        if _has(meanings, "weekdays"):
            self.found.recurrence, self.found.weekday = (
                "weekly",
                int(_meaning(meanings, "weekdays")),
            )
            return self._use(end, length)
        self.found.used.discard(position)
        return position + 1

    def _relative(self, position: int) -> int | None:
        """After dans / ba3d / بعد: a quantity and a unit ("2 sa3at", "يومين", "nos sa3a")."""
        length, meanings = _lookup(self.tokens, position)
        if _meaning(meanings, "numbers") == 1 and not _has(meanings, "half_hour"):
            after_length, after = _lookup(self.tokens, position + length)
            if _has(after, "half_hour") or _has(after, "quarter_hour"):
                self._use(position, length)
                position, length, meanings = position + length, after_length, after
        if _has(meanings, "half_hour") or _has(meanings, "quarter_hour"):
            minutes = 30 if _has(meanings, "half_hour") else 15
            self.found.delta = timedelta(minutes=minutes)
            return self._use(position, length)
        if _has(meanings, "duals"):
            self._set_delta(2, _meaning(meanings, "duals"))
            return self._use(position, length)
        quantity, size = self._number(position)
        if quantity is None and self._next_is_unit(position):
            quantity = 1  # "ba3d sa3a", "بعد ساعة": a unit alone is one of it
        if quantity is None:
            return None
        unit_length, unit_meanings = _lookup(self.tokens, position + size)
        unit = _meaning(unit_meanings, "units")
        if unit is None:
            return None
        self._set_delta(quantity, unit)
        return self._use(position, size + unit_length)

    def _set_delta(self, quantity: int, unit: str) -> None:
        self.found.delta = _duration(quantity, unit)
        self.found.delta_in_days = _UNIT_DAYS[unit] is not None

    def _next_is_unit(self, position: int) -> bool:
        return _has(_lookup(self.tokens, position)[1], "units")

    def _filler(self, position: int, length: int) -> int | None:
        """A preposition belongs to the time when a time follows it ("à 14h", "f 10")."""
        end = position + length
        quantity, size = self._number(end)
        if quantity is not None and 0 <= quantity <= 31:
            nxt = self.tokens[end + size] if end + size < len(self.tokens) else ""
            month = _meaning(_lookup(self.tokens, end + size)[1], "months")
            if month is not None or nxt == "h" or self._is_day_of_month_marker(position):
                return None
            self._use(position, length)
            return self._hour_at(end, quantity, size)
        following = self.tokens[end] if end < len(self.tokens) else ""
        if (
            _CLOCK.match(following)
            or _lookup(self.tokens, end)[1]
            and any(
                kind in ("periods", "weekdays", *_DAY_OFFSETS, *_LATER)
                for kind, _ in _lookup(self.tokens, end)[1]
            )
        ):
            return self._use(position, length)
        return None

    def _is_day_of_month_marker(self, position: int) -> bool:
        return self.tokens[position] in ("nhar", "يوم", "نهار", "le") and (
            self.found.recurrence == "monthly" or self._next_is_month_context(position)
        )

    def _next_is_month_context(self, position: int) -> bool:
        quantity, size = self._number(position + 1)
        after = position + 1 + size
        return quantity is not None and not (
            after < len(self.tokens)
            and (self.tokens[after] == "h" or _has(_lookup(self.tokens, after)[1], "periods"))
        )

    def _bare_number(self, position: int, token: str) -> int | None:
        quantity, size = self._number(position)
        if quantity is None:
            return None
        month_length, month_meanings = _lookup(self.tokens, position + size)
        if _has(month_meanings, "this_month"):  # "le 25 de ce mois", "25 dyal had chhar"
            self._set_date(quantity, self.today.month, self.today.year)
            return self._use(position, size + month_length)
        month = _meaning(month_meanings, "months")
        if month is not None and 1 <= quantity <= 31:
            end = self._use(position, size + month_length)
            year, year_size = self._number(end)
            if year and year > 2000:
                end = self._use(end, year_size)
            self._set_date(quantity, int(month), year if year and year > 2000 else None)
            return end
        if (
            position > 0
            and self.tokens[position - 1] in ("nhar", "يوم", "نهار", "le")
            and (self.found.recurrence == "monthly" or self._next_is_month_context(position - 1))
        ):
            self.found.month_day = quantity
            self.found.used.add(position - 1)
            return self._use(position, size)
        period_length, period_meanings = _lookup(self.tokens, position + size)
        unit = _meaning(period_meanings, "units")
        if _has(period_meanings, "periods") or (
            unit == "hours" and period_length == 1 and self.tokens[position + size] == "h"
        ):
            return self._hour_at(position, quantity, size)
        return None

    def _hour_at(self, position: int, hour: int, size: int) -> int | None:
        if not 0 <= hour <= 23:
            return None
        self._set_hour(hour, 0)
        self.found.explicit_24h = hour >= 13
        end = self._use(position, size)
        unit_length, unit = _lookup(self.tokens, end)
        if _meaning(unit, "units") == "hours":
            end = self._use(end, unit_length)
        return self._minutes_after(end)

    def _minutes_after(self, position: int) -> int:
        length, meanings = _lookup(self.tokens, position)
        if _has(meanings, "half_past"):
            self.found.minute = 30
        elif _has(meanings, "quarter_past"):
            self.found.minute = 15
        elif _has(meanings, "quarter_to"):
            self.found.minute, self.found.quarter_to = 45, True
        else:
            return position
        return self._use(position, length)

    def _set_hour(self, hour: int, minute: int) -> None:
        self.found.hour, self.found.minute = hour, minute

    def _set_date(self, day: int, month: int, year: int | None) -> None:
        if year is not None and year < 100:
            year += 2000
        try:
            candidate = date(year or self.today.year, month, day)
        except ValueError:
            return
        if year is None and candidate < self.today:
            candidate = candidate.replace(year=candidate.year + 1)
        self.found.day = candidate


def _duration(quantity: int, unit: str) -> timedelta:
    if unit == "minutes":
        return timedelta(minutes=quantity)
    if unit == "hours":
        return timedelta(hours=quantity)
    return timedelta(days=quantity * (_UNIT_DAYS[unit] or 0))


def _compose(
    found: _Found, now: datetime, *, afternoon: bool = False
) -> tuple[datetime, datetime | None, bool]:
    local_now = now.replace(tzinfo=None)
    if found.delta is not None and not found.delta_in_days:
        moment = (now + found.delta).astimezone(now.tzinfo).replace(tzinfo=None)
        return moment.replace(second=0, microsecond=0), None, False
    if found.delta is not None:  # "in 2 days": that day, at the hour given or the usual one
        found.day = (local_now + found.delta).date()
    hour, alternative_hour = _hour_with_period(found, afternoon)
    if found.quarter_to:
        hour = (hour - 1) % 24 if hour is not None else None
        alternative_hour = (alternative_hour - 1) % 24 if alternative_hour is not None else None
    assumed = hour is None
    clock = time(hour, found.minute) if hour is not None else DEFAULT_TIME
    day = _day(found, local_now, clock)
    moment = datetime.combine(day, clock)
    alternative = (
        datetime.combine(day, time(alternative_hour, found.minute))
        if alternative_hour is not None
        else None
    )
    if alternative and alternative <= local_now and found.day is None:
        alternative += timedelta(days=1)
    return moment, alternative, assumed


def _hour_with_period(found: _Found, afternoon: bool) -> tuple[int | None, int | None]:
    hour, period = found.hour, found.period
    if hour is None:
        return (
            (12, None)
            if period == "noon"
            else ({"morning": 9, "afternoon": 15, "evening": 20}.get(period or "", None), None)
        )
    if period in ("afternoon", "evening") and hour < 12:
        return hour + 12, None
    if period == "morning" or found.explicit_24h or hour == 0 or hour >= 12:
        return hour, None
    if 1 <= hour <= 7 or (afternoon and hour < 12):
        return hour + 12, hour
    return hour, None


def _day(found: _Found, local_now: datetime, clock: time) -> date:
    today = local_now.date()
    if found.day is not None:
        return found.day
    if found.later == "next_week":
        if found.weekday is None:
            return today + timedelta(weeks=1)
        return today + timedelta(days=7 - today.weekday() + found.weekday)
    if found.weekday is not None:
        ahead = (found.weekday - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    if found.later == "next_month":
        return _in_next_month(today, found.month_day or today.day)
    if found.month_day is not None:
        return _next_month_day(today, found.month_day, clock, local_now)
    if datetime.combine(today, clock) <= local_now:
        return today + timedelta(days=1)
    return today


def _in_next_month(today: date, day: int) -> date:
    """Day `day` of the month after today's, or that month's last day."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _next_month_day(today: date, day: int, clock: time, local_now: datetime) -> date:
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate and datetime.combine(candidate, clock) > local_now:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return today


_LEADING_FILLER = re.compile(
    r"^(?:(?:et aussi|aussi|et|de|d'|d’|à|a|que|qu'|bach|باش|ب|b|ana|pour|l|و|w|to|hta|7ta|حتى)"
    r"\s+|d'|d’|qu')+",
    re.IGNORECASE,
)


# the preposition ب at a word's start, with its vowel marks or a tatweel ("بِـ")
_ARABIC_B = re.compile(r"^ب[\u0640\u064B-\u065F\u0670]*")
_SHORTEST_WORD = 3  # Arabic letters a word keeps once its preposition ب is taken off


def _reminder_text(tokens: list[str]) -> str:
    text = " ".join(tokens).strip(" ,.;:!?-،؟")
    words = _without_preposition(_LEADING_FILLER.sub("", text).strip(" ,.;:!?-،؟"))
    return "" if tuple(_key(t) for t in _TOKEN.findall(words)) in _phrases("something") else words


def _without_preposition(text: str) -> str:
    """ "بالاتصال بالبنك" → "الاتصال بالبنك", "ببيع المنتوج" → "بيع المنتوج": what a reminder
    is about follows a ب that belongs to the request ("ذكرني بـ…"), unless the first word is
    one that begins with ب ("بنك", "بيع", "بطاقة")."""
    first, space, others = text.partition(" ")
    key = _key(first)
    if _ARABIC_B.match(first) and len(key) > _SHORTEST_WORD and (key,) not in _phrases("b_words"):
        return f"{_ARABIC_B.sub('', first)}{space}{others}"
    return text
