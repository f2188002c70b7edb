"""A campaign as one user receives it: their language, the campaign's buttons (counted
when tapped), a Stop button for its topic, and on WhatsApp outside the 24-hour window the
approved template named for their language."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.flows.subscriptions import stop_label
from bot.i18n import LATIN_DARIJA
from bot.messages import Button, Outbound, Template, Video
from bot.store.models import Campaign

WHATSAPP = "whatsapp"
SERVICE_WINDOW = timedelta(hours=24)
NO_TEMPLATE = "skipped_template"


def text_for(texts: dict[str, str], language: str | None) -> str:
    """Latin-script readers get French where no Latin-script Darija is written."""
    language = language or "ary"
    fallback = "fr" if language == LATIN_DARIJA else "ary"
    return texts.get(language) or texts.get(fallback) or texts["fr"]


def render(
    campaign: Campaign,
    *,
    channel: str,
    language: str | None,
    in_window: bool,
) -> Outbound | str:
    """The message, or why it cannot be sent (a skip reason). `in_window`: the user wrote
    in the last 24 hours (WhatsApp then takes any message, else only a template)."""
    language = language or "ary"
    text = text_for(campaign.texts, language)
    if channel == WHATSAPP and not in_window:
        template = (campaign.templates or {}).get(language)
        if not template:
            return NO_TEMPLATE
        return Outbound(
            text, template=Template(template["name"], template["code"], params=(text[:1000],))
        )
    buttons = [
        Button(f"campaign:{campaign.id}:{b['payload']}", text_for(b["title"], language))
        for b in (campaign.buttons or {}).get("items", [])
    ]
    buttons.append(Button(f"stop:{campaign.topic}:{campaign.id}", stop_label(language)))
    video = Video(campaign.capsule_id, text) if campaign.capsule_id else None
    return Outbound(text, tuple(buttons), video=video)


def in_window(last_seen_at: datetime | None, now: datetime | None = None) -> bool:
    return last_seen_at is not None and (now or utcnow()) - last_seen_at < SERVICE_WINDOW
