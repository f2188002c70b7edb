"""Questions users asked that the bot did not understand, proposed by editors as training
phrases. Accepted phrases reach the model only through `fadaa nlu-train`, which copies
them into a reviewed file of the training set (never a held-out check set)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.clock import utcnow
from bot.nlu.normalize import normalize
from bot.nlu.train import TRAINING_DIR
from bot.store.models import TrainingPhrase

REVIEWED_FILE = TRAINING_DIR / "reviewed.jsonl"
# the check sets `fadaa nlu-eval` measures on: a phrase found there never enters training
HELD_OUT_DIR = Path(__file__).resolve().parents[2] / "tests" / "data"
SCRIPTS = {"fr": ("fr", "latn"), "ar": ("ar", "arab"), "ary": ("ary", "arab")}
SCRIPTS["ary-Latn"] = ("ary", "latn")


class Status(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    TRAINED = "trained"


class AlreadyProposed(ValueError):
    """The same phrase, intent and language is already in the review list."""


class AlreadyDecided(ValueError):
    """Only a proposed phrase can be accepted or rejected."""


async def propose(
    session: AsyncSession, *, text: str, intent: str, language: str, actor: str
) -> TrainingPhrase:
    """Add a phrase to the review list (in its own savepoint, so a duplicate is a clean error)."""
    phrase = TrainingPhrase(
        text=text, intent=intent, language=language, status=Status.PROPOSED, proposed_by=actor
    )
    try:
        async with session.begin_nested():
            session.add(phrase)
    except IntegrityError:
        raise AlreadyProposed(f"{text!r} is already proposed for {intent} ({language})") from None
    audit.record(session, actor=actor, action="training.propose", target=f"{intent}: {text}")
    return phrase


async def decide(
    session: AsyncSession, *, phrase_id: int, accept: bool, actor: str
) -> TrainingPhrase | None:
    """Accept or reject a proposed phrase; None when there is no such phrase."""
    phrase = await session.get(TrainingPhrase, phrase_id, with_for_update=True)
    if phrase is None:
        return None
    if phrase.status != Status.PROPOSED:
        raise AlreadyDecided(f"phrase {phrase_id} is already {phrase.status}")
    phrase.status = Status.ACCEPTED if accept else Status.REJECTED
    phrase.reviewed_by, phrase.reviewed_at = actor, utcnow()
    audit.record(session, actor=actor, action=f"training.{phrase.status}", target=f"{phrase_id}")
    return phrase


async def listing(
    session: AsyncSession, *, status: Status | None, limit: int, offset: int
) -> list[TrainingPhrase]:
    query = select(TrainingPhrase).order_by(TrainingPhrase.id.desc()).limit(limit).offset(offset)
    if status is not None:
        query = query.where(TrainingPhrase.status == status)
    return list(await session.scalars(query))


async def take_accepted(
    session: AsyncSession,
    *,
    reviewed_file: Path = REVIEWED_FILE,
    held_out: Iterable[Path] | None = None,
) -> int:
    """Append the accepted phrases to the reviewed training file and mark them trained.
    Phrases already in the file or in a held-out check set are marked but not copied."""
    accepted = list(
        await session.scalars(
            select(TrainingPhrase)
            .where(TrainingPhrase.status == Status.ACCEPTED)
            .order_by(TrainingPhrase.id)
        )
    )
    known = _normalised(reviewed_file) | {
        text
        for path in (held_out if held_out is not None else HELD_OUT_DIR.glob("*.jsonl"))
        for text in _normalised(path)
    }
    lines = []
    for phrase in accepted:
        phrase.status = Status.TRAINED
        if normalize(phrase.text) in known:
            continue
        known.add(normalize(phrase.text))
        language, script = SCRIPTS[phrase.language]
        row = {"text": phrase.text, "intent": phrase.intent, "lang": language, "script": script}
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    if lines:
        with reviewed_file.open("a", encoding="utf-8") as out:
            out.writelines(lines)
    return len(lines)


def _normalised(path: Path) -> set[str]:
    """The normalised texts of a JSONL file (check sets may have no intent)."""
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {normalize(json.loads(line)["text"]) for line in lines if line.strip()}
