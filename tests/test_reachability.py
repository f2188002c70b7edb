"""Every content item can be reached by typing, in every language and script.

The phrasings in tests/data/item_phrasings.yaml were written apart from the training
phrases and the item word lists; each is typed as a first question by someone whose
language is known, and the reply must carry that item's answer.
"""

from pathlib import Path

import pytest
import yaml

from bot.config import load_settings
from bot.content import default_content
from bot.dialogue import respond
from bot.flows.answers import bulleted
from bot.flows.base import Conversation, Turn
from bot.messages import Inbound
from bot.nlu import understand
from bot.nlu.normalize import normalize

PHRASINGS = yaml.safe_load(
    (Path(__file__).parent / "data" / "item_phrasings.yaml").read_text(encoding="utf-8")
)
SLICES = ("fr", "ar", "ary", "ary-Latn")
ENOUGH = 2  # of the 3 phrasings per item and slice
ITEMS_REACHED = 0.85  # share of items per slice reached by ENOUGH phrasings (measured 0.92+)
SETTINGS = load_settings(_env_file=None)


def reaches(item_id: str, language: str, text: str) -> bool:
    content = default_content()
    turn = Turn(
        Inbound("terminal", "u1", "m1", text=text),
        Conversation(language=language, context={"noticed": True}),
        content,
        SETTINGS,
    )
    replies = respond(turn, understand)
    expected = normalize(bulleted(content.items[item_id].text[language]))[:120]
    return any(expected in normalize(reply.text) for reply in replies)


def reached(item_id: str, language: str) -> list[str]:
    return [text for text in PHRASINGS[item_id][language] if reaches(item_id, language, text)]


@pytest.mark.parametrize("language", SLICES)
def test_typed_phrasings_reach_the_items(language):
    """Most items are reached by most of their phrasings; the misses are listed."""
    misses = {
        item_id: [t for t in PHRASINGS[item_id][language] if t not in reached(item_id, language)]
        for item_id in PHRASINGS
    }
    short = {i: m for i, m in misses.items() if len(PHRASINGS[i][language]) - len(m) < ENOUGH}
    share = 1 - len(short) / len(PHRASINGS)
    assert share >= ITEMS_REACHED, f"{share:.0%} reached; not reached: {short}"


@pytest.mark.parametrize(
    ("item_id", "language", "text"),
    [
        ("financing.forsa", "fr", "c'est quoi le programme Forsa ?"),
        ("financing.forsa", "ary", "شنو هو برنامج فرصة؟"),
        ("financing.forsa", "ary-Latn", "chno howa programme forsa?"),
        ("life.tax", "fr", "est-ce qu'une coopérative paie des impôts ?"),
        ("life.tax", "ar", "هل تؤدي التعاونية الضريبة على القيمة المضافة؟"),
        ("life.tax", "ary-Latn", "wach l'cooperative kat5les driba?"),
        ("life.accounts", "fr", "faut-il un commissaire aux comptes ?"),
        ("life.accounts", "ary", "واش خاص الكوبيراتيف يكون عندها محاسب؟"),
        ("about.stats", "fr", "combien de coopératives existent au Maroc ?"),
        ("about.stats", "ar", "كم عدد التعاونيات في المغرب؟"),
        ("about.stats", "ary-Latn", "ch7al kayn mn cooperative f lmaghrib?"),
        ("about.contact", "fr", "quel est le numéro de téléphone de l'ODCO ?"),
        ("about.contact", "fr", "le site web de l'ODCO ?"),
        ("about.contact", "ar", "ما هو عنوان مكتب تنمية التعاون؟"),
        ("about.contact", "ary", "عطيني النمرة ديال التيليفون ديال ODCO"),
    ],
)
def test_answers_once_reached_only_by_buttons_are_reached_by_typing(item_id, language, text):
    assert reaches(item_id, language, text)
