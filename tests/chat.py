"""A test driver that talks to the real engine and records what the outbox delivers."""

from __future__ import annotations

import itertools

from bot.engine import Engine
from bot.messages import Inbound, Outbound
from bot.outbox import Delivery, deliver_pending

_ids = itertools.count(1)


class Chat:
    def __init__(self, engine: Engine, user_id: str = "212600000001", channel: str = "terminal"):
        self.engine = engine
        self.user_id = user_id
        self.channel = channel
        self.delivered: list[Outbound] = []

    async def send(
        self,
        text: str = "",
        *,
        payload: str | None = None,
        message_id: str | None = None,
        **fields: object,
    ) -> list[Outbound]:
        """Send one message and return the replies the outbox delivered for it."""
        inbound = Inbound(
            channel=self.channel,
            user_id=self.user_id,
            text=text,
            payload=payload,
            message_id=message_id or f"m{next(_ids)}",
            **fields,
        )
        await self.engine.handle(inbound)
        return await self.deliver()

    async def deliver(self) -> list[Outbound]:
        sent: list[Outbound] = []

        async def record(delivery: Delivery) -> None:
            sent.append(delivery.outbound)

        await deliver_pending(self.engine.db, channel=self.channel, deliver=record)
        self.delivered += sent
        return sent

    async def text_of(self, text: str = "", **kwargs: object) -> str:
        return "\n".join(o.text for o in await self.send(text, **kwargs))

    @staticmethod
    def titles(outbounds: list[Outbound]) -> list[str]:
        return [b.title for o in outbounds for b in o.buttons]
