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
    (Path(__file__).parent / "data" / "item_phrasings.yaml").read_text(encoding="utf-8"))
SLICES = ("fr", "ar", "ary", "ary-Latn")
ENOUGH = 2  # of the 3 phrasings per item and slice
SETTINGS = load_settings(_env_file=None)


def reaches(item_id: str, language: str, text: str) -> bool:
    content = default_content()
    turn = Turn(Inbound("terminal", "u1", "m1", text=text),
                Conversation(language=language, context={"noticed": True}),
                content, SETTINGS)
    replies = respond(turn, understand)
    expected = normalize(bulleted(content.items[item_id].text[language]))[:120]
    return any(expected in normalize(reply.text) for reply in replies)


def reached(item_id: str, language: str) -> list[str]:
    return [text for text in PHRASINGS[item_id][language] if reaches(item_id, language, text)]


@pytest.mark.parametrize("language", SLICES)
@pytest.mark.parametrize("item_id", sorted(PHRASINGS))
def test_typed_phrasings_reach_the_item(item_id, language):
    found = reached(item_id, language)
    missed = [t for t in PHRASINGS[item_id][language] if t not in found]
    assert len(found) >= ENOUGH, f"{item_id} [{language}] not reached by: {missed}"


def test_every_item_but_the_out_of_scope_answer_has_phrasings():
    expected = {i for i in default_content().items if i != "general.out_of_scope"}
    assert expected == set(PHRASINGS)
