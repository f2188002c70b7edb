"""Normalisation for matching: harakat, hamza forms, elongation, Arabizi, accents."""

import pytest

from bot.nlu.normalize import canonical, clean, normalize, script_of


@pytest.mark.parametrize(
    ("written", "matching"),
    [
        ("مَرْحَبًا", "مرحبا"),
        ("أحمد", "احمد"),
        ("إيمان", "ايمان"),
        ("آمنة", "امنه"),
        ("ٱلتعاونية", "التعاونيه"),
        ("مستشفى", "مستشفي"),
        ("مـــرحبا", "مرحبا"),
        ("شكراااا", "شكرا"),
        ("salaaaaam", "salam"),
        ("Coopérative", "cooperative"),
        ("ÉTAPES", "etapes"),
        ("ch7al", "chhal"),
        ("m3a", "maa"),
        ("9rib", "qrib"),
        ("wash", "wach"),
        ("٢٠٢٦", "2026"),
    ],
)
def test_spelling_variants_meet_in_one_matching_form(written, matching):
    assert normalize(written) == matching


@pytest.mark.parametrize("numbers", ["5 members", "1000 dh", "10h", "5dh", "2eme", "06 61"])
def test_real_numbers_are_not_read_as_arabizi_letters(numbers):
    assert normalize(numbers) == numbers.lower()


def test_harakat_do_not_split_words_into_letters():
    assert normalize("التَّعَاوُنِيَّة") == "التعاونيه"


def test_punctuation_and_control_characters_become_spaces():
    assert normalize("c quoi\x00 l'intilaka?!") == "c quoi l intilaka"


def test_clean_keeps_line_breaks_but_drops_invisible_marks():
    assert clean("salam\u200f\nkhoya\x07") == "salam\nkhoya"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("بغيت نعرف intilaka", "arab"),
        ("bghit n3rf شنو", "latn"),
        ("😀", "latn"),
    ],
)
def test_script_is_the_majority_of_letters(text, script):
    assert script_of(text) == script


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("بغيت توصلني les vidéos ديال la coopérative و les appels à projets", "arab"),
        ("السلام عليكم, je voudrais la liste des documents pour la coopérative", "latn"),
        ("فكرني غدا مع 9 و 30", "arab"),
    ],
)
def test_an_arabic_sentence_around_french_names_of_things_is_arabic(text, script):
    assert script_of(text) == script


@pytest.mark.parametrize(
    "variants",
    [
        (
            "الكوبيراتيف",
            "كوپيراتيف",
            "cooperative",
            "koperativ",
            "cooperativa",
            "تعاونية",
            "lcooperative",
            "للتعاونية",
            "Coopérative",
        ),
        ("البانكة", "بانكة", "banka", "banque", "lbanka", "البنك"),
        ("الطريبونال", "طريبونال", "tribunal", "محكمة", "فالمحكمة"),
        ("الدوسي", "dossier", "ملف"),
        ("الكريدي", "crédit", "قرض"),
        ("لاطيسطاسيون", "attestation", "شهادة"),
    ],
)
def test_a_loanword_and_its_variants_share_one_canonical_form(variants):
    assert len({canonical(word) for word in variants}) == 1


def test_canonical_keeps_words_it_does_not_know():
    assert canonical("بغيت الكوبيراتيف ديالي") == "بغيت cooperative ديالي"


def test_every_variant_is_written_in_its_matching_form():
    from bot.nlu.normalize import _CONCEPTS

    assert [w for w in _CONCEPTS if normalize(w) != w] == []
