"""What crosses the boundary between the core and the channels."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.clock import utcnow


class Media(StrEnum):
    """What an inbound message carries besides (or instead of) text."""

    none = "none"
    voice = "voice"
    photo = "photo"
    video = "video"
    document = "document"
    sticker = "sticker"
    location = "location"
    contact = "contact"
    other = "other"


@dataclass(frozen=True, slots=True)
class Inbound:
    channel: str
    user_id: str
    message_id: str
    text: str = ""
    payload: str | None = None
    media: Media = Media.none
    media_ref: str | None = None  # how the channel finds the file again, to pass it on
    language_hint: str | None = None
    display_name: str | None = None
    phone: str | None = None  # when the channel tells it (WhatsApp's wa_id)
    received_at: datetime = field(default_factory=utcnow)


MAX_CHOICES = 10  # the most buttons one Outbound offers: what every channel can show


@dataclass(frozen=True, slots=True)
class Button:
    payload: str
    title: str


@dataclass(frozen=True, slots=True)
class Video:
    capsule_id: str
    caption: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file an advisor sends: stored under the data dir (`path` is relative to it)."""

    path: str
    kind: str  # "photo" or "document"
    mime: str
    name: str


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    language: str
    params: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to send, at most MAX_CHOICES buttons. Channels render the buttons or a
    list within their own limits (title lengths, how many buttons before a list)."""

    text: str
    buttons: tuple[Button, ...] = ()
    list_label: str | None = None
    video: Video | None = None
    template: Template | None = None
    attachment: Attachment | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outbound:
        return cls(
            text=data["text"],
            buttons=tuple(Button(**b) for b in data.get("buttons") or ()),
            list_label=data.get("list_label"),
            video=Video(**data["video"]) if data.get("video") else None,
            template=_template(data.get("template")),
            attachment=Attachment(**data["attachment"]) if data.get("attachment") else None,
        )


def _template(data: dict[str, Any] | None) -> Template | None:
    if not data:
        return None
    return Template(name=data["name"], language=data["language"], params=tuple(data["params"]))
