"""Background jobs that sweep whole tables run in one process at a time."""

from datetime import timedelta

import pytest

from bot.scheduler import purge_old_data
from bot.store.locks import lock_key, only_one
from bot.store.models import Message
from tests.chat import Chat

pytestmark = pytest.mark.store


async def test_a_sweep_guarded_in_one_process_is_skipped_by_the_others(db):
    async with db.transaction() as first, db.transaction() as second:
        assert await only_one(first, "retention-purge")
        held_elsewhere = not await only_one(second, "retention-purge")
        assert await only_one(second, "handoff-sweep")  # another job is not blocked
    assert held_elsewhere == (not db.is_sqlite)  # SQLite serialises its writers itself
    async with db.transaction() as later:  # released by the commit
        assert await only_one(later, "retention-purge")


async def test_the_handoff_sweep_is_skipped_while_another_worker_sweeps(engine, db):
    if db.is_sqlite:
        pytest.skip("SQLite: one writer at a time already")
    async with db.transaction() as other_worker:
        assert await only_one(other_worker, "handoff-sweep")
        assert await engine.sweep_handoffs() == 0


def test_job_keys_are_stable_signed_64_bit_numbers():
    assert lock_key("retention-purge") == lock_key("retention-purge")
    assert -(2**63) <= lock_key("handoff-sweep") < 2**63
    assert lock_key("retention-purge") != lock_key("handoff-sweep")


async def test_a_purge_still_runs_when_nobody_else_holds_it(engine, db, tmp_path):
    await Chat(engine).send("salam")
    await purge_old_data(db, tmp_path, timedelta(seconds=-1))  # everything is past the cutoff
    async with db.transaction() as session:
        assert await session.get(Message, 1) is None
