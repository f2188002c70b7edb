"""The content files: strict validation, and nothing the fact sheet forbids."""

import re
import textwrap

import pytest

from bot.content import ContentError, default_content, known_intents, load_content
from bot.content.claims import rules

CONVERSATIONAL = {
    "greeting",
    "thanks_goodbye",
    "help_menu",
    "change_language",
    "talk_to_advisor",
    "set_reminder",
    "my_reminders",
    "delete_my_data",
}
ALL_TEXTS = [
    (item.id, language, text)
    for item in default_content().items.values()
    for language, text in {**item.text, **{f"{k}-title": v for k, v in item.title.items()}}.items()
]


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule.id)
def test_no_text_makes_a_claim_the_fact_sheet_forbids(rule):
    """The same rules (bot/content/forbidden_claims.yaml) refuse such a text on every write."""
    offenders = [
        (i, lang) for i, lang, text in ALL_TEXTS if rule.made_by(text, lang.removesuffix("-title"))
    ]
    assert offenders == []


def test_intilaka_rates_are_always_given_as_2020_terms():
    rated = [(i, lang, t) for i, lang, t in ALL_TEXTS if re.search(r"1[,.]75", t)]
    assert rated
    assert [(i, lang) for i, lang, t in rated if "2020" not in t] == []


def test_covid_products_are_always_dated_2020():
    covid = [(i, lang, t) for i, lang, t in ALL_TEXTS if "Relance" in t]
    assert [(i, lang) for i, lang, t in covid if "2020" not in t] == []


def test_odco_statistics_carry_their_date():
    figures = r"65[ .,\u202f]?315|788[ .,\u202f]?969|34[ .,\u202f]?515|272[ .,\u202f]?583"
    dated = [(i, lang, t) for i, lang, t in ALL_TEXTS if re.search(figures, t)]
    assert [(i, lang) for i, lang, t in dated if not re.search(r"20\d\d", t)] == []


def test_french_and_latin_darija_texts_have_no_arabic_letters():
    """A reader of Latin letters gets Latin letters only, button titles included."""
    latin = [
        (i, lang, t) for i, lang, t in ALL_TEXTS if lang.split("-title")[0] in ("fr", "ary-Latn")
    ]
    assert latin
    assert [(i, lang) for i, lang, t in latin if re.search(r"[\u0600-\u06ff]", t)] == []


@pytest.mark.parametrize("intent", sorted(set(known_intents()) - CONVERSATIONAL))
def test_every_content_intent_has_an_answer_in_four_languages(intent):
    item = default_content().for_intent(intent)
    assert item is not None
    assert set(item.text) == {"fr", "ar", "ary", "ary-Latn"}
    assert set(item.title) == {"fr", "ar", "ary", "ary-Latn"}


def test_every_source_key_used_is_listed_with_its_reference():
    content = default_content()
    used = {s for item in content.items.values() for s in item.sources}
    assert used <= set(content.sources)


def write_topic(folder, body: str) -> None:
    (folder / "sources.yaml").write_text("sources:\n  S1: {title: ODCO FAQ, url: null}\n")
    (folder / "topic.yaml").write_text(textwrap.dedent(body))


VALID_ITEM = """
items:
  demo.item:
    sources: [S1]
    last_verified: 2026-11-25
    title: {fr: Titre, ar: عنوان, ary: العنوان, ary-Latn: L3onwan}
    text: {fr: Texte, ar: نص, ary: الكلام, ary-Latn: Lkalam}
"""


def test_a_valid_file_loads(tmp_path):
    write_topic(tmp_path, VALID_ITEM)
    assert load_content(tmp_path).get("demo.item").text["ary"] == "الكلام"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("ary: الكلام", "ary: ''"), "topic.yaml: item demo.item: text.ary is missing or empty"),
        (
            ("ary-Latn: Lkalam", "ary-Latn: ''"),
            "topic.yaml: item demo.item: text.ary-Latn is missing or empty",
        ),
        (
            ("ary-Latn: Lkalam}", "}"),
            "topic.yaml: item demo.item: text.ary-Latn is missing or empty",
        ),
        (("[S1]", "[S99]"), "topic.yaml: item demo.item: unknown source key(s) S99"),
        (("ar: نص, ", ""), "topic.yaml: item demo.item: text.ar is missing or empty"),
        (("2026-11-25", "soon"), "topic.yaml: item demo.item: last_verified 'soon' is not a date"),
        (("Texte", "x" * 701), "topic.yaml: item demo.item: text.fr has 701 characters"),
    ],
)
def test_an_invalid_item_is_refused_naming_file_item_and_field(tmp_path, change, message):
    write_topic(tmp_path, VALID_ITEM.replace(*change))
    with pytest.raises(ContentError, match=re.escape(message)):
        load_content(tmp_path)


def test_a_broken_link_between_items_is_refused(tmp_path):
    write_topic(tmp_path, VALID_ITEM + "    next: [demo.missing]\n")
    with pytest.raises(ContentError, match="demo.item: next links to unknown item.*demo.missing"):
        load_content(tmp_path)
