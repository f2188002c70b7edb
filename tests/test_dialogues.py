"""Whole conversations from tests/dialogues/*.yaml, through the real engine and store, in
French, Arabic, Darija in Arabic script and Darija in Latin letters."""

import pytest

from tests.dialogues.runner import DialogueRun, load_dialogues

pytestmark = pytest.mark.store
DIALOGUES = load_dialogues()


@pytest.mark.parametrize("dialogue", DIALOGUES, ids=[d.id for d in DIALOGUES])
async def test_dialogue(engine, dialogue):
    outcome = await DialogueRun(engine, dialogue, user_id="212600000001").run()
    assert outcome.passed, "\n".join(outcome.failures)
