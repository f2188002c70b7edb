"""Interface strings: every string the code shows exists in every catalog."""

import re
from datetime import datetime

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.capsules import SHIPPED as SHIPPED_CAPSULES
from bot.content import CONTENT_DIR, read_yaml
from bot.flows.subscriptions import TEXTS_FILE as SUBSCRIPTION_TEXTS
from bot.handoff.canned import CANNED_FILE
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
from bot.nlu.normalize import normalize

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


# Words that speak to a man only where Arabic and Darija have a form for everyone (many
# users are women running cooperatives): imperatives, "تريد", "خدام", "met2akked"...
MASCULINE_ONLY = {
    "ar": "اختر اكتب اسأل انظر تريد تفضلها تعمل راسلني توجه افتح اضغط انتظر تابع اطلب أعد "
    "تحتاج تقصد تخبرني تقيّم تحدث تأكد اطرح",
    "ary": "ختار كتب سول سولني شوف خدام تسنى ضغط عاود كمل صيفط هضر جاوب قولي توقف تشوف "
    "تزيد تجاوب متأكد تأكد سير دير تعرف",
    "ary-Latn": "khtar kteb sowel sowelni chouf khddam tsenna dghet 3awed kemmel sifet hder "
    "jawb 9olli t7bes tchouf tzid tjawb met2akked t2akked sir dir khdem t3ref",
}


def _texts_in(tree: object, language: str) -> list[str]:
    """Every text written for `language` anywhere in a YAML tree (titles, texts, captions...)."""
    if isinstance(tree, dict):
        return [
            text
            for key, value in tree.items()
            for text in ([value] if key == language and isinstance(value, str) else [])
            + _texts_in(value, language)
        ]
    if isinstance(tree, list):
        return [text for value in tree for text in _texts_in(value, language)]
    return []


def _texts_shown_in(language: str) -> list[str]:
    """Interface strings, the advisors' ready answers, the content answers, the capsules and
    the subscription messages, in one language."""
    catalog = read_po(catalog_file(language).open("rb"), locale=babel_locale_of_catalog(language))
    answers = [read_yaml(path).get("items") for path in sorted(CONTENT_DIR.glob("*.yaml"))]
    shown = [
        read_yaml(CANNED_FILE)["canned"],
        answers,
        read_yaml(SHIPPED_CAPSULES / "catalogue.yaml")["capsules"],
        read_yaml(SUBSCRIPTION_TEXTS),
    ]
    return [m.string for m in catalog if m.id] + _texts_in(shown, language)


@pytest.mark.parametrize("language", MASCULINE_ONLY)
def test_arabic_and_darija_texts_address_women_and_men_alike(language):
    masculine = {normalize(word) for word in MASCULINE_ONLY[language].split()}
    found = [
        (word, text)
        for text in _texts_shown_in(language)
        for word in re.findall(r"[\w']+(?:\(\w+\))?", text)  # «متأكد(ة)» is for both
        if normalize(word) in masculine
    ]
    assert found == []


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
