"""The advisors' Telegram group: a supergroup with topics, one topic per handoff.

The Bot API cannot list topics, so the handoff row keeps its topic's id; a topic an admin
deleted is opened again, and a finished conversation's topic is closed. Posts leave through
the outbox (channel `advisors`), one user's at a time, so a burst of messages opens one
topic only; PTB's rate limiter keeps the group's pace (about 20 messages a minute). A
photo or a PDF an advisor posts is fetched here, before any transaction opens, and goes to
the user like a file sent from the console.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from telegram import Bot, Message, Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.channels.limits import shorten, split_text
from bot.config import SettingsError
from bot.engine import Engine
from bot.handoff import attachments
from bot.handoff.group import GroupDesk, GroupMessage, Topic
from bot.handoff.posts import DeskPost, MediaRef
from bot.i18n import _, use_language
from bot.outbox import Delivery, PermanentDeliveryError

MAX_TEXT = 4096
MAX_CAPTION = 1024
FetchMedia = Callable[[str], Awaitable[tuple[bytes, str]]]
log = logging.getLogger(__name__)


class GroupUnreachable(Exception):
    """The group refused or could not be reached; the post is tried again later."""


class AdvisorGroup:
    def __init__(
        self,
        bot: Bot,
        engine: Engine,
        on_queued: Callable[[], None],
        fetch_media: dict[str, FetchMedia],
    ) -> None:
        self.bot, self.engine, self.on_queued = bot, engine, on_queued
        self.desk = GroupDesk(engine.db, engine.desk, engine.handoffs)
        group_id = engine.settings.advisor_group_id
        if group_id is None:
            raise SettingsError("the advisors' desk needs FADAA_ADVISOR_GROUP_ID")
        self.group_id: int = group_id
        self.fetch_media = fetch_media

    def owns(self, update: Update) -> bool:
        chat = update.effective_chat
        return chat is not None and chat.id == self.group_id

    async def receive(self, update: Update) -> None:
        """An advisor's message in a topic: a reply to relay (with a photo or a PDF, or
        not) or a command. Anyone who is not a registered advisor, and anything outside a
        handoff's topic, is ignored."""
        written = _written_in_topic(update)
        if written is None:
            return
        if update.message and update.message.effective_attachment:
            written = replace(written, **await self._posted_file(update.message))
        if await self.desk.advisor_wrote(written):
            self.on_queued()

    async def _posted_file(self, message: Message) -> dict[str, Any]:
        """The checked file an advisor posted, fetched before any transaction opens, or
        why it cannot be sent."""
        posted = _file_of(message)
        if posted is None:
            return {"file_refused": "unsupported"}  # a voice note, a video, a sticker…
        file_id, name, size = posted
        if size and size > attachments.MAX_BYTES:
            return {"file_refused": "too_large"}
        try:
            data = bytes(await (await self.bot.get_file(file_id)).download_as_bytearray())
        except TelegramError as error:
            log.warning("a file posted by an advisor could not be fetched: %s", error)
            return {"file_refused": "unavailable"}
        try:
            return {"file": attachments.check(data, name)}
        except attachments.FileRefused as refused:
            return {"file_refused": refused.reason}

    async def deliver(self, delivery: Delivery) -> None:
        post = DeskPost.from_body(delivery.body)
        try:
            if post.kind == "delete_topic":
                await self._delete_topic(post.thread_id)
            else:
                await self._post(post)
        except (NetworkError, Forbidden) as error:
            if isinstance(error, BadRequest) and not _group_missing(error):
                raise PermanentDeliveryError(str(error)) from error
            await self._tell_user_if_waiting(post)
            raise GroupUnreachable(type(error).__name__) from error

    async def _post(self, post: DeskPost) -> None:
        topic = None if post.handoff_id is None else await self.desk.topic(post.handoff_id)
        if topic is None:
            return  # the user erased their data meanwhile
        if post.kind == "close_topic":
            await self._close_topic(topic.thread_id)
            return
        thread = topic.thread_id
        if thread is None:
            thread = await self._open_topic(topic)
            if thread is None or post.kind == "open":
                return
        try:
            await self._send(thread, post)
        except BadRequest as error:
            if _topic_closed(error):  # the bot lacks the right to write in closed topics
                await self.bot.reopen_forum_topic(self.group_id, thread)
                await self._send(thread, post)
                return
            if not _topic_gone(error):
                raise
            thread = await self._open_topic(topic, again=True)
            if thread is not None and post.kind != "open":
                await self._send(thread, post)

    async def _open_topic(self, topic: Topic, again: bool = False) -> int | None:
        """Open the handoff's topic and post its summary; None if the handoff is gone."""
        created = await self.bot.create_forum_topic(self.group_id, name=topic.title)
        thread = created.message_thread_id
        if not await self.desk.topic_opened(topic.handoff_id, thread):
            await self._delete_topic(thread)
            return None
        with use_language(self.engine.settings.advisor_language):
            note = _("♻️ The earlier topic was deleted; this conversation continues here.")
        await self._send_text(thread, f"{note}\n\n{topic.summary}" if again else topic.summary)
        return thread

    async def _send(self, thread: int, post: DeskPost) -> None:
        if post.media is None:
            await self._send_text(thread, post.text)
            return
        try:
            await self._send_media(thread, post.media, shorten(post.text, MAX_CAPTION))
        except (BadRequest, LookupError) as error:
            if isinstance(error, BadRequest) and _topic_gone(error):
                raise
            with use_language(self.engine.settings.advisor_language):
                missing = _("the file could not be passed on")
            await self._send_text(thread, f"{post.text} ({missing})")

    async def _send_media(self, thread: int, media: MediaRef, caption: str) -> None:
        if media.channel == "telegram":
            chat_id, message_id = media.ref.split(":")[:2]  # then the file_id
            await self.bot.copy_message(
                self.group_id,
                int(chat_id),
                int(message_id),
                caption=caption,
                message_thread_id=thread,
            )
        else:
            await self._send_file(thread, media, caption)

    async def _send_file(self, thread: int, media: MediaRef, caption: str) -> None:
        """A file from another channel (WhatsApp), downloaded and sent as what it is."""
        content, mime = await self.fetch_media[media.channel](media.ref)
        senders: dict[str, Callable[..., Awaitable[object]]] = {
            "voice": self.bot.send_voice,
            "photo": self.bot.send_photo,
            "video": self.bot.send_video,
        }
        send = senders.get(media.kind, self.bot.send_document)
        if media.kind == "voice" and not mime.startswith("audio/ogg"):
            send = self.bot.send_audio
        await send(self.group_id, content, caption=caption, message_thread_id=thread)

    async def _send_text(self, thread: int, text: str) -> None:
        for piece in split_text(text, MAX_TEXT):
            await self.bot.send_message(self.group_id, piece, message_thread_id=thread)

    async def _close_topic(self, thread: int | None) -> None:
        """A finished conversation's topic is closed (marked, and out of the way)."""
        if thread is None:
            return
        try:
            await self.bot.close_forum_topic(self.group_id, thread)
        except BadRequest as error:
            if not (_topic_gone(error) or "not_modified" in str(error).lower()):
                raise

    async def _delete_topic(self, thread: int | None) -> None:
        if thread is None:
            return
        try:
            await self.bot.delete_forum_topic(self.group_id, thread)
        except BadRequest as error:
            if not _topic_gone(error):
                raise

    async def _tell_user_if_waiting(self, post: DeskPost) -> None:
        if post.handoff_id is None:
            return
        await self.desk.unreachable(post.handoff_id)
        self.on_queued()


def parse_command(text: str) -> tuple[str | None, str]:
    """("close", "") for "/close@fadaa_bot"; (None, text) for anything else."""
    if not text.startswith("/"):
        return None, text
    head, _space, rest = text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    return name or None, rest.strip()


def _file_of(message: Message) -> tuple[str, str, int | None] | None:
    """(file id, name, size) of a photo (its largest size) or a document; None for other
    files, which never reach users."""
    if message.photo:
        largest = message.photo[-1]
        return largest.file_id, "photo.jpg", largest.file_size
    if message.document:
        document = message.document
        return document.file_id, document.file_name or "document", document.file_size
    return None


def _written_in_topic(update: Update) -> GroupMessage | None:
    """A person's message in a topic (a file's caption is its text); None for anything
    else (bots, the general topic, service messages)."""
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    if not (message.is_topic_message and message.message_thread_id):
        return None
    if not (message.text or message.caption or message.effective_attachment):
        return None
    command, text = parse_command(message.text or message.caption or "")
    return GroupMessage(
        advisor_telegram_id=message.from_user.id,
        thread_id=message.message_thread_id,
        command=command,
        text=text,
        key=f"telegram:u{update.update_id}",
    )


def _topic_gone(error: BadRequest) -> bool:
    text = str(error).lower()
    return "thread not found" in text or "topic_deleted" in text or "topic_id_invalid" in text


def _topic_closed(error: BadRequest) -> bool:
    return "topic_closed" in str(error).lower()


def _group_missing(error: BadRequest) -> bool:
    text = str(error).lower()
    return "chat not found" in text or "not enough rights" in text
