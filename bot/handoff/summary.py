"""What an advisor reads first: who, in which language and channel, about what, and the
conversation so far. Written in the desk's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import GUIDED_FLOWS
from bot.flows.clarify import INTENT_TITLES
from bot.flows.questionnaire import Questionnaire
from bot.i18n import N_, _
from bot.store.models import Message, User

RECENT_MESSAGES = 8
QUOTE_CHARS = 300
# intents that say nothing about the subject of a request
NOT_A_SUBJECT = {
    "greeting",
    "thanks_goodbye",
    "help_menu",
    "change_language",
    "out_of_scope",
    "talk_to_advisor",
    "set_reminder",
    "my_reminders",
    "delete_my_data",
}
QUESTIONNAIRE_TITLES = {
    "finder": N_("Financing questionnaire"),
    "formalize": N_("Formalisation questionnaire"),
}


@dataclass(frozen=True)
class Recent:
    direction: str
    text: str
    intent: str | None


async def recent_messages(session: AsyncSession, user: User) -> list[Recent]:
    rows = await session.execute(
        select(Message.direction, Message.text, Message.intent)
        .where(Message.user_id == user.id)
        .order_by(Message.id.desc())
        .limit(RECENT_MESSAGES)
    )
    return [Recent(*row) for row in reversed(rows.all())]


def subject_of(recent: list[Recent]) -> str | None:
    """The last topic the user asked about (an intent id), if any."""
    return next(
        (
            m.intent
            for m in reversed(recent)
            if m.direction == "in" and m.intent and m.intent not in NOT_A_SUBJECT
        ),
        None,
    )


def topic_title(handoff_id: int, language: str, subject: str | None) -> str:
    label = _(INTENT_TITLES[subject]) if subject in INTENT_TITLES else _("Question")
    return f"#{handoff_id} · {language} · {label}"[:80]  # the column; Telegram allows 128


def summary_text(
    *, title: str, user: User, description: str, answers: dict[str, Any], recent: list[Recent]
) -> str:
    lines = [
        f"🆕 {title}",
        f"{user.channel} · {user.display_name or '—'}",
        _("Request: {text}").format(text=_quote(description) if description else "—"),
    ]
    for name, slots in answers.items():
        flow = GUIDED_FLOWS.get(name)
        if isinstance(flow, Questionnaire) and name in QUESTIONNAIRE_TITLES:
            lines += ["", _(QUESTIONNAIRE_TITLES[name]) + ":", *flow.describe(slots)]
    if recent:
        lines += ["", _("Last messages:")]
        lines += [
            f"{'👤' if m.direction == 'in' else '🤖'} {_quote(m.text) or '…'}" for m in recent
        ]
    lines += ["", _("Write here to answer the user. Commands: /close, /transfer, /note, /canned")]
    return "\n".join(lines)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"
