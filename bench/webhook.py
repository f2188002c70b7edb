"""Full webhook path vs a bare PTB echo bot, both against the same in-process fake Bot API.

    python -m bench.webhook [N] [DATABASE_URL]     (default: a temporary SQLite file)

Full path per update: secret check, de_json, dedup insert, NLU, state, outbox write, commit,
then the outbox delivers it (sendMessage through PTB to the fake). Prints p50/p95 per update,
updates/s, and the ratio to the echo bot (the anchor).
"""

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from telegram import Update
from telegram.ext import Application, MessageHandler, filters
from telegram.request import HTTPXRequest

from tests.fakes.telegram_api import FakeTelegram, text_update
from tests.service import TELEGRAM_SECRET, channel_settings, running_service

MESSAGES = ["salam", "bghit ndir cooperative", "Comment obtenir l'agrément ONSSA ?",
            "شنو هي انطلاقة؟", "merci beaucoup"]


async def echo_bot(n: int) -> list[float]:
    fake = FakeTelegram()
    request = HTTPXRequest(httpx_kwargs={"transport": httpx.ASGITransport(app=fake.app)})
    app = (Application.builder().token("1:T").base_url("http://fake/bot").request(request)
           .get_updates_request(request).updater(None).build())

    async def echo(update: Update, _context: object) -> None:
        await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    timings = []
    async with app:
        for i in range(n):
            update = Update.de_json(text_update(i, 1000 + i % 50, MESSAGES[i % 5]), app.bot)
            started = time.perf_counter()
            await app.process_update(update)
            timings.append(time.perf_counter() - started)
    return timings


async def full_path(n: int, database_url: str | None = None) -> list[float]:
    url = database_url or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    settings = channel_settings(url, whatsapp_token=None, telegram_messages_per_second=1e6)
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    timings = []
    async with running_service(settings) as running:
        running.services.worker.interval = 3600  # deliveries below are driven by the loop
        for i in range(n):
            update = text_update(i, 1000 + i % 50, MESSAGES[i % 5])
            started = time.perf_counter()
            await running.client.post("/telegram/webhook", json=update, headers=headers)
            await running.services.worker.drain()
            timings.append(time.perf_counter() - started)
    return timings


def summary(name: str, timings: list[float]) -> float:
    ordered = sorted(t * 1000 for t in timings)
    p50, p95 = statistics.median(ordered), ordered[int(len(ordered) * 0.95)]
    rate = 1000 / statistics.mean(ordered)
    print(f"{name:28} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  {rate:7.0f} updates/s")
    return p50


async def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    database_url = sys.argv[2] if len(sys.argv) > 2 else None
    echo = summary("bare PTB echo bot", await echo_bot(n))
    full = summary("Fadaa full webhook path", await full_path(n, database_url))
    print(f"ratio full/echo (p50): {full / echo:.2f}x over {n} updates")


if __name__ == "__main__":
    asyncio.run(main())
