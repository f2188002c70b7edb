"""Dialogues of flows that need nothing stored, run without engine or database: each
message is a `Turn` built in memory and given to `respond()` (tests/dialogues/memory.py).
They are in tests/dialogues/memory/, in the format of tests/dialogues/FORMAT.md."""

import pytest

from bot.config import load_settings
from bot.content import default_content
from tests.dialogues.memory import MemoryDialogueRun
from tests.dialogues.runner import load_dialogues

IN_MEMORY = [d for d in load_dialogues() if d.file.startswith("memory/")]
CONTENT = default_content()
SETTINGS = load_settings(_env_file=None)


@pytest.mark.parametrize("dialogue", IN_MEMORY, ids=[d.id for d in IN_MEMORY])
async def test_dialogue_in_memory(dialogue):
    outcome = await MemoryDialogueRun(CONTENT, SETTINGS, dialogue).run()
    assert outcome.passed, "\n".join(outcome.failures)


def test_every_slice_has_dialogues_in_memory():
    assert {d.slice for d in IN_MEMORY} == {"fr", "ar", "ary", "ary-Latn"}
