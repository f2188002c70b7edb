"""Reliability figures: replies doubled by kill -9, reminders delayed by a dead worker, and
the memory an unauthenticated client can make the service hold.

    python -m bench.reliability replies   POSTGRES_URL [--code DIR]   (web + 2 workers, 2 kills)
    python -m bench.reliability reminders POSTGRES_URL [--code DIR]   (2,000 due, 2 kills)
    python -m bench.reliability memory [--code DIR]                    (ten 100 MB posts)

`--code` runs the processes from another source tree (e.g. an export of an older commit),
to measure before and after with the same harness. Prints figures; never passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx

from tests.chaos import (
    Processes,
    migrate_with,
    outcome,
    post_burst,
    reminder_lateness,
    seed_reminders,
    unsent,
    wait_for,
    wait_until_up,
)
from tests.conftest import empty_database
from tests.fakes.servers import serving
from tests.fakes.whatsapp_api import FakeGraph

HERE = Path(__file__).resolve().parent.parent
CHUNK = b"x" * (1 << 20)


async def replies(url: str, code: Path, users: int = 50, per_user: int = 30) -> None:
    db = await empty_database(url)
    migrate_with(code, url)
    graph = FakeGraph()
    graph.latency = 0.05
    with serving(graph.app) as api_base:
        processes = Processes(url, api_base, code)
        try:
            processes.start_web()
            await wait_until_up(processes.web_url)
            for name in ("w1", "w2"):
                processes.start(name, "worker", "--no-reminders")
            total = users * per_user
            burst = asyncio.create_task(
                post_burst(processes.web_url, users=users, per_user=per_user)
            )
            for victim, share in (("w1", 3), ("w2", 2)):
                await wait_for(_calls_at_least(graph, total // share), timeout=300)
                processes.kill(victim)
                processes.start(victim, "worker", "--no-reminders")
            posted = await burst
            started = time.monotonic()
            await wait_for(lambda: _nothing_unsent(db), timeout=600)
            await asyncio.sleep(2)
            result = await outcome(db, graph, posted=posted)
            print(
                result.report(
                    f"replies (drained {time.monotonic() - started:.0f} s after the burst)"
                )
            )
        finally:
            processes.stop_all()
            await db.dispose()


async def reminders(url: str, code: Path, count: int = 2000) -> None:
    db = await empty_database(url)
    migrate_with(code, url)
    await seed_reminders(db, count)
    graph = FakeGraph()
    graph.latency = 0.02
    with serving(graph.app) as api_base:
        processes = Processes(url, api_base, code)
        try:
            for name in ("w1", "w2", "w3"):
                processes.start(name, "worker")
            for victim, share in (("w1", 4), ("w2", 2)):
                await wait_for(_calls_at_least(graph, count // share), timeout=600)
                processes.kill(victim)
            await wait_for(_reminders_done(db, count), timeout=900)
            await asyncio.sleep(2)
            late = sorted(await reminder_lateness(db))
            result = await outcome(db, graph, posted=0)
            print(
                f"reminders: {count} due, {len(late)} delivered, "
                f"{sum(result.duplicates.values())} sent twice"
            )
            print(
                f"  lateness: median {late[len(late) // 2]:.1f} s, max {late[-1]:.1f} s, "
                f"> 60 s: {sum(s > 60 for s in late)}, > 300 s: {sum(s > 300 for s in late)}"
            )
        finally:
            processes.stop_all()
            await db.dispose()


async def memory(code: Path) -> None:
    with tempfile.TemporaryDirectory() as data, serving(FakeGraph().app) as api_base:
        processes = Processes("", api_base, code, extra_env={"FADAA_DATA_DIR": data})
        processes.extra_env["FADAA_DATABASE_URL"] = f"sqlite+aiosqlite:///{data}/bench.sqlite"
        processes.start_web()
        try:
            await wait_until_up(processes.web_url)
            pid = processes.running["web"].pid
            before = _rss_mb(pid)
            for route, headers in (
                ("/whatsapp/webhook", {}),
                ("/admin/content/x", {"Content-Type": "application/json"}),
            ):
                statuses = [
                    await _post_100_mb(processes.web_url + route, headers) for _ in range(10)
                ]
                await asyncio.sleep(1)
                print(
                    f"ten 100 MB unauthenticated posts to {route}: answers {set(statuses)}; "
                    f"RSS {before:.0f} MB before, {_rss_mb(pid):.0f} MB after, "
                    f"peak {_rss_mb(pid, 'VmHWM'):.0f} MB"
                )
        finally:
            processes.stop_all()


async def _post_100_mb(url: str, headers: dict[str, str]) -> int | str:
    async def body():
        for _ in range(100):
            yield CHUNK

    method = "PUT" if "/admin/" in url else "POST"
    try:
        async with httpx.AsyncClient(timeout=120) as client:
            return (await client.request(method, url, content=body(), headers=headers)).status_code
    except httpx.HTTPError as error:  # the server may close the connection early
        return type(error).__name__


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _calls_at_least(graph: FakeGraph, n: int):
    async def check() -> bool:
        return len(graph.messages) >= n

    return check


async def _nothing_unsent(db) -> bool:
    return await unsent(db) == 0


def _reminders_done(db, count: int):
    async def check() -> bool:
        from sqlalchemy import func, select

        from bot.store.models import Reminder

        async with db.transaction() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(Reminder)
                .where(Reminder.status.in_(("pending", "sending")))
            )
        return pending == 0 and await unsent(db) == 0

    return check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("replies", "reminders", "memory"))
    parser.add_argument("url", nargs="?", default=os.environ.get("FADAA_BENCH_DATABASE_URL"))
    parser.add_argument("--code", type=Path, default=HERE)
    args = parser.parse_args()
    code = args.code.resolve()
    if args.what == "memory":
        asyncio.run(memory(code))
    elif not args.url or not args.url.startswith("postgresql"):
        parser.error("replies and reminders need a PostgreSQL URL (several processes)")
    else:
        asyncio.run((replies if args.what == "replies" else reminders)(args.url, code))


if __name__ == "__main__":
    main()
