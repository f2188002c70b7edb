"""A web chat client speaking the page's HTTP interface, for tests: a session token, messages
posted, and the event stream read until the server ends it (tests set a short stream)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx

from tests.service import Running

# a stream that ends quickly, so a test reads everything queued so far as one response
SHORT_STREAMS = {"web_stream_seconds": 0.3, "web_poll_seconds": 0.05}
_ids = itertools.count(1)


def parse_events(body: str) -> list[dict[str, Any]]:
    """The `message` events of a text/event-stream body, each with its SSE id."""
    events = []
    for block in body.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            name, _colon, value = line.partition(":")
            if name:
                fields[name] = value.removeprefix(" ")
        if fields.get("event") == "message":
            events.append(json.loads(fields["data"]) | {"sse_id": fields.get("id")})
    return events


class WebVisitor:
    def __init__(self, running: Running, token: str | None = None) -> None:
        self.running = running
        self.token = token
        self.last_event_id = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def arrive(self) -> WebVisitor:
        response = await self.running.client.post("/web/sessions")
        assert response.status_code == 201, response.text
        self.token = response.json()["token"]
        return self

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        return await self.running.client.post("/web/messages", json=body, headers=self.headers)

    async def say(self, text: str, message_id: str | None = None) -> httpx.Response:
        return await self.post({"text": text, "id": message_id or f"m{next(_ids)}"})

    async def tap(self, payload: str) -> httpx.Response:
        return await self.post({"payload": payload, "id": f"m{next(_ids)}"})

    async def events(self, **headers: str) -> list[dict[str, Any]]:
        """What the stream sends from the last event seen (Last-Event-ID), and remember it."""
        response = await self.running.client.get(
            "/web/events",
            params={"token": self.token},
            headers={"Last-Event-ID": str(self.last_event_id)} | headers,
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_events(response.text)
        if events:
            self.last_event_id = events[-1]["id"]
        return events

    async def replies(self) -> list[str]:
        return [event["text"] for event in await self.events()]
