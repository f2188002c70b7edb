"""Stopping background work without cutting a database transaction in half."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

GRACE_SECONDS = 10.0


async def settle(tasks: Iterable[asyncio.Task[object]], grace: float = GRACE_SECONDS) -> None:
    """Let tasks that were asked to stop finish their current step; cancel what is still
    running after `grace` seconds. Cancelling mid-transaction makes SQLAlchemy close the
    connection from a task of its own, which can outlive the event loop."""
    pending = [task for task in tasks if not task.done()]
    if not pending:
        return
    _done, late = await asyncio.wait(pending, timeout=grace)
    for task in late:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


async def stopped_within(stopping: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds`, or less if asked to stop; True when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)
    return stopping.is_set()
