"""Funnels of the guided flows: who started each flow, reached each step, and finished it.

A turn writes one row per step reached, and only when the step changed (a question asked
again costs nothing): (user, flow, step, at), with step "finished" when the flow reached its
end rather than being left. The rows go with the user's data (a cascade from users) and with
old messages (repo.purge_messages).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import GUIDED_FLOWS
from bot.flows.base import Turn
from bot.store.models import FlowStep, User

STARTED, FINISHED = "started", "finished"
# built once, a Core insert (the ORM's bulk path costs more on the hot path)
_INSERT = insert(cast(Table, FlowStep.__table__))


def reached(turn: Turn, was: tuple[str | None, str | None]) -> list[tuple[str, str]]:
    """The (flow, step) marks of this turn, given the state's (flow, step) before it."""
    marks = [(turn.finished, FINISHED)] if turn.finished else []
    conversation = turn.conversation
    if conversation.flow and conversation.step and (conversation.flow, conversation.step) != was:
        marks.append((conversation.flow, conversation.step))
    return marks


async def record(
    session: AsyncSession, *, user: User, turn: Turn, was: tuple[str | None, str | None]
) -> None:
    """One INSERT on a turn that moved in a guided flow; nothing on the others."""
    marks = reached(turn, was)
    if marks:
        at = turn.inbound.received_at
        await session.execute(
            _INSERT, [{"user_id": user.id, "flow": f, "step": s, "at": at} for f, s in marks]
        )


async def figures(session: AsyncSession, *, since: datetime) -> list[dict[str, Any]]:
    """Per flow started in the period (in the flows' order): distinct users who started it,
    reached each of its steps (in the flow's order), and finished it."""
    users = func.count(FlowStep.user_id.distinct())
    in_period = FlowStep.at >= since
    started = dict(
        (
            await session.execute(
                select(FlowStep.flow, users).where(in_period).group_by(FlowStep.flow)
            )
        ).all()
    )
    by_step: dict[str, dict[str, int]] = defaultdict(dict)
    for flow, step, n in await session.execute(
        select(FlowStep.flow, FlowStep.step, users)
        .where(in_period)
        .group_by(FlowStep.flow, FlowStep.step)
    ):
        by_step[flow][step] = n
    order = [*GUIDED_FLOWS, *sorted(set(started) - set(GUIDED_FLOWS))]
    return [
        {
            "flow": flow,
            "started": started[flow],
            "steps": [
                {"step": step, "users": by_step[flow].get(step, 0)}
                for step in _steps_of(flow, by_step[flow])
            ],
            "finished": by_step[flow].get(FINISHED, 0),
        }
        for flow in order
        if flow in started
    ]


def _steps_of(flow: str, seen: dict[str, int]) -> list[str]:
    """The flow's steps in order, then any step stored under an older version of it."""
    known = GUIDED_FLOWS[flow].steps if flow in GUIDED_FLOWS else ()
    return [*known, *sorted(set(seen) - set(known) - {FINISHED})]


def csv_rows(funnels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (flow, step), "started" first and "finished" last."""
    return [
        row
        for funnel in funnels
        for row in (
            {"flow": funnel["flow"], "step": STARTED, "users": funnel["started"]},
            *({"flow": funnel["flow"], **step} for step in funnel["steps"]),
            {"flow": funnel["flow"], "step": FINISHED, "users": funnel["finished"]},
        )
    ]
