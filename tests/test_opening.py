"""The opening of a message (greeting, person addressed, the writer's name) is not its question."""

import pytest

from bot.nlu.opening import after_opening


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
