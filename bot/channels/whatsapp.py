"""WhatsApp Cloud API through pywa: webhooks become Inbound, Outbound become Graph calls.

Users are keyed by the business-scoped user id (BSUID, `user_id`, required since April
2026); the phone number (`wa_id`) is kept when Meta still sends it. pywa hard-codes the
Graph URL, so its httpx session routes requests to FADAA_WHATSAPP_API_BASE.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
from pydantic import SecretStr
from pywa.types.templates import BodyText, TemplateLanguage
from pywa_async import WhatsApp
from pywa_async import types as wa
from pywa_async.errors import ThrottlingError, UnknownError, WhatsAppError
from pywa_async.handlers import CallbackButtonHandler, CallbackSelectionHandler, MessageHandler

from bot import capsules
from bot.channels.intake import (
    Unprocessable,
    handle_or_keep,
    keep_unprocessable,
    storable,
)
from bot.channels.limits import shorten, split_text
from bot.clock import utcnow
from bot.config import Settings
from bot.engine import Engine
from bot.handoff import attachments
from bot.i18n import _, use_language
from bot.messages import Attachment, Inbound, Media, Outbound, Video
from bot.outbox import Delivery, PermanentDeliveryError, refused_after_sending

CHANNEL = "whatsapp"
MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10
SERVICE_WINDOW = timedelta(hours=24)
_MEDIA = {
    "audio": Media.voice,
    "image": Media.photo,
    "video": Media.video,
    "document": Media.document,
    "sticker": Media.sticker,
    "location": Media.location,
    "contacts": Media.contact,
}
# Meta's Cloud API error codes worth another attempt later: throttling, "service
# unavailable", "something went wrong", maintenance, and the app's credentials or
# permissions (an operator can fix those; the message itself is not at fault). Every other
# documented code (invalid recipient or parameter, re-engagement needed, unsupported
# media, templates…) refuses this message for good.
RETRY_CODES = frozenset(
    {
        0,
        1,
        2,
        3,
        4,
        10,
        17,
        190,
        341,
        368,
        80007,
        130429,
        131000,
        131016,
        131048,
        131056,
        131057,
        133004,
    }
)
SIGNATURE = re.compile(r"sha256=[0-9a-fA-F]{64}")
log = logging.getLogger(__name__)


def is_temporary(code: int | None, http_status: int | None = None) -> bool:
    """Whether a Graph error is worth retrying: by Meta's code, else by the HTTP status."""
    if http_status is not None and (http_status >= 500 or http_status == 429):
        return True
    return code in RETRY_CODES or (code is not None and 200 <= code <= 299)


@dataclass
class _Dispatch:
    """What happened to one message handed to pywa: reached our handler, or failed there
    (pywa logs and swallows handler errors, so they are carried out through this)."""

    reached: bool = False
    error: Exception | None = None


_dispatch: contextvars.ContextVar[_Dispatch] = contextvars.ContextVar("whatsapp_dispatch")


class RoutedTransport(httpx.AsyncBaseTransport):
    """Sends pywa's requests for graph.facebook.com to the configured API base instead."""

    def __init__(self, api_base: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.base = httpx.URL(api_base)
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme,
            host=self.base.host,
            port=self.base.port,
            path=self.base.path.rstrip("/") + request.url.path,
        )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def build_client(settings: Settings, session: httpx.AsyncClient | None = None) -> WhatsApp:
    def secret(value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value else None

    return WhatsApp(
        phone_id=settings.whatsapp_phone_id,
        token=secret(settings.whatsapp_token),
        session=session
        or httpx.AsyncClient(transport=RoutedTransport(settings.whatsapp_api_base), timeout=20),
        server=None,
        verify_token=secret(settings.whatsapp_verify_token),
        app_secret=secret(settings.whatsapp_app_secret),
        skip_duplicate_updates=False,  # the database dedups, across restarts and workers
    )


def inbound_from_message(message: wa.Message) -> Inbound | None:
    """A user's message; reactions and unsupported types are ignored on purpose."""
    if message.type in ("reaction", "unsupported", "system"):
        return None
    media = Media.none if message.text else _MEDIA.get(str(message.type), Media.other)
    return Inbound(
        channel=CHANNEL,
        user_id=message.from_user.bsuid,
        message_id=message.id,
        text=message.text or message.caption or "",
        media=media,
        media_ref=str(message.media.id) if message.media and hasattr(message.media, "id") else None,
        display_name=message.from_user.name,
        phone=message.from_user.wa_id,
    )


def inbound_from_choice(choice: wa.CallbackButton[Any] | wa.CallbackSelection[Any]) -> Inbound:
    return Inbound(
        channel=CHANNEL,
        user_id=choice.from_user.bsuid,
        message_id=choice.id,
        payload=str(choice.data),
        display_name=choice.from_user.name,
        phone=choice.from_user.wa_id,
    )


class WhatsAppChannel:
    def __init__(
        self, client: WhatsApp, engine: Engine, settings: Settings, on_queued: Callable[[], None]
    ) -> None:
        self.client = client
        self.engine = engine
        self.settings = settings
        self.on_queued = on_queued
        client.add_handlers(
            MessageHandler(self._on_message),
            CallbackButtonHandler(self._on_choice),
            CallbackSelectionHandler(self._on_choice),
        )

    def verify_challenge(self, token: str | None, challenge: str | None) -> tuple[str, int]:
        expected = self.settings.whatsapp_verify_token
        if not expected or token != expected.get_secret_value() or not challenge:
            return "verification failed", 403
        return challenge, 200

    def signature_refusal(self, signature: str | None) -> str | None:
        """Checked before the body is read: without a well-formed signature there is
        nothing to verify (a bare hex digest without `sha256=` is not Meta's format)."""
        if not self.settings.whatsapp_app_secret:
            return None
        if not signature or not SIGNATURE.fullmatch(signature):
            return "missing or malformed X-Hub-Signature-256"
        return None

    def signature_matches(self, body: bytes, signature: str | None) -> bool:
        secret = self.settings.whatsapp_app_secret
        if not secret:
            return True
        expected = hmac.new(secret.get_secret_value().encode(), body, "sha256").hexdigest()
        return hmac.compare_digest(expected, (signature or "").removeprefix("sha256=").lower())

    async def receive(self, body: bytes, signature: str | None) -> tuple[str, int]:
        """Check the signature, then store every message of the body, one at a time.

        Raises StoreDown when a message could be neither stored nor kept (answer 5xx so
        Meta delivers it again)."""
        if self.signature_refusal(signature) or not self.signature_matches(body, signature):
            return "invalid signature", 403
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return "body is not JSON", 400
        if not isinstance(data, dict):
            return "body is not a JSON object", 400
        try:
            changes = list(_changes(data))
        except Unprocessable as error:
            await keep_unprocessable(self.engine.db, channel=CHANNEL, reason=str(error), body=body)
            return "ok", 200
        for value, entry_id in changes:
            await self._receive_change(value, entry_id, body)
        return "ok", 200

    async def _receive_change(self, value: dict[str, Any], entry_id: object, body: bytes) -> None:
        statuses, messages = value.get("statuses") or [], value.get("messages") or []
        if not isinstance(statuses, list) or not isinstance(messages, list):
            await keep_unprocessable(
                self.engine.db,
                channel=CHANNEL,
                body=body,
                reason="messages or statuses is not a list",
            )
            return
        if statuses:
            await handle_or_keep(
                self.engine.db, channel=CHANNEL, body=body, handle=lambda: self._statuses(statuses)
            )
        for message in messages:
            await handle_or_keep(
                self.engine.db,
                channel=CHANNEL,
                body=_excerpt(message, body),
                handle=partial(self._dispatch_message, value, message, entry_id),
            )

    async def _dispatch_message(
        self, value: dict[str, Any], message: Any, entry_id: object
    ) -> None:
        await self._dispatch(_single_message(value, message, entry_id))

    async def _dispatch(self, update: dict[str, Any]) -> None:
        """Let pywa build the message and call our handlers; surface what it swallows."""
        outcome = _Dispatch()
        token = _dispatch.set(outcome)
        try:
            await self.client.webhook_update_handler(
                json.dumps(update, ensure_ascii=False).encode("utf-8", errors="replace")
            )
        finally:
            _dispatch.reset(token)
        if outcome.error is not None:
            raise outcome.error
        if not outcome.reached:
            raise Unprocessable("pywa could not read this message")

    async def _on_message(self, _client: object, message: wa.Message) -> None:
        await self._guarded(lambda: self._message(message))

    async def _on_choice(
        self, _client: object, choice: wa.CallbackButton[Any] | wa.CallbackSelection[Any]
    ) -> None:
        await self._guarded(lambda: self._handle(inbound_from_choice(choice)))

    async def _message(self, message: wa.Message) -> None:
        inbound = inbound_from_message(message)
        if inbound is not None:
            await self._handle(inbound)

    async def _guarded(self, work: Callable[[], Any]) -> None:
        outcome = _dispatch.get(None) or _Dispatch()
        outcome.reached = True
        try:
            await work()
        except Exception as error:  # noqa: BLE001 — carried out of pywa, which would log and drop it
            outcome.error = error

    async def _handle(self, inbound: Inbound) -> None:
        await self.engine.handle(storable(inbound))
        self.on_queued()

    async def _statuses(self, statuses: list[Any]) -> None:
        """A message WhatsApp accepted may fail later ("failed" status with errors): the
        outbox row learns it, and is retried or given up on by the error's code."""
        for status in statuses:
            if not isinstance(status, dict) or status.get("status") != "failed":
                continue
            errors = status.get("errors") if isinstance(status.get("errors"), list) else []
            error = errors[0] if errors and isinstance(errors[0], dict) else {}
            code = error.get("code") if isinstance(error.get("code"), int) else None
            await refused_after_sending(
                self.engine.db,
                channel=CHANNEL,
                channel_message_id=str(status.get("id"))[:128],
                error=f"failed status {code}: {str(error.get('title') or '')[:200]}",
                retry=is_temporary(code),
                on_given_up=self.engine.message_given_up,
            )
        self.on_queued()

    async def deliver(self, delivery: Delivery) -> str | None:
        """Send; returns the wamid WhatsApp gave the (last) message, for later statuses."""
        try:
            sent = await self._send(delivery)
        except WhatsAppError as error:
            if is_temporary(error.code, error.status_code):
                raise
            raise PermanentDeliveryError(f"{type(error).__name__} {error.code}") from error
        return str(getattr(sent, "id", "") or "")[:128] or None

    async def _send(self, delivery: Delivery) -> object:
        outbound, to = delivery.outbound, delivery.recipient
        if outbound.template or not self._in_service_window(delivery):
            return await self._send_template(to, outbound, delivery.language)
        if outbound.video:
            return await self._send_video(to, outbound, outbound.video, delivery.language)
        if outbound.attachment:
            return await self._send_file(to, outbound, outbound.attachment)
        pieces = _pieces(outbound)
        for piece in pieces[:-1]:
            await self.client.send_message(to, piece)
        return await self.client.send_message(
            to, pieces[-1], buttons=_choices(outbound, delivery.language)
        )

    async def _send_video(
        self, to: str, outbound: Outbound, video: Video, language: str | None
    ) -> object:
        """The capsule as a native video from a media id uploaded earlier (uploaded again
        when it has expired); a text with the caption when that fails."""
        caption = shorten(video.caption or outbound.text, 1024)
        try:
            media = await self._media_id(video.capsule_id)
            if media is None:
                raise LookupError("no video for this capsule")
            return await self.client.send_video(
                to,
                video=media,
                caption=caption,
                buttons=_reply_buttons(outbound)
                if len(outbound.buttons) <= MAX_REPLY_BUTTONS
                else None,
            )
        except (WhatsAppError, LookupError, ValueError, httpx.HTTPError) as error:
            log.warning("capsule sent as text: %s", type(error).__name__)
            return await self.client.send_message(to, caption, buttons=_choices(outbound, language))

    async def _media_id(self, capsule_id: str) -> str | None:
        """The capsule's WhatsApp media id, uploading the file first (outside any
        transaction) when Meta no longer keeps an earlier upload; else its URL."""
        source = await capsules.video_source(self.engine.db, capsule_id, self.settings.data_dir)
        if source is None:
            return None
        if source.whatsapp_media_id:
            return source.whatsapp_media_id
        if source.path is None:
            return source.url
        uploaded = await self.client.upload_media(source.path, mime_type="video/mp4")
        media_id = str(getattr(uploaded, "id", uploaded))
        await capsules.remember_upload(self.engine.db, capsule_id, whatsapp_media_id=media_id)
        return media_id

    async def _send_file(self, to: str, outbound: Outbound, attachment: Attachment) -> object:
        """An advisor's file: uploaded (no transaction is open while sending), then sent
        as an image (JPEG and PNG, what WhatsApp shows as photos) or a document, with the
        signed text as caption; a text too long for a caption goes first."""
        try:
            path = attachments.path_of(self.settings.data_dir, attachment)
        except LookupError as error:
            raise PermanentDeliveryError(str(error)) from error
        caption: str | None = outbound.text
        if len(outbound.text) > MAX_INTERACTIVE_BODY:
            for piece in split_text(outbound.text, MAX_TEXT):
                await self.client.send_message(to, piece)
            caption = None
        uploaded = await self.client.upload_media(
            path, mime_type=attachment.mime, filename=attachment.name
        )
        media_id = str(getattr(uploaded, "id", uploaded))
        if attachment.mime in ("image/jpeg", "image/png"):
            return await self.client.send_image(to, image=media_id, caption=caption)
        return await self.client.send_document(
            to, document=media_id, filename=attachment.name, caption=caption
        )

    async def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """A file a user sent (voice note, photo…), to pass on to the advisors; LookupError
        when WhatsApp no longer has it."""
        try:
            found = await self.client.get_media_url(media_id)
            return await self.client.get_media_bytes(found.url), found.mime_type
        except (ThrottlingError, UnknownError):
            raise
        except (WhatsAppError, httpx.HTTPStatusError) as error:
            raise LookupError(f"media {media_id}: {type(error).__name__}") from error

    def _in_service_window(self, delivery: Delivery) -> bool:
        seen = delivery.last_inbound_at
        if seen is None:
            return False
        return utcnow() - seen < SERVICE_WINDOW

    async def _send_template(self, to: str, outbound: Outbound, language: str | None) -> object:
        """Outside the 24-hour window only an approved template may be sent."""
        template = outbound.template
        name = template.name if template else self.settings.whatsapp_template_name
        code = (
            template.language
            if template
            else self.settings.whatsapp_template_languages.get(language or "ary", "ar")
        )
        params = list(template.params) if template else [shorten(outbound.text, 1000)]
        return await self.client.send_template(
            to,
            name=name,
            language=TemplateLanguage(code),
            params=[BodyText.params(*params)],  # type: ignore[arg-type]  # params() takes no self
        )


def _reply_buttons(outbound: Outbound) -> list[wa.Button]:
    return [
        wa.Button(title=shorten(b.title, 20), callback_data=b.payload) for b in outbound.buttons
    ]


def _pieces(outbound: Outbound) -> list[str]:
    """Text pieces; the last one, which carries the buttons, fits an interactive body."""
    pieces = split_text(outbound.text or "…", MAX_TEXT)
    if outbound.buttons and len(pieces[-1]) > MAX_INTERACTIVE_BODY:
        pieces[-1:] = split_text(pieces[-1], MAX_INTERACTIVE_BODY)
    return pieces


def _choices(outbound: Outbound, language: str | None) -> list[wa.Button] | wa.SectionList | None:
    """Up to three reply buttons; more become a list (WhatsApp's own limits), which needs
    a label in the user's language."""
    buttons = outbound.buttons
    if not buttons:
        return None
    if len(buttons) <= MAX_REPLY_BUTTONS:
        return _reply_buttons(outbound)
    with use_language(language or "ary"):
        label = outbound.list_label or _("Choose")
    rows = [
        wa.SectionRow(
            title=shorten(b.title, 24),
            callback_data=b.payload,
            description=shorten(b.title, 72) if len(b.title) > 24 else None,
        )
        for b in buttons[:MAX_LIST_ROWS]
    ]
    return wa.SectionList(
        button_title=shorten(label, 20), sections=[wa.Section(title=shorten(label, 24), rows=rows)]
    )


def _changes(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], object]]:
    """The `messages` changes of a webhook body (Meta may batch several)."""
    if data.get("object") != "whatsapp_business_account":
        raise Unprocessable("not a WhatsApp Business Account update")
    entries = data.get("entry")
    if not isinstance(entries, list) or not entries:
        raise Unprocessable("no entry")
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise Unprocessable("an entry without changes")
        for change in changes:
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                raise Unprocessable("a change without a value")
            if change.get("field") == "messages":
                yield change["value"], entry.get("id")


def _excerpt(message: Any, body: bytes) -> bytes:
    """What to keep of one unusable message: itself, or the whole body when it cannot be
    written back as JSON."""
    try:
        return json.dumps(message, ensure_ascii=False).encode("utf-8", errors="replace")
    except (TypeError, ValueError, RecursionError):
        return body


def _single_message(value: dict[str, Any], message: Any, entry_id: object) -> dict[str, Any]:
    """One message in the shape pywa reads (its sender's contact first). A contact with a
    `wa_id` but no business-scoped `user_id` (Meta's documented shape, still sent for
    accounts without BSUIDs) is keyed by the wa_id, which WhatsApp accepts as a recipient."""
    if not isinstance(message, dict):
        raise Unprocessable("a message that is not an object")
    sender = message.get("from_user_id") or message.get("from")
    contacts = [c for c in value.get("contacts") or [] if isinstance(c, dict)]
    contact = next(
        (c for c in contacts if sender in (c.get("user_id"), c.get("wa_id"))),
        contacts[0] if contacts else {"wa_id": message.get("from")},
    )
    user_id = contact.get("user_id") or contact.get("wa_id") or sender
    if not isinstance(user_id, str) or not user_id:
        raise Unprocessable("a message without a sender")
    contact = {**contact, "user_id": user_id}
    single = {**value, "contacts": [contact], "messages": [message]}
    single.pop("statuses", None)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": entry_id, "changes": [{"field": "messages", "value": single}]}],
    }
