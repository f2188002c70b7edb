"""Files in a handoff for the advisors' API: a photo or PDF sent to the user as a signed
reply (under the desk's rules), and the file of any message opened (an advisor's from the
disk, a user's fetched from their channel, so no channel token reaches the browser)."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Path, Response, UploadFile

from api.errors import responses
from api.handoffs import AdvisorCaller, HandoffId, HandoffOut, act
from api.services import ServicesDep
from bot.channels.service import Services
from bot.handoff import attachments
from bot.messages import Attachment
from bot.store.models import HandoffEvent

router = APIRouter(prefix="/admin", tags=["advisors"], responses=responses())
EventId = Annotated[int, Path(ge=1, le=2**53, description="a message of the handoff")]
FILE_REFUSAL_STATUS = {"empty": 422, "too_large": 413, "unsupported": 415}
log = logging.getLogger(__name__)
FILE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the file: a photo or a PDF to show, anything else to download",
        "content": {
            mime: {"schema": {"type": "string", "format": "binary"}}
            for mime in (*attachments.SHOWN, "application/octet-stream")
        },
    }
}


@router.post("/handoffs/{handoff_id}/files", responses=responses(404, 409, 413, 415))
async def send_file_to_handoff(
    handoff_id: HandoffId,
    file: UploadFile,
    caller: AdvisorCaller,
    services: ServicesDep,
    text: Annotated[str, Form(max_length=4000)] = "",
) -> HandoffOut:
    """A photo (JPEG, PNG, WebP; 5 MB) or a PDF (10 MB) for the user, the type found from
    the content; sent like a reply, with `text` as its caption."""
    data = await file.read(attachments.MAX_BYTES + 1)
    try:
        upload = attachments.check(data, file.filename or "")
    except attachments.FileRefused as refused:
        raise HTTPException(FILE_REFUSAL_STATUS[refused.reason], str(refused)) from None
    return await act(services, caller, handoff_id, None, text, upload)


@router.get(
    "/handoffs/{handoff_id}/files/{event_id}",
    responses=FILE_ANSWER | responses(404, 502),
    response_class=Response,
)
async def open_file(
    handoff_id: HandoffId, event_id: EventId, caller: AdvisorCaller, services: ServicesDep
) -> Response:
    """The file of a message: an advisor's from the disk, a user's fetched from their
    channel (no channel token reaches the browser). Photos and PDFs open in the browser,
    anything else is downloaded."""
    async with services.db.transaction() as session:
        event = await session.get(HandoffEvent, event_id)
        if event is None or event.handoff_id != handoff_id or not event.attachment:
            raise HTTPException(404, f"no file in message {event_id} of handoff {handoff_id}")
        kept = dict(event.attachment)
    try:
        content = await _file_content(services, kept)
    except LookupError as error:
        raise HTTPException(404, f"the file is no longer available ({error})") from None
    except Exception as error:  # noqa: BLE001 — whatever the channel's SDK raises: not a 500
        log.warning("a file could not be fetched: %s", type(error).__name__)
        raise HTTPException(
            502, f"the channel did not give the file ({type(error).__name__})"
        ) from None
    return _file_response(content, str(kept.get("name") or f"file-{event_id}"))


async def _file_content(services: Services, kept: dict[str, Any]) -> bytes:
    """The bytes of a kept file, or of a user's file fetched from their channel."""
    if "path" in kept:
        return attachments.path_of(services.settings.data_dir, Attachment(**kept)).read_bytes()
    channels = {"whatsapp": services.whatsapp, "telegram": services.telegram}
    channel = channels.get(str(kept.get("channel")))
    if channel is None:
        raise LookupError(f"the {kept.get('channel')} channel is not running")
    content, _mime = await channel.fetch_media(str(kept["ref"]))
    return content


def _file_response(content: bytes, name: str) -> Response:
    """Served by what the content is, never by what the sender claimed: a photo or a PDF
    opens in the browser, anything else is a download that cannot run as a page."""
    found = attachments.sniff(content)
    disposition = "inline" if found else "attachment"
    headers = {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    if found is None:
        headers["Content-Security-Policy"] = "sandbox"
    return Response(
        content,
        media_type=found.mime if found else "application/octet-stream",
        headers=headers,
    )
