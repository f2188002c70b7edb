"""WhatsApp Cloud API through pywa: webhooks become Inbound, Outbound become Graph calls.

Users are keyed by the business-scoped user id (BSUID, `user_id`, required since April
2026); the phone number (`wa_id`) is kept when Meta still sends it. pywa hard-codes the
Graph URL, so its httpx session routes requests to FADAA_WHATSAPP_API_BASE.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import httpx
from pywa.types.templates import BodyText, TemplateLanguage
from pywa_async import WhatsApp
from pywa_async import types as wa
from pywa_async.errors import ThrottlingError, UnknownError, WhatsAppError
from pywa_async.handlers import CallbackButtonHandler, CallbackSelectionHandler, MessageHandler

from bot.capsules import video_path, whatsapp_media_is_fresh
from bot.channels.limits import shorten, split_text
from bot.clock import utcnow
from bot.config import Settings
from bot.engine import Engine
from bot.messages import Inbound, Media, Outbound
from bot.outbox import Delivery, PermanentDeliveryError
from bot.store import repo
from bot.store.models import Capsule

CHANNEL = "whatsapp"
MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10
SERVICE_WINDOW = timedelta(hours=24)
_MEDIA = {"audio": Media.voice, "image": Media.photo, "video": Media.video,
          "document": Media.document, "sticker": Media.sticker, "location": Media.location,
          "contacts": Media.contact}
log = logging.getLogger(__name__)


class RoutedTransport(httpx.AsyncBaseTransport):
    """Sends pywa's requests for graph.facebook.com to the configured API base instead."""

    def __init__(self, api_base: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.base = httpx.URL(api_base)
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port,
            path=self.base.path.rstrip("/") + request.url.path,
        )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def build_client(settings: Settings, session: httpx.AsyncClient | None = None) -> WhatsApp:
    def secret(value: object) -> str | None:
        return value.get_secret_value() if value else None

    return WhatsApp(
        phone_id=settings.whatsapp_phone_id, token=secret(settings.whatsapp_token),
        session=session or httpx.AsyncClient(
            transport=RoutedTransport(settings.whatsapp_api_base), timeout=20),
        server=None, verify_token=secret(settings.whatsapp_verify_token),
        app_secret=secret(settings.whatsapp_app_secret),
        skip_duplicate_updates=False,  # the database dedups, across restarts and workers
    )


def inbound_from_message(message: wa.Message) -> Inbound | None:
    """A user's message; reactions and unsupported types are ignored on purpose."""
    if message.type in ("reaction", "unsupported", "system"):
        return None
    media = Media.none if message.text else _MEDIA.get(str(message.type), Media.other)
    return Inbound(
        channel=CHANNEL, user_id=message.from_user.bsuid, message_id=message.id,
        text=message.text or message.caption or "", media=media,
        media_ref=str(message.media.id) if message.media and hasattr(message.media, "id")
        else None,
        display_name=message.from_user.name,
    )


def inbound_from_choice(choice: wa.CallbackButton | wa.CallbackSelection) -> Inbound:
    return Inbound(
        channel=CHANNEL, user_id=choice.from_user.bsuid, message_id=choice.id,
        payload=str(choice.data), display_name=choice.from_user.name,
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

    async def receive(self, body: bytes, signature: str | None) -> tuple[str, int]:
        """Check the signature, then let pywa parse and dispatch to the handlers below."""
        if self.settings.whatsapp_app_secret and not signature:
            return "missing X-Hub-Signature-256", 403
        refused = await self.client.webhook_update_validator(body, signature)
        if refused:
            return "invalid signature", 403
        return await self.client.webhook_update_handler(body)

    async def _on_message(self, _client: WhatsApp, message: wa.Message) -> None:
        inbound = inbound_from_message(message)
        if inbound is not None:
            await self._handle(inbound, phone=message.from_user.wa_id)

    async def _on_choice(self, _client: WhatsApp, choice: wa.CallbackButton) -> None:
        await self._handle(inbound_from_choice(choice), phone=choice.from_user.wa_id)

    async def _handle(self, inbound: Inbound, phone: str | None) -> None:
        await self.engine.handle(inbound)
        if phone:
            async with self.engine.db.transaction() as session:
                await repo.update_user(session, channel=CHANNEL,
                                       channel_user_id=inbound.user_id, phone=phone[:32])
        self.on_queued()

    async def deliver(self, delivery: Delivery) -> None:
        try:
            await self._send(delivery)
        except (ThrottlingError, UnknownError):
            raise
        except WhatsAppError as error:
            raise PermanentDeliveryError(f"{type(error).__name__} {error.code}") from error

    async def _send(self, delivery: Delivery) -> None:
        outbound, to = delivery.outbound, delivery.recipient
        if outbound.template or not self._in_service_window(delivery):
            await self._send_template(to, outbound, delivery.language)
            return
        if outbound.video:
            await self._send_video(to, outbound)
            return
        pieces = _pieces(outbound)
        for piece in pieces[:-1]:
            await self.client.send_message(to, piece)
        await self.client.send_message(to, pieces[-1], buttons=_choices(outbound))

    async def _send_video(self, to: str, outbound: Outbound) -> None:
        """The capsule as a native video from a media id uploaded earlier (uploaded again
        when it has expired); a text with the caption when that fails."""
        caption = shorten(outbound.video.caption or outbound.text, 1024)
        try:
            media = await self._media_id(outbound.video.capsule_id)
            if media is None:
                raise LookupError("no video for this capsule")
            await self.client.send_video(to, video=media, caption=caption,
                                         buttons=_choices(outbound) if len(
                                             outbound.buttons) <= MAX_REPLY_BUTTONS else None)
        except (WhatsAppError, LookupError, ValueError, httpx.HTTPError) as error:
            log.warning("capsule sent as text: %s", type(error).__name__)
            await self.client.send_message(to, caption, buttons=_choices(outbound))

    async def _media_id(self, capsule_id: str) -> str | None:
        async with self.engine.db.transaction() as session:
            capsule = await session.get(Capsule, capsule_id)
            if capsule is None:
                return None
            if whatsapp_media_is_fresh(capsule):
                return capsule.whatsapp_media_id
            path = video_path(capsule, self.settings.data_dir)
            if path is None:
                return capsule.video_url
            uploaded = await self.client.upload_media(path, mime_type="video/mp4")
            capsule.whatsapp_media_id = str(getattr(uploaded, "id", uploaded))
            capsule.whatsapp_media_at = utcnow()
            return capsule.whatsapp_media_id

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

    async def _send_template(self, to: str, outbound: Outbound, language: str | None) -> None:
        """Outside the 24-hour window only an approved template may be sent."""
        template = outbound.template
        name = template.name if template else self.settings.whatsapp_template_name
        code = (template.language if template else
                self.settings.whatsapp_template_languages.get(language or "ary", "ar"))
        params = list(template.params) if template else [shorten(outbound.text, 1000)]
        await self.client.send_template(
            to, name=name, language=TemplateLanguage(code), params=[BodyText.params(*params)]
        )


def _pieces(outbound: Outbound) -> list[str]:
    """Text pieces; the last one, which carries the buttons, fits an interactive body."""
    pieces = split_text(outbound.text or "…", MAX_TEXT)
    if outbound.buttons and len(pieces[-1]) > MAX_INTERACTIVE_BODY:
        pieces[-1:] = split_text(pieces[-1], MAX_INTERACTIVE_BODY)
    return pieces


def _choices(outbound: Outbound) -> list[wa.Button] | wa.SectionList | None:
    """Up to three reply buttons; more become a list (WhatsApp's own limits)."""
    buttons = outbound.buttons
    if not buttons:
        return None
    if len(buttons) <= MAX_REPLY_BUTTONS:
        return [wa.Button(title=shorten(b.title, 20), callback_data=b.payload) for b in buttons]
    label = outbound.list_label or "☰"
    rows = [
        wa.SectionRow(title=shorten(b.title, 24), callback_data=b.payload,
                      description=shorten(b.title, 72) if len(b.title) > 24 else None)
        for b in buttons[:MAX_LIST_ROWS]
    ]
    return wa.SectionList(button_title=shorten(label, 20),
                          sections=[wa.Section(title=shorten(label, 24), rows=rows)])
