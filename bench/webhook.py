"""Fadaa's Telegram webhook vs a bare PTB echo bot behind FastAPI, under the same burst.

    python -m bench.webhook [--updates 600] [--users 60] [--concurrency 16]
                            [--database URL] [--processes N]

A burst of updates from many users, `concurrency` requests in flight at once, against the
same fake Bot API. The echo bot answers inside the request; Fadaa stores, decides, queues
the reply in the outbox and answers, and its outbox worker sends the reply. Throughput is
updates per second until the last reply reached the fake API; latency is the webhook
request's. Without --processes both run in this process (fake API in-process too) and
the SQL statements are counted (SQLAlchemy cursor events): in the webhook requests, and
in total per update with the deliveries. With --processes N each bot runs as N uvicorn
web processes on loopback and the fake API in a process of its own, and Fadaa runs twice:
`fadaa serve` alone (its web processes send the replies they queue), then as compose.yaml
runs it, `fadaa serve --no-outbox` with N `fadaa worker`s sending.
Figures only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from sqlalchemy import event, func, select
from telegram.request import HTTPXRequest

from bench.echo_app import echo_app
from bot.store.database import Database
from bot.store.models import OutboxItem
from tests.conftest import empty_database
from tests.fakes.servers import free_port
from tests.fakes.telegram_api import FakeTelegram, text_update
from tests.service import TELEGRAM_SECRET, channel_settings, running_service

MESSAGES = [
    "salam",
    "bghit ndir cooperative",
    "Comment obtenir l'agrément ONSSA ?",
    "شنو هي انطلاقة؟",
    "merci beaucoup",
    "1",
    "kifach n9ayed la coopérative?",
    "ch7al l'interet dyal intilaka",
    "qui a gagné le match ?",
    "menu",
]
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
Post = Callable[[dict], Awaitable[int]]


@dataclass
class CpuUse:
    """CPU seconds the bot's own processes used during a burst: its web processes and
    workers, and the database server's processes (none for SQLite). On a machine whose
    cores are shared by all of them and the load generator, throughput cannot show what
    more processes would do; CPU per update can: with a core each, N processes (web and
    workers) answer N / (their CPU per update) updates per second, the database server
    on cores of its own."""

    processes: int
    web_seconds: float
    database_seconds: float

    def row(self, updates: int) -> str:
        web, database = self.web_seconds / updates, self.database_seconds / updates
        return (
            f"CPU per update: its processes {web * 1000:.2f} ms, database server"
            f" {database * 1000:.2f} ms; {self.processes} process(es) with a core each:"
            f" {self.processes / web:.0f} updates/s"
        )


class CpuMeter:
    """CPU time of process trees, summed from a start: children started since count from
    zero; a process that ended in between is not seen (the bench ends none)."""

    def __init__(self, roots: Callable[[], list[psutil.Process]]) -> None:
        self.roots = roots
        self.start = self._times()

    def _times(self) -> dict[int, float]:
        times: dict[int, float] = {}
        for root in self.roots():
            for process in (root, *root.children(recursive=True)):
                with suppress(psutil.NoSuchProcess):
                    used = process.cpu_times()
                    times[process.pid] = used.user + used.system
        return times

    def seconds(self) -> float:
        now = self._times()
        return sum(used - self.start.get(pid, 0.0) for pid, used in now.items())


def database_server() -> list[psutil.Process]:
    """PostgreSQL's processes on this machine (the bench's server runs here)."""
    return [
        process
        for process in psutil.process_iter(["name"])
        if process.info["name"] in ("postgres", "postmaster")
    ]


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float]
    webhook_statements: float | None = None
    all_statements: float | None = None
    statements_spread: dict[int, int] | None = None  # statements in a request: requests
    cpu: CpuUse | None = None  # with --processes: the server side's CPU

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def row(self) -> str:
        ordered = sorted(ms * 1000 for ms in self.latencies)
        p50, p95 = statistics.median(ordered), ordered[int(len(ordered) * 0.95)]
        statements = (
            ""
            if self.webhook_statements is None
            else f" {self.webhook_statements:5.2f} {self.all_statements:6.2f}"
        )
        return f"| {self.name:34} | {self.rate:7.0f} | {p50:7.1f} | {p95:7.1f} |{statements}"


def updates(count: int, users: int) -> list[dict]:
    return [
        text_update(i + 1, 1000 + i % users, MESSAGES[(i // users) % len(MESSAGES)])
        for i in range(count)
    ]


async def burst(post: Post, batch: list[dict], concurrency: int) -> list[float]:
    """`concurrency` senders take the next update as soon as their last one is answered."""
    pending: Iterator[dict] = iter(batch)
    latencies: list[float] = []

    async def sender() -> None:
        for update in pending:
            started = time.perf_counter()
            status = await post(update)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"webhook answered {status}")

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return latencies


async def echo_in_process(batch: list[dict], concurrency: int) -> Result:
    fake = FakeTelegram()
    request = HTTPXRequest(
        connection_pool_size=32, httpx_kwargs={"transport": httpx.ASGITransport(app=fake.app)}
    )
    app = echo_app("http://fake", request)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://echo") as client,
    ):

        async def post(update: dict) -> int:
            return (await client.post("/telegram/webhook", json=update)).status_code

        started = time.perf_counter()
        latencies = await burst(post, batch, concurrency)
        return Result("echo bot, 1 process", time.perf_counter() - started, latencies)


@contextmanager
def statements_by_task(db: Database) -> Iterator[Counter]:
    """Statements counted per asyncio task: the webhook requests run in the senders'
    tasks (ASGITransport calls the app in the caller's task), deliveries in the worker's."""
    counts: Counter = Counter()

    def seen(*_args: object) -> None:
        counts[asyncio.current_task()] += 1

    event.listen(db.sync_engine, "before_cursor_execute", seen)
    try:
        yield counts
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", seen)


async def fadaa_in_process(batch: list[dict], concurrency: int, url: str) -> Result:
    settings = channel_settings(url, whatsapp_token=None, telegram_messages_per_second=1e6)
    async with running_service(settings) as running:

        async def post(update: dict) -> int:
            task = asyncio.current_task()
            before = counts[task]
            response = await running.client.post("/telegram/webhook", json=update, headers=HEADERS)
            per_update[counts[task] - before] += 1
            return response.status_code

        per_update: Counter = Counter()
        with statements_by_task(running.services.db) as counts:
            started = time.perf_counter()
            latencies = await burst(post, batch, concurrency)
            await delivered(running.services.db)
            seconds = time.perf_counter() - started
        return Result(
            f"Fadaa, 1 process, {_kind(url)}",
            seconds,
            latencies,
            sum(statements * n for statements, n in per_update.items()) / len(batch),
            sum(counts.values()) / len(batch),
            dict(sorted(per_update.items())),
        )


async def delivered(db: Database, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with db.transaction() as session:
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.status.in_(("pending", "sending")))
            )
        if not waiting:
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("replies still waiting in the outbox")


async def in_processes(
    name: str,
    command: list[str],
    env: dict[str, str],
    batch: list[dict],
    concurrency: int,
    done: Callable[[], Awaitable[None]],
    processes: int,
    workers: list[subprocess.Popen] | None = None,
    database: bool = False,
) -> Result:
    port = free_port()
    web = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    limits = httpx.Limits(max_connections=concurrency * 2)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
        ) as client:
            await _until_up(client, "/openapi.json")

            async def post(update: dict) -> int:
                return (
                    await client.post("/telegram/webhook", json=update, headers=HEADERS)
                ).status_code

            own = [psutil.Process(p.pid) for p in (web, *(workers or []))]
            web_cpu, database_cpu = CpuMeter(lambda: own), CpuMeter(database_server)
            started = time.perf_counter()
            latencies = await burst(post, batch, concurrency)
            await done()
            seconds = time.perf_counter() - started
            used = CpuUse(
                processes + len(workers or []),
                web_cpu.seconds(),
                database_cpu.seconds() if database else 0.0,
            )
            return Result(name, seconds, latencies, cpu=used)
    finally:
        web.terminate()
        web.wait(timeout=30)


async def _until_up(client: httpx.AsyncClient, path: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (await client.get(path)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{client.base_url} did not start")


async def multi_process(
    batch: list[dict], concurrency: int, url: str, processes: int
) -> list[Result]:
    fake_port = free_port()
    fake = subprocess.Popen([sys.executable, "-m", "bench.fake_api", str(fake_port)])
    api = f"http://127.0.0.1:{fake_port}"
    try:
        async with httpx.AsyncClient(base_url=api) as fake_client:
            await _until_up(fake_client, "/count")

            async def echoed() -> None:
                while (await fake_client.get("/count")).json()["sent"] < len(batch):
                    await asyncio.sleep(0.01)

            env = {**os.environ, "ECHO_API_BASE": api}
            echo = await in_processes(
                f"echo bot, {processes} process(es)",
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.echo_app:app_from_environment",
                    "--factory",
                    "--workers",
                    str(processes),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env,
                batch,
                concurrency,
                echoed,
                processes,
            )
        serve = [sys.executable, "-m", "api.cli", "serve", "--workers", str(processes)]
        sending = await _fadaa_in_processes(
            f"Fadaa, {processes} web process(es), {_kind(url)}",
            serve,
            url,
            api,
            batch,
            concurrency,
            processes,
        )
        url = _fresh(url)
        with _workers(processes, _fadaa_env(url, api)) as workers:
            with_workers = await _fadaa_in_processes(
                f"Fadaa, {processes} web + {processes} worker(s), {_kind(url)}",
                [*serve, "--no-outbox"],
                url,
                api,
                batch,
                concurrency,
                processes,
                workers,
            )
        return [echo, sending, with_workers]
    finally:
        fake.terminate()
        fake.wait(timeout=30)


async def _fadaa_in_processes(
    name: str,
    serve: list[str],
    url: str,
    api: str,
    batch: list[dict],
    concurrency: int,
    processes: int,
    workers: list[subprocess.Popen] | None = None,
) -> Result:
    await _empty(url)
    db = Database(url)
    try:
        return await in_processes(
            name,
            serve,
            _fadaa_env(url, api),
            batch,
            concurrency,
            lambda: delivered(db),
            processes,
            workers,
            database=not url.startswith("sqlite"),
        )
    finally:
        await db.dispose()


@contextmanager
def _workers(count: int, env: dict[str, str]) -> Iterator[list[subprocess.Popen]]:
    """`fadaa worker` processes (compose's topology: the web processes only queue), up and
    waiting before the burst starts."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        for worker in workers:
            assert worker.stderr is not None
            for line in worker.stderr:  # migrations and warm-up first
                if "fadaa worker: ready" in line:
                    break
            worker.stderr.close()  # nothing more is read: never let it block on a full pipe
        yield workers
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)


def _fresh(url: str) -> str:
    """The same database again, empty: a new SQLite file (PostgreSQL is emptied in place)."""
    if not url.startswith("sqlite"):
        return url
    return f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"


def _fadaa_env(url: str, api: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FADAA_")}
    return env | {
        "FADAA_DATABASE_URL": url,
        "FADAA_DATA_DIR": tempfile.mkdtemp(prefix="fadaa-bench-"),
        "FADAA_TELEGRAM_TOKEN": "123456:BENCH",
        "FADAA_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "FADAA_TELEGRAM_API_BASE": api,
        "FADAA_TELEGRAM_MESSAGES_PER_SECOND": "1000000",
        "FADAA_LOG_FORMAT": "text",
        "FADAA_ACCESS_LOG": "false",  # as the echo bot's --no-access-log
    }


async def _empty(url: str) -> None:
    """The burst starts on an empty database (first contact for every user)."""
    await (await empty_database(url)).dispose()


def _kind(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database", help="default: a new SQLite file")
    parser.add_argument("--processes", type=int, help="run each bot as N web processes")
    args = parser.parse_args()
    url = args.database or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    batch = updates(args.updates, args.users)
    if args.processes:
        echo, *fadaas = await multi_process(batch, args.concurrency, url, args.processes)
    else:
        await _empty(url)
        echo = await echo_in_process(batch, args.concurrency)
        fadaas = [await fadaa_in_process(batch, args.concurrency, url)]
    print(f"{args.updates} updates from {args.users} users, {args.concurrency} at a time")
    print(
        "| bot | updates/s | webhook p50 ms | webhook p95 ms | statements/update: "
        "webhook, with delivery |"
    )
    print("|---|---:|---:|---:|---|")
    for result in (echo, *fadaas):
        print(result.row())
    for fadaa in fadaas:
        print(f"{fadaa.name}: Fadaa/echo throughput {fadaa.rate / echo.rate:.2f}")
    for result in (echo, *fadaas):
        if result.cpu:
            print(f"{result.name}: {result.cpu.row(len(result.latencies))}")
    if fadaa.statements_spread:
        spread = ", ".join(f"{n} with {k}" for k, n in fadaa.statements_spread.items())
        print(f"Fadaa's webhook requests by statements: {spread}")


if __name__ == "__main__":
    asyncio.run(main())
