"""Browsing the capsules, and sending one as a video."""

from bot.capsules import for_users
from bot.flows.answers import answer_intent
from bot.flows.base import Turn, menu_button
from bot.i18n import _
from bot.messages import Button, Outbound, Video


def browse(turn: Turn) -> list[Outbound]:
    """The capsules ODCO loaded, and only those; without any, what is known about the
    series (the technical sample is never shown)."""
    capsules = for_users(turn.capsules)
    if not capsules:
        return answer_intent(turn, "watch_capsules")
    language = turn.language
    buttons = [Button(f"capsule:{c.id}", "🎬 " + c.title[language]) for c in capsules[:9]]
    return [Outbound(_("Videos you can watch here:"), (*buttons, menu_button()))]


def send(turn: Turn, capsule_id: str) -> list[Outbound]:
    capsule = next((c for c in for_users(turn.capsules) if c.id == capsule_id), None)
    if capsule is None:
        return browse(turn)
    caption = capsule.caption[turn.language]
    return [
        Outbound(
            caption,
            (Button("intent:watch_capsules", _("Other videos")), menu_button()),
            video=Video(capsule_id=capsule.id, caption=caption),
        )
    ]
