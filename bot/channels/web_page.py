"""What the chat page shows: each message as an event (text, direction, buttons, video),
and the page's own words in the four languages."""

from __future__ import annotations

import unicodedata
from typing import Any

from bot.i18n import N_, _, use_language
from bot.messages import Outbound


def direction(text: str) -> str:
    """ "rtl" or "ltr" from the first letter that has a direction (as `dir=auto` does)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "auto"


def bot_event(row_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """What the page shows for one queued reply."""
    outbound = Outbound.from_dict(body)
    video, file = outbound.video, outbound.attachment
    return {
        "id": row_id,
        "from": "bot",
        "text": outbound.text,
        "dir": direction(outbound.text),
        "buttons": [{"title": b.title, "payload": b.payload} for b in outbound.buttons],
        "video": (
            {"src": f"/web/capsules/{video.capsule_id}", "caption": video.caption}
            if video
            else None
        ),
        "file": (
            {"src": f"/web/files/{row_id}", "name": file.name, "kind": file.kind} if file else None
        ),
    }


def user_event(text: str, payload: str | None) -> dict[str, Any]:
    return {"from": "user", "text": text, "payload": payload, "dir": direction(text)}


def with_tapped_titles(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A tapped button is shown with its title, as the page showed it when it was tapped."""
    titles: dict[str, str] = {}
    for event in events:
        if event["from"] == "bot":
            titles |= {b["payload"]: b["title"] for b in event["buttons"]}
        elif event["payload"] and not event["text"]:
            event["text"] = titles.get(event["payload"], "")
            event["dir"] = direction(event["text"])
    return events


PAGE_TEXTS = {
    "title": N_("Fadaa: ODCO's assistant for cooperatives"),
    "placeholder": N_("Write your message…"),
    "send": N_("Send"),
    "typing": N_("Fadaa is writing…"),
    "offline": N_("No connection. Your messages will be sent when it is back."),
    "reconnecting": N_("Reconnecting…"),
    "open": N_("Chat with Fadaa"),
    "close": N_("Close"),
    "continue": N_("Continue on your phone"),
    "continue_why": N_(
        "A browser tab cannot remind you. Continue on Telegram or WhatsApp: "
        "your conversation, reminders and news go with you."
    ),
    "too_fast": N_("Please wait a moment before writing again."),
    "failed": N_("This message was not sent. Tap to try again."),
}


def page_texts(language: str) -> dict[str, str]:
    with use_language(language):
        return {key: _(text) for key, text in PAGE_TEXTS.items()}


def page_language(accept_language: str | None, default: str) -> str:
    """The page's language before the conversation has one: French for a French browser,
    else the default (Darija)."""
    first = (accept_language or "").split(",")[0].strip().lower()
    if first.startswith("fr"):
        return "fr"
    if first.startswith("ar"):
        return default if default != "fr" else "ar"
    return default
