"""Helpers for tests of the advisors' desk: a WhatsApp or Telegram user, advisors in a
fake forum group."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Handoff
from tests.fakes.telegram_api import group_update
from tests.fakes.whatsapp_api import signed, text_message, webhook
from tests.service import TELEGRAM_SECRET, Running

GROUP = -1001234567890
KARIMA, YOUSSEF, STRANGER = 9001, 9002, 9999
CONFIGURED_ADVISOR = 9003
TELEGRAM_USER = 5550042
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
ALWAYS_OPEN = {
    "advisor_weekdays": [0, 1, 2, 3, 4, 5, 6],
    "advisor_opens": "00:00",
    "advisor_closes": "23:59:59",
    "advisor_public_holidays": False,
}


async def from_whatsapp(desk: Running, message: dict) -> None:
    body, headers = signed(webhook(message))
    assert (
        await desk.client.post("/whatsapp/webhook", content=body, headers=headers)
    ).status_code == 200


async def to_telegram(desk: Running, update: dict) -> None:
    response = await desk.client.post("/telegram/webhook", json=update, headers=HEADERS)
    assert response.status_code == 200


async def in_the_group(
    desk: Running, update_id: int, sender: int, text: str, thread: int | None = None
) -> None:
    thread = thread or next(iter(desk.telegram.topics))
    await to_telegram(desk, group_update(update_id, GROUP, thread, sender, text))


async def whatsapp_user_asks_an_advisor(desk: Running) -> int:
    await from_whatsapp(desk, text_message("wamid.H1", "salam, bghit nhder m3a chi mostachar"))
    await from_whatsapp(
        desk,
        text_message("wamid.H2", "3ndi mochkil f dossier dyal intilaka, lbanka ma bghatch tjawbni"),
    )
    await desk.delivered()
    return next(iter(desk.telegram.topics))


async def handoff_row(desk: Running) -> Handoff:
    async with desk.services.db.transaction() as session:
        return await session.scalar(select(Handoff))
