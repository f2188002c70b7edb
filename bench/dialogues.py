"""Pass rate of the dialogue tables, per folder and slice (figures only).

python -m bench.dialogues [--failures]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bot.config import load_settings
from bot.content import default_content
from bot.engine import Engine
from bot.nlu import understand
from bot.store.database import Database
from tests.dialogues.memory import MemoryDialogueRun
from tests.dialogues.runner import DialogueRun, load_dialogues


async def main() -> None:
    show = "--failures" in sys.argv
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'dialogues.sqlite'}")
        await db.migrate()
        engine = Engine(
            db, load_settings(data_dir=Path(folder), _env_file=None), default_content(), understand
        )
        passed: Counter[tuple[str, str]] = Counter()
        total: Counter[tuple[str, str]] = Counter()
        for index, dialogue in enumerate(load_dialogues()):
            run = (
                MemoryDialogueRun(engine.content, engine.settings, dialogue)
                if dialogue.file.startswith("memory/")  # respond() alone, nothing stored
                else DialogueRun(engine, dialogue, user_id=f"bench{index}")
            )
            outcome = await run.run()
            key = (dialogue.file.split("/")[0], dialogue.slice)
            total[key] += 1
            passed[key] += outcome.passed
            if show and not outcome.passed:
                print(f"  {dialogue.id}: {outcome.failures[0]}")
        await db.dispose()
    for folder_name in sorted({k[0] for k in total}):
        keys = sorted(k for k in total if k[0] == folder_name)
        done, count = sum(passed[k] for k in keys), sum(total[k] for k in keys)
        slices = ", ".join(f"{k[1]} {passed[k]}/{total[k]}" for k in keys)
        print(f"{folder_name:6} {done}/{count} ({done / count:.1%})   {slices}")


if __name__ == "__main__":
    asyncio.run(main())
