"""Messages to the advisors' group, queued in the outbox like replies to users.

They are queued under the user's id on their own outbox channel, so one user's posts go out
one at a time and in order: the first one opens the topic, the next ones find it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.store import repo
from bot.store.repo import DESK_CHANNEL


@dataclass(frozen=True)
class MediaRef:
    """A file a user sent: the channel it came by and that channel's reference to it."""

    channel: str
    ref: str
    kind: str


@dataclass(frozen=True)
class DeskPost:
    """`open` creates the topic with the summary; `text` and `media` go into the topic;
    `close_topic` closes it when the conversation is over; `delete_topic` removes a topic
    whose user erased their data."""

    kind: str
    handoff_id: int | None = None
    text: str = ""
    media: MediaRef | None = None
    thread_id: int | None = None

    def to_body(self) -> dict[str, Any]:
        return {"desk": self.kind, "text": self.text} | {
            key: value
            for key, value in asdict(self).items()
            if key not in ("kind", "text") and value is not None
        }

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> DeskPost:
        media = body.get("media")
        return cls(
            kind=body["desk"],
            handoff_id=body.get("handoff_id"),
            text=body["text"],
            media=MediaRef(**media) if media else None,
            thread_id=body.get("thread_id"),
        )


async def queue_posts(
    session: AsyncSession,
    *,
    group_id: int | None,
    user_id: int | None,
    posts: list[DeskPost],
    key: str | None = None,
) -> None:
    """Queue posts for the group; without a group (API-only desk) there is nothing to do."""
    if group_id is None:
        return
    now = utcnow()
    await repo.insert_outbox(
        session,
        [
            {
                "user_id": user_id,
                "channel": DESK_CHANNEL,
                "recipient": str(group_id),
                "body": post.to_body(),
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "idempotency_key": f"{key}:{index}" if key else None,
            }
            for index, post in enumerate(posts)
        ],
    )
