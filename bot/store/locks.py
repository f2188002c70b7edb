"""Jobs that one process at a time should run, whatever the number of workers.

Row-level jobs (outbox, reminders, handoff notices) already claim their rows with
FOR UPDATE SKIP LOCKED. Whole-table sweeps (the retention purge, the handoff sweep, the
recomputation of due times) are guarded here instead, so N processes do not each scan and
lock the same rows every round.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a job name (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


async def only_one(session: AsyncSession, job: str) -> bool:
    """True when this transaction may run `job`; False when another process is running it
    now (this round is then skipped: the other one does the work).

    PostgreSQL: a transaction-level advisory lock, released by the commit or rollback, and
    by the server if the process dies. SQLite: always True, as its writers already run one
    at a time, and every guarded job is idempotent.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(lock_key(job)))))
