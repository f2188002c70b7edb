"""The web chat's reply time: from POST /web/messages to the reply's event on the visitor's
open stream, with and without many other idle streams polling the store.

    python -m bench.web_chat [--visitors 20] [--idle 0,50] [--database URL]

The real app on loopback (uvicorn, as in the browser tests); each visitor keeps a real SSE
connection open, says one message, and waits for its reply. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.browser import live_service
from tests.service import channel_settings

MESSAGES = ["salam", "Bonjour", "شنو هي انطلاقة؟", "bghit ndir cooperative"]


async def session(client: httpx.AsyncClient) -> str:
    return (await client.post("/web/sessions")).json()["token"]


async def idle_stream(client: httpx.AsyncClient, token: str, stop: asyncio.Event) -> None:
    async with client.stream("GET", "/web/events", params={"token": token}) as response:
        async for _line in response.aiter_lines():
            if stop.is_set():
                return


async def one_reply(client: httpx.AsyncClient, token: str, text: str) -> float:
    """Seconds from the POST to the first reply event on the already open stream."""
    async with client.stream("GET", "/web/events", params={"token": token}) as response:
        lines = response.aiter_lines()
        await anext(lines)  # the stream is open
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {token}"}
        posted = await client.post("/web/messages", json={"text": text}, headers=headers)
        assert posted.status_code == 202, posted.text
        async for line in lines:
            if line.startswith("data:") and json.loads(line[5:])["text"]:
                return time.perf_counter() - started
    raise RuntimeError("the stream ended without a reply")


async def round_of(url: str, visitors: int, idle: int) -> list[float]:
    limits = httpx.Limits(max_connections=visitors + idle + 10)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        stop = asyncio.Event()
        tokens = [await session(client) for _ in range(visitors + idle)]
        idlers = [asyncio.create_task(idle_stream(client, t, stop)) for t in tokens[visitors:]]
        await asyncio.sleep(1.0 + idle / 50)  # the idle streams have opened and settled
        seconds = await asyncio.gather(
            *(
                one_reply(client, token, MESSAGES[n % len(MESSAGES)])
                for n, token in enumerate(tokens[:visitors])
            )
        )
        stop.set()
        for task in idlers:
            task.cancel()
        await asyncio.gather(*idlers, return_exceptions=True)
        return list(seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--idle", default="0,50")
    parser.add_argument("--database")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database or f"sqlite+aiosqlite:///{Path(folder) / 'web.sqlite'}"
        settings = channel_settings(
            url,
            data_dir=Path(folder),
            web_address_requests_per_minute=10_000,
            web_messages_per_minute=10_000,
        )
        with live_service(settings) as service:
            asyncio.run(round_of(service.url, 4, 0))  # warm up: the classifier, the pool
            for idle in (int(n) for n in options.idle.split(",")):
                seconds = asyncio.run(round_of(service.url, options.visitors, idle))
                p95 = statistics.quantiles(seconds, n=20)[-1] if len(seconds) > 1 else seconds[0]
                print(
                    f"{options.visitors} visitors at once, {idle} idle streams: reply event "
                    f"p50 {statistics.median(seconds) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                    f"max {max(seconds) * 1000:.0f} ms ({url.split(':')[0]})"
                )


if __name__ == "__main__":
    main()
