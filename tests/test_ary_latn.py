"""Darija in Latin letters (ary-Latn): every text has it, and none of it uses Arabic script."""

import re

import pytest
from babel.messages.pofile import read_po

from bot.capsules import SHIPPED
from bot.content import default_content, read_yaml
from bot.handoff.canned import CANNED_FILE
from bot.i18n import LOCALES_DIR

ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
FORMAT_FIELD = re.compile(r"\{\w*\}|%\(\w+\)[sd]")
LATN = "ary-Latn"


def latin_texts() -> list[tuple[str, str]]:
    texts = []
    for item in default_content().items.values():
        for field in ("title", "text", "reminder"):
            if getattr(item, field):
                texts.append((f"{item.id}.{field}", getattr(item, field)[LATN]))
    for key, answer in (read_yaml(CANNED_FILE).get("canned") or {}).items():
        texts.append((f"canned.{key}", answer[LATN]))
    for capsule_id, raw in read_yaml(SHIPPED / "catalogue.yaml")["capsules"].items():
        for field in ("title", "caption"):
            texts.append((f"capsule.{capsule_id}.{field}", raw[field][LATN]))
    return texts


def catalog(code: str):
    with (LOCALES_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale="ar" if code == "ary" else None)


def test_every_content_item_has_its_latin_darija_variant():
    for item in default_content().items.values():
        assert item.text[LATN] and item.title[LATN]
        assert bool(item.reminder) == bool(item.reminder.get(LATN))


def test_no_latin_darija_text_uses_arabic_script():
    texts = latin_texts()
    assert len(texts) > 100
    assert [where for where, text in texts if ARABIC_SCRIPT.search(text)] == []


def test_ready_answers_and_capsules_have_latin_darija_with_the_same_format_fields():
    for key, answer in (read_yaml(CANNED_FILE).get("canned") or {}).items():
        assert sorted(FORMAT_FIELD.findall(answer[LATN])) == sorted(
            FORMAT_FIELD.findall(answer["ary"])
        ), key
    for raw in read_yaml(SHIPPED / "catalogue.yaml")["capsules"].values():
        assert raw["title"][LATN] and raw["caption"][LATN]


def test_the_latin_darija_catalog_translates_every_darija_msgid():
    darija, latin = catalog("ary"), catalog("ary_Latn")
    missing = [m.id for m in darija if m.id and not (latin.get(m.id) and latin.get(m.id).string)]
    assert missing == []


def test_the_latin_darija_catalog_has_no_arabic_script_and_keeps_format_fields():
    latin = catalog("ary_Latn")
    messages = [m for m in latin if m.id]
    assert messages
    assert [m.id for m in messages if ARABIC_SCRIPT.search(m.string)] == []
    assert [
        m.id
        for m in messages
        if sorted(FORMAT_FIELD.findall(m.string)) != sorted(FORMAT_FIELD.findall(m.id))
    ] == []


@pytest.mark.parametrize("code", ["ary_Latn"])
def test_short_buttons_stay_short(code):
    """A short source (a button title) keeps a translation a button can show (20 characters)."""
    french = catalog("fr")
    long = [
        m.id
        for m in catalog(code)
        if m.id and len(m.id) <= 20 and len(french.get(m.id).string) <= 20 and len(m.string) > 20
    ]
    assert long == []
