"""Telegram through python-telegram-bot: updates become Inbound, Outbound become API calls.

Only private chats are conversations; group messages and edits are ignored on purpose. A
user who blocks the bot (`my_chat_member` kicked) is marked, and nothing more is sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import BaseRequest, HTTPXRequest

from bot import capsules
from bot.channels.advisor_group import AdvisorGroup
from bot.channels.intake import Unprocessable, handle_or_keep, storable
from bot.channels.limits import shorten, split_text
from bot.config import Settings, SettingsError
from bot.engine import Engine
from bot.handoff import attachments
from bot.messages import Attachment, Inbound, Media, Outbound, Video
from bot.outbox import Delivery, PermanentDeliveryError

CHANNEL = "telegram"
MAX_TEXT = 4096
MAX_CAPTION = 1024
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
log = logging.getLogger(__name__)


def build_bot(settings: Settings, request: BaseRequest | None = None) -> ExtBot[Any]:
    """A Bot API client with retries on 429 (PTB's default is none)."""
    base = settings.telegram_api_base.rstrip("/")
    if settings.telegram_token is None:
        raise SettingsError("the Telegram channel needs FADAA_TELEGRAM_TOKEN")
    return ExtBot(
        token=settings.telegram_token.get_secret_value(),
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=request or HTTPXRequest(connection_pool_size=16),
        rate_limiter=AIORateLimiter(
            overall_max_rate=settings.telegram_messages_per_second,
            max_retries=3,
            group_max_rate=settings.advisor_group_messages_per_minute,
            group_time_period=60,
        ),
    )


async def register_webhook(settings: Settings, request: BaseRequest | None = None) -> str:
    """Point Telegram at this service, with the secret it must echo on every update."""
    if not settings.telegram_enabled or not settings.public_url:
        raise SettingsError("set-webhook needs FADAA_TELEGRAM_TOKEN and FADAA_PUBLIC_URL")
    url = f"{settings.public_url.rstrip('/')}/telegram/webhook"
    secret = settings.telegram_webhook_secret
    async with build_bot(settings, request) as bot:
        await bot.set_webhook(
            url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=False,
        )
    return url


def _parsed(data: dict[str, Any], bot: Bot) -> Update:
    """PTB's Update, refusing what it lets through but we cannot use: a message without a
    chat, text that is not a string, a date out of range…"""
    try:
        update = Update.de_json(data, bot)
        message = update.message
        if message is not None:
            if not isinstance(message.text or "", str) or not isinstance(
                message.caption or "", str
            ):
                raise TypeError("text is not a string")
            message.chat.type  # noqa: B018 — a message must have a chat
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
        raise Unprocessable(f"not a readable Telegram update ({type(error).__name__})") from None
    return update


def media_of(message: Message) -> Media:
    kinds = (
        ("voice", Media.voice),
        ("audio", Media.voice),
        ("video_note", Media.voice),
        ("photo", Media.photo),
        ("video", Media.video),
        ("document", Media.document),
        ("sticker", Media.sticker),
        ("location", Media.location),
        ("contact", Media.contact),
    )
    return next((media for name, media in kinds if getattr(message, name)), Media.other)


def inbound_from(update: Update) -> Inbound | None:
    """The conversation event in an update, or None for what is ignored on purpose."""
    query = update.callback_query
    if query and query.message:
        return Inbound(
            channel=CHANNEL,
            user_id=str(query.message.chat.id),
            message_id=f"u{update.update_id}",
            payload=query.data or "",
            language_hint=query.from_user.language_code,
            display_name=query.from_user.first_name,
        )
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    text = message.text or message.caption or ""
    return Inbound(
        channel=CHANNEL,
        user_id=str(message.chat.id),
        message_id=f"u{update.update_id}",
        text=text,
        media=Media.none if message.text else media_of(message),
        media_ref=None if message.text else _media_ref(message),
        language_hint=message.from_user.language_code if message.from_user else None,
        display_name=message.from_user.first_name if message.from_user else None,
    )


def _media_ref(message: Message) -> str:
    """ "chat:message" to copy the message to the advisors, then ":file_id" when it carries
    a file, to fetch it for the console."""
    found = message.effective_attachment
    if isinstance(found, tuple):  # a photo, in several sizes: the largest
        found = found[-1] if found else None
    file_id = getattr(found, "file_id", None)
    return f"{message.chat.id}:{message.message_id}" + (f":{file_id}" if file_id else "")


class TelegramChannel:
    def __init__(self, bot: Bot, engine: Engine, on_queued: Callable[[], None]) -> None:
        self.bot = bot
        self.engine = engine
        self.settings = engine.settings
        self.on_queued = on_queued
        self.advisor_group: AdvisorGroup | None = None
        self._background: set[asyncio.Task[Any]] = set()

    async def receive(self, data: dict[str, Any], body: bytes = b"") -> None:
        """Store and answer one webhook update; sending happens later, from the outbox.
        An update that cannot be read is kept as unprocessable; StoreDown when nothing
        could be written (see bot/channels/intake.py)."""
        await handle_or_keep(
            self.engine.db,
            channel=CHANNEL,
            body=body,
            handle=lambda: self._receive(_parsed(data, self.bot)),
        )

    async def _receive(self, update: Update) -> None:
        if self.advisor_group and self.advisor_group.owns(update):
            await self.advisor_group.receive(update)
            return
        if update.callback_query:
            self._in_background(self._stop_spinner(update.callback_query.id))
        if update.my_chat_member and update.my_chat_member.chat.type == "private":
            status = update.my_chat_member.new_chat_member.status
            await self._set_blocked(str(update.my_chat_member.chat.id), status == "kicked")
            return
        inbound = inbound_from(update)
        if inbound is not None:
            await self.engine.handle(storable(inbound))
            self.on_queued()

    async def deliver(self, delivery: Delivery) -> None:
        try:
            await self._send(int(delivery.recipient), delivery.outbound)
        except Forbidden as error:
            await self._set_blocked(delivery.recipient, True)
            raise PermanentDeliveryError(str(error)) from error
        except BadRequest as error:
            raise PermanentDeliveryError(str(error)) from error

    async def _send(self, chat_id: int, outbound: Outbound) -> None:
        keyboard = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(b.title, callback_data=b.payload)] for b in outbound.buttons]
            )
            if outbound.buttons
            else None
        )
        if outbound.video:
            await self._send_video(chat_id, outbound, outbound.video, keyboard)
            return
        if outbound.attachment:
            await self._send_file(chat_id, outbound, outbound.attachment, keyboard)
            return
        pieces = split_text(outbound.text, MAX_TEXT)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await self.bot.send_message(chat_id, piece, reply_markup=keyboard if last else None)

    async def _send_video(
        self, chat_id: int, outbound: Outbound, video: Video, keyboard: Any
    ) -> None:
        """The capsule as a native video: its cached file_id, else the file, else its URL;
        a text with the caption if Telegram refuses it."""
        caption = shorten(video.caption or outbound.text, MAX_CAPTION)
        capsule_id = video.capsule_id
        source = await capsules.video_source(self.engine.db, capsule_id, self.settings.data_dir)
        media = source and (
            source.telegram_file_id or (source.path and source.path.read_bytes()) or source.url
        )
        try:
            if not media:
                raise BadRequest("no video for this capsule")
            sent = await self.bot.send_video(
                chat_id, media, caption=caption, reply_markup=keyboard, supports_streaming=True
            )
        except BadRequest:
            link = f"\n{source.url}" if source and source.url else ""
            await self.bot.send_message(chat_id, caption + link, reply_markup=keyboard)
            return
        if sent.video and source and not source.telegram_file_id:
            await capsules.remember_upload(
                self.engine.db, capsule_id, telegram_file_id=sent.video.file_id
            )

    async def _send_file(
        self, chat_id: int, outbound: Outbound, attachment: Attachment, keyboard: Any
    ) -> None:
        """An advisor's photo or PDF with the signed text as its caption; a text too long
        for a caption goes first, on its own."""
        try:
            data = attachments.path_of(self.settings.data_dir, attachment).read_bytes()
        except LookupError as error:
            raise PermanentDeliveryError(str(error)) from error
        caption: str | None = outbound.text
        if len(outbound.text) > MAX_CAPTION:
            for piece in split_text(outbound.text, MAX_TEXT):
                await self.bot.send_message(chat_id, piece)
            caption = None
        send = self.bot.send_photo if attachment.kind == "photo" else self.bot.send_document
        await send(
            chat_id,
            InputFile(data, filename=attachment.name),
            caption=caption,
            reply_markup=keyboard,
        )

    async def fetch_media(self, ref: str) -> tuple[bytes, str]:
        """A file a user sent ("chat:message:file_id"), for an advisor's console; the type
        is the caller's to find from the content. LookupError when it cannot be had."""
        file_id = ref.split(":")[2] if ref.count(":") == 2 else ""
        if not file_id:
            raise LookupError("no file in this message")
        try:
            found = await self.bot.get_file(file_id)
            return bytes(await found.download_as_bytearray()), "application/octet-stream"
        except BadRequest as error:
            raise LookupError(f"Telegram: {error}") from error

    async def _set_blocked(self, chat_id: str, blocked: bool) -> None:
        await self.engine.set_blocked(channel=CHANNEL, channel_user_id=chat_id, blocked=blocked)

    async def _stop_spinner(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as error:
            log.info("could not answer a callback query: %s", error)

    def _in_background(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
