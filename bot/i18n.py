"""Interface strings through gettext, and locale-aware formatting with Babel.

The reply language is set once per incoming message (`use_language`); `_` reads it.
Babel has no `ary` locale: its catalog is read as Arabic and falls back to `ar`.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_time, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LATIN_DARIJA = "ary-Latn"  # Darija in Latin letters (BCP 47), as Arabizi writers read it
LANGUAGES = ("ary", LATIN_DARIJA, "ar", "fr")
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
# Latin-script readers get French months and numbers ("7 décembre"), as they write them,
# and weekdays in Darija ("jjem3a"), from their catalog: Babel has no Darija.
BABEL_LOCALE = {"ary": "ar_MA", LATIN_DARIJA: "fr_MA", "ar": "ar_MA", "fr": "fr_MA"}
_FALLBACKS = {"ary": ("ary", "ar"), LATIN_DARIJA: ("ary_Latn", "fr"), "ar": ("ar",), "fr": ("fr",)}

_current: ContextVar[str] = ContextVar("language", default="ary")


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    token = _current.set(language if language in LANGUAGES else "ary")
    try:
        yield
    finally:
        _current.reset(token)


def current_language() -> str:
    return _current.get()


def _(message: str) -> str:
    """Translate an interface string into the current reply language."""
    return catalog(_current.get()).gettext(message)


def N_(message: str) -> str:  # noqa: N802 — gettext's conventional name for "mark only"
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@cache
def catalog(language: str) -> gettext_module.NullTranslations:
    chain: gettext_module.NullTranslations = gettext_module.NullTranslations()
    for code in reversed(_FALLBACKS[language]):
        loaded = _load_po(catalog_file(code))
        loaded.add_fallback(chain)
        chain = loaded
    return chain


# Babel knows no Darija locale; its catalogs are read with a related one's plural rules.
_BABEL_CATALOG_LOCALE = {"ary": "ar", "ary_Latn": "fr"}


def catalog_file(language: str) -> Path:
    """locales/<folder>/LC_MESSAGES/messages.po; BCP 47's "ary-Latn" is the folder ary_Latn."""
    return LOCALES_DIR / language.replace("-", "_") / "LC_MESSAGES" / "messages.po"


def babel_locale_of_catalog(language: str) -> str:
    folder = language.replace("-", "_")
    return _BABEL_CATALOG_LOCALE.get(folder, folder)


def _load_po(path: Path) -> Translations:
    with path.open("rb") as source:
        parsed = read_po(source, locale=babel_locale_of_catalog(path.parts[-3]))
    compiled = BytesIO()
    write_mo(compiled, parsed)
    compiled.seek(0)
    return Translations(compiled)


def format_number(value: float) -> str:
    """A number as the current reader writes it (ar_MA: 300.000; fr_MA: 300 000)."""
    return format_decimal(value, locale=BABEL_LOCALE[_current.get()])


WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def format_moment(moment: datetime) -> str:
    """A local wall time as the reader writes it: "الخميس، 26 نونبر 2026 – 10:00",
    "jjem3a 4 décembre 2026 – 10:00"."""
    locale = BABEL_LOCALE[_current.get()]
    if _current.get() == LATIN_DARIJA:
        weekday = _(WEEKDAYS[moment.weekday()])
        day = f"{weekday} {format_date(moment, 'd MMMM y', locale=locale)}"
    else:
        day = format_date(moment, "full", locale=locale)
    return f"{day} – {format_time(moment, 'HH:mm', locale=locale)}"


def _day_names() -> dict[int, str]:
    if _current.get() == LATIN_DARIJA:
        return {number: _(name) for number, name in enumerate(WEEKDAYS)}
    return dict(get_day_names("wide", locale=BABEL_LOCALE[_current.get()]))


def format_weekdays(days: frozenset[int]) -> str:
    """Open days as a reader says them: "lundi – vendredi" for a run, else a list."""
    names = _day_names()
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{names[ordered[0]]} – {names[ordered[-1]]}"
    separator = ", " if BABEL_LOCALE[_current.get()] == "fr_MA" else "، "
    return separator.join(names[day] for day in ordered)
