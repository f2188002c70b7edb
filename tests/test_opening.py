"""The opening of a message (greeting, person addressed, the writer's name) is not its question."""

import pytest

from bot.content import read_yaml
from bot.nlu.normalize import normalize
from bot.nlu.opening import ANY, WORDS_FILE, after_opening, greeting_language


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("salam 3likom, bghit nsowel 3la label", "bghit nsowel 3la label"),
        ("السلام عليكم ورحمة الله وبركاته، ما هي شروط الحصول؟", "ما هي شروط الحصول؟"),
        ("سلام عليكم خويا\nبغيت نعرف الوثائق", "بغيت نعرف الوثائق"),
        ("Bonjour, je m'appelle Khadija. Le label bio ?", "Le label bio ?"),
        ("Bonsoir madame — Intilaka c'est quoi ?", "Intilaka c'est quoi ?"),
    ],
)
def test_what_follows_a_greeting_is_the_question(text, question):
    assert after_opening(text) == question


@pytest.mark.parametrize("text", ["salam 3likom khoya", "السلام عليكم ورحمة الله", "Bonjour !"])
def test_a_bare_greeting_leaves_nothing(text):
    assert after_opening(text) == ""


@pytest.mark.parametrize("text", ["السلامة الصحية للمنتوج", "Madeleine a créé une coopérative"])
def test_a_message_without_greeting_is_kept_whole(text):
    assert after_opening(text) == text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bonsoir !", "fr"),
        ("bjr madame", "fr"),
        ("Slt 😊", "fr"),
        ("COUCOU", "fr"),
        ("Bonjourr", "fr"),  # a letter away from a greeting
        ("bonjour, ça va ?", "fr"),
        ("Salamo 3alaykom", "ary-Latn"),
        ("msa lkhir a khoya", "ary-Latn"),
        ("labas?", "ary-Latn"),
        ("Mrhba", "ary-Latn"),
        ("bjr labas", "ary-Latn"),  # a Darija word makes the greeting Darija
        ("slm cv?", "ary-Latn"),
        ("hello", ANY),
        ("السلام عليكم ورحمة الله", ANY),
    ],
)
def test_a_greeting_alone_shows_its_language_by_its_words(text, language):
    assert greeting_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "slm, bghit n3ref chno khass l cooperative",
        "Bonjour, je voudrais le programme Intilaka",
        "👋",
        "ok",
        "merci beaucoup",
        "walla",  # one letter in five away from «lalla»: too far to be a typo of it
    ],
)
def test_more_or_other_than_a_greeting_shows_no_greeting_language(text):
    assert greeting_language(text) is None


def test_no_greeting_is_listed_in_two_languages():
    groups = read_yaml(WORDS_FILE)["greetings"]
    seen: dict[str, str] = {}
    for group, phrases in groups.items():
        for phrase in phrases:
            assert seen.setdefault(normalize(str(phrase)), group) == group, phrase
