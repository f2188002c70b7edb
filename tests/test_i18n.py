"""Interface strings: every string the code shows exists in every catalog."""

from datetime import datetime

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import (
    LANGUAGES,
    LOCALES_DIR,
    _,
    babel_locale_of_catalog,
    catalog_file,
    format_moment,
    format_weekdays,
    use_language,
)

USED = sorted(
    {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            LOCALES_DIR.parent / "bot",
            method_map=[("**.py", "python")],
            keywords={"_": None, "N_": None},
        )
    }
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_interface_string_is_translated_in_every_catalog(language):
    catalog = read_po(catalog_file(language).open("rb"), locale=babel_locale_of_catalog(language))
    missing = [m for m in USED if not (catalog.get(m) and catalog.get(m).string)]
    assert missing == []


def test_darija_falls_back_to_arabic_for_a_string_it_lacks(tmp_path):
    with use_language("ary"):
        assert _("Main menu") == "المينو"
    with use_language("ar"):
        assert _("Main menu") == "القائمة الرئيسية"


def test_an_unknown_language_is_served_in_darija():
    with use_language("de"):
        assert _("Main menu") == "المينو"


def test_latin_darija_readers_get_darija_weekdays_and_french_months():
    with use_language("ary-Latn"):
        assert format_moment(datetime(2026, 12, 4, 10, 0)) == "jjem3a 4 décembre 2026 – 10:00"
        assert format_weekdays(frozenset(range(5))) == "letnin – jjem3a"


def test_french_readers_keep_babels_dates():
    with use_language("fr"):
        assert format_moment(datetime(2026, 12, 4, 10, 0)) == "vendredi 4 décembre 2026 – 10:00"
