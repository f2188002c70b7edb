"""Handoff latency through the real app, the outbox worker and PTB/pywa, against the
in-process fakes of the Bot API (advisors' forum group) and the WhatsApp Graph API.

    python -m bench.handoff [N] [DATABASE_URL]     (default: 50 users, temporary SQLite)

For each of N WhatsApp users: the time from the webhook carrying their one-line request to
the topic's creation in the group (summary posted), then the time from an advisor's message
in that topic to its delivery to the user on WhatsApp. Prints p50/p95/max.
"""

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.store.models import Advisor
from tests.desk import ALWAYS_OPEN, GROUP, HEADERS, KARIMA
from tests.fakes.telegram_api import group_update
from tests.fakes.whatsapp_api import signed, text_message, webhook
from tests.service import Running, channel_settings, running_service


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the fake never saw the expected call")
        await asyncio.sleep(0.0005)


async def whatsapp(running: Running, user: int, wamid: str, text: str) -> None:
    body, headers = signed(
        webhook(text_message(wamid, text), bsuid=f"MA.{user:013d}", wa_id=f"2126{user:08d}")
    )
    await running.client.post("/whatsapp/webhook", content=body, headers=headers)


async def one_user(running: Running, user: int) -> tuple[float, float]:
    await whatsapp(running, user, f"wamid.{user}.1", "bghit nhder m3a chi mostachar")
    topics_before = len(running.telegram.topics)
    started = time.perf_counter()
    await whatsapp(running, user, f"wamid.{user}.2", "3ndi so2al 3la l'agrément ONSSA")
    await until(
        lambda: (
            len(running.telegram.topics) > topics_before
            and running.telegram.topic_texts(max(running.telegram.topics))
        )
    )
    to_topic = time.perf_counter() - started
    thread = max(running.telegram.topics)
    sent_before = len(running.graph.messages)
    started = time.perf_counter()
    await running.client.post(
        "/telegram/webhook",
        headers=HEADERS,
        json=group_update(10_000 + user, GROUP, thread, KARIMA, f"Salam, ana Karima ({user})."),
    )
    await until(
        lambda: any(
            f"({user})." in m.get("text", {}).get("body", "")
            for m in running.graph.messages[sent_before:]
        )
    )
    return to_topic, time.perf_counter() - started


async def main(n: int, database_url: str | None) -> None:
    url = database_url or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    settings = channel_settings(
        url,
        advisor_group_id=GROUP,
        telegram_messages_per_second=1e6,
        advisor_group_messages_per_minute=1e6,
        **ALWAYS_OPEN,
    )
    async with running_service(settings) as running:
        async with running.services.db.transaction() as session:
            session.add(Advisor(telegram_user_id=KARIMA, public_name="Karima"))
        results = [await one_user(running, user) for user in range(1, n + 1)]
    for label, values in zip(
        ("request → topic with summary", "advisor reply → WhatsApp"),
        zip(*results, strict=True),
        strict=True,
    ):
        ms = sorted(v * 1000 for v in values)
        print(
            f"{label:30} p50 {statistics.median(ms):6.1f} ms   "
            f"p95 {ms[int(0.95 * (len(ms) - 1))]:6.1f} ms   max {ms[-1]:6.1f} ms   (n={n})"
        )


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 50,
            sys.argv[2] if len(sys.argv) > 2 else None,
        )
    )
