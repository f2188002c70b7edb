"""Files in the advisors' inbox: an advisor sends a photo or a PDF to the user through the
console or by posting it in the user's topic of the Telegram group, and opens the files
users send, under the desk's rules."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.clock import utcnow
from bot.scheduler import purge_old_data
from bot.store.models import Handoff, HandoffEvent
from tests.console import SALMA, Session, log_in, staff_account
from tests.desk import (
    GROUP,
    KARIMA,
    TELEGRAM_USER,
    from_whatsapp,
    in_the_group,
    to_telegram,
    whatsapp_user_asks_an_advisor,
)
from tests.fakes.telegram_api import group_update, photo_update, text_update
from tests.fakes.whatsapp_api import IMAGE_MEDIA_ID, button_reply, image_message
from tests.webchat import WebVisitor

pytestmark = pytest.mark.store

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


async def advisor_session(desk) -> Session:
    await staff_account(desk.services, SALMA, "advisor", "Salma")
    return await log_in(desk.client, SALMA)


async def send_file(desk, session: Session, name: str, data: bytes, mime: str, text: str = ""):
    return await desk.client.post(
        "/admin/handoffs/1/files",
        headers=session.writing,
        files={"file": (name, data, mime)},
        data={"text": text} if text else {},
    )


async def telegram_user_asks_an_advisor(desk) -> None:
    await to_telegram(
        desk,
        text_update(1, TELEGRAM_USER, "Bonjour, je veux parler à un conseiller pour mon label"),
    )
    await desk.delivered()


def kept_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "attachments").rglob("*") if p.is_file()]


async def test_a_pdf_sent_from_the_console_reaches_a_whatsapp_user_as_a_document(desk):
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    response = await send_file(
        desk, session, "statuts-cooperative.pdf", PDF, "application/pdf", "hadi nmoudaj statuts"
    )
    await desk.delivered()
    assert response.status_code == 200 and response.json()["status"] == "claimed"
    [upload] = desk.graph.uploaded.values()
    assert (upload["type"], upload["filename"], upload["content"]) == (
        "application/pdf",
        "statuts-cooperative.pdf",
        PDF,
    )
    document = desk.graph.messages[-1]
    assert document["type"] == "document"
    assert document["document"]["id"] in desk.graph.uploaded
    assert document["document"]["filename"] == "statuts-cooperative.pdf"
    assert document["document"]["caption"].endswith("hadi nmoudaj statuts")
    topic = next(iter(desk.telegram.topics))
    assert desk.telegram.topic_texts(topic)[-1] == (
        "💬 Salma: 📎 statuts-cooperative.pdf hadi nmoudaj statuts"
    )


async def test_a_webp_picture_goes_to_whatsapp_as_a_document(desk):
    """WhatsApp shows only JPEG and PNG as images."""
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(24)
    assert (await send_file(desk, session, "logo", webp, "image/webp")).status_code == 200
    await desk.delivered()
    sent = desk.graph.messages[-1]
    assert (sent["type"], sent["document"]["filename"]) == ("document", "logo.webp")


async def test_a_photo_sent_from_the_console_reaches_a_telegram_user_signed(desk):
    await telegram_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    response = await send_file(desk, session, "recu-depot.jpg", JPEG, "image/jpeg")
    await desk.delivered()
    assert response.status_code == 200
    [photo] = desk.telegram.sent("sendPhoto", TELEGRAM_USER)
    assert photo["photo"]["content"] == JPEG
    assert photo["caption"].endswith("recu-depot.jpg")  # the file's name, signed, for a caption


async def test_the_file_appears_in_the_history_and_opens_for_the_advisor(desk):
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    await send_file(desk, session, "attestation.png", PNG, "image/png", "l'attestation")
    history = (await desk.client.get("/admin/handoffs/1", headers=session.reading)).json()
    sent = history["messages"][-1]
    assert (sent["author"], sent["media"], sent["text"]) == ("advisor", "photo", "l'attestation")
    opened = await desk.client.get(sent["file"], headers=session.reading)
    assert opened.content == PNG and opened.headers["content-type"] == "image/png"


async def test_a_file_whose_content_is_not_an_image_or_a_pdf_is_refused_whatever_its_name(desk):
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    page = b"<html><script>alert(1)</script></html>"
    response = await send_file(desk, session, "facture.pdf", page, "application/pdf")
    assert response.status_code == 415
    assert "JPEG, PNG, WebP or PDF" in response.json()["detail"]
    assert desk.graph.uploads == [] and not kept_files(desk.services.settings.data_dir)


async def test_a_photo_too_big_for_whatsapp_is_refused_with_the_limit(desk):
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    big = JPEG + bytes(5 * 1024 * 1024)
    response = await send_file(desk, session, "scan.jpg", big, "image/jpeg")
    assert response.status_code == 413
    assert response.json()["detail"] == "a jpg file is limited to 5 MB"


async def test_an_empty_file_is_refused(desk):
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    response = await send_file(desk, session, "vide.pdf", b"", "application/pdf")
    assert response.status_code == 422 and response.json()["detail"] == "the file is empty"


async def test_a_file_without_the_csrf_token_is_refused(desk):
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    response = await desk.client.post(
        "/admin/handoffs/1/files",
        headers=session.reading,
        files={"file": ("statuts.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 403 and desk.graph.uploads == []


async def test_a_file_for_a_conversation_another_advisor_has_is_refused_and_not_kept(desk):
    await whatsapp_user_asks_an_advisor(desk)
    await in_the_group(desk, 501, KARIMA, "Salam, ana m3ak.")
    session = await advisor_session(desk)
    response = await send_file(desk, session, "statuts.pdf", PDF, "application/pdf")
    assert response.status_code == 409 and "Karima" in response.json()["detail"]
    assert not kept_files(desk.services.settings.data_dir)


async def test_a_file_for_a_closed_conversation_is_refused(desk):
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    await desk.client.post("/admin/handoffs/1/claim", headers=session.writing)
    await desk.client.post("/admin/handoffs/1/close", headers=session.writing)
    response = await send_file(desk, session, "statuts.pdf", PDF, "application/pdf")
    assert response.status_code == 409
    assert not kept_files(desk.services.settings.data_dir)


async def test_a_whatsapp_users_photo_appears_in_the_inbox_and_opens(desk):
    await whatsapp_user_asks_an_advisor(desk)
    await from_whatsapp(desk, image_message("wamid.P1", "hadi l'attestation dyal lbanka"))
    await desk.delivered()
    session = await advisor_session(desk)
    history = (await desk.client.get("/admin/handoffs/1", headers=session.reading)).json()
    photo = history["messages"][-1]
    assert (photo["author"], photo["media"]) == ("user", "photo")
    opened = await desk.client.get(photo["file"], headers=session.reading)
    assert opened.status_code == 200
    assert opened.content == desk.graph.media[IMAGE_MEDIA_ID][0]
    assert opened.headers["content-type"] == "image/jpeg"
    assert opened.headers["content-disposition"].startswith("inline")


async def test_a_telegram_users_photo_is_fetched_from_telegram_when_opened(desk):
    await telegram_user_asks_an_advisor(desk)
    desk.telegram.files["AgACAgQAAxkBAAIB"] = JPEG
    await to_telegram(desk, photo_update(2, TELEGRAM_USER, "AgACAgQAAxkBAAIB", "mon reçu"))
    await desk.delivered()
    session = await advisor_session(desk)
    history = (await desk.client.get("/admin/handoffs/1", headers=session.reading)).json()
    opened = await desk.client.get(history["messages"][-1]["file"], headers=session.reading)
    assert (opened.content, opened.headers["content-type"]) == (JPEG, "image/jpeg")


async def test_a_users_file_that_is_no_image_or_pdf_is_only_downloaded(desk):
    await telegram_user_asks_an_advisor(desk)
    desk.telegram.files["BQACAgQAAxkBAAIC"] = b"<svg onload='alert(1)'/>"
    await to_telegram(desk, photo_update(2, TELEGRAM_USER, "BQACAgQAAxkBAAIC"))
    await desk.delivered()
    session = await advisor_session(desk)
    history = (await desk.client.get("/admin/handoffs/1", headers=session.reading)).json()
    opened = await desk.client.get(history["messages"][-1]["file"], headers=session.reading)
    assert opened.headers["content-type"] == "application/octet-stream"
    assert opened.headers["content-disposition"].startswith("attachment")
    assert opened.headers["content-security-policy"] == "sandbox"


async def test_a_file_no_longer_at_the_channel_is_a_404(desk):
    await telegram_user_asks_an_advisor(desk)
    await to_telegram(desk, photo_update(2, TELEGRAM_USER, "AgACgone"))
    await desk.delivered()
    session = await advisor_session(desk)
    history = (await desk.client.get("/admin/handoffs/1", headers=session.reading)).json()
    opened = await desk.client.get(history["messages"][-1]["file"], headers=session.reading)
    assert opened.status_code == 404 and "no longer available" in opened.json()["detail"]


async def test_erasing_the_users_data_deletes_the_files_sent_to_them(desk):
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    await send_file(desk, session, "statuts.pdf", PDF, "application/pdf")
    await desk.delivered()
    assert len(kept_files(desk.services.settings.data_dir)) == 1
    await from_whatsapp(desk, button_reply("wamid.E1", "privacy:erase"))
    async with desk.services.db.transaction() as db:
        assert (await db.scalars(select(HandoffEvent))).all() == []
    assert kept_files(desk.services.settings.data_dir) == []


async def test_a_web_chat_visitor_gets_a_link_to_the_pdf_that_only_their_session_opens(desk):
    amina = await WebVisitor(desk).arrive()
    await amina.say("salam")
    await amina.tap("lang:ary")
    await amina.say("بغيت نهضر مع شي مستشار")
    await amina.say("عندي مشكل فالملف ديال انطلاقة، البنكة ما بغاتش تجاوبني")
    session = await advisor_session(desk)
    sent_file = await send_file(desk, session, "انطلاقة.pdf", PDF, "application/pdf")
    assert sent_file.status_code == 200
    history = (await desk.client.get("/web/history", headers=amina.headers)).json()
    sent = history["messages"][-1]
    assert sent["text"].endswith("انطلاقة.pdf") and sent["file"]["kind"] == "document"
    opened = await desk.client.get(sent["file"]["src"], params={"token": amina.token})
    assert (opened.content, opened.headers["content-type"]) == (PDF, "application/pdf")
    stranger = await WebVisitor(desk).arrive()
    refused = await desk.client.get(sent["file"]["src"], params={"token": stranger.token})
    assert refused.status_code == 404


def posted_in_topic(desk, update_id: int, caption: str = "", **file: object) -> dict:
    """Karima posts a file (`photo=[…]`, `document={…}`, `voice={…}`) in the user's topic."""
    thread = next(iter(desk.telegram.topics))
    update = group_update(update_id, GROUP, thread, KARIMA, "")
    del update["message"]["text"]
    update["message"] |= file | ({"caption": caption} if caption else {})
    return update


def photo_sizes(file_id: str) -> list[dict]:
    return [
        {"file_id": f"{file_id}-s", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": file_id, "file_unique_id": "p", "width": 1280, "height": 960, "file_size": 210},
    ]


async def test_a_photo_an_advisor_posts_in_the_topic_reaches_the_whatsapp_user_captioned(desk):
    await whatsapp_user_asks_an_advisor(desk)
    desk.telegram.files["AgAC-formulaire"] = JPEG
    photo = posted_in_topic(desk, 971, "hak l formulaire", photo=photo_sizes("AgAC-formulaire"))
    await to_telegram(desk, photo)
    await desk.delivered()
    image = desk.graph.messages[-1]
    assert image["type"] == "image"
    assert (
        image["image"]["caption"].endswith("hak l formulaire")
        and "Karima" in image["image"]["caption"]
    )
    assert desk.graph.uploaded[image["image"]["id"]]["content"] == JPEG


async def test_a_pdf_an_advisor_posts_reaches_a_telegram_user_as_a_document(desk):
    await telegram_user_asks_an_advisor(desk)
    desk.telegram.files["BQAC-statuts"] = PDF
    document = {"file_id": "BQAC-statuts", "file_unique_id": "d", "file_name": "statuts.pdf"}
    await to_telegram(desk, posted_in_topic(desk, 972, document=document | {"file_size": 90}))
    await desk.delivered()
    [sent] = desk.telegram.sent("sendDocument", TELEGRAM_USER)
    assert sent["document"]["content"] == PDF
    assert sent["caption"].endswith("statuts.pdf")  # no caption: the file's name, signed


async def test_a_voice_note_an_advisor_posts_is_not_sent_and_the_advisor_is_told(desk):
    await whatsapp_user_asks_an_advisor(desk)
    voice = {"file_id": "AwAC-voice", "file_unique_id": "v", "duration": 4}
    await to_telegram(desk, posted_in_topic(desk, 973, voice=voice))
    await desk.delivered()
    thread = next(iter(desk.telegram.topics))
    assert desk.telegram.topic_texts(thread)[-1].startswith("⚠️ Seuls les photos")
    assert desk.graph.messages[-1]["type"] != "audio" and not desk.graph.uploaded


async def test_a_file_too_large_for_the_user_is_refused_without_being_fetched(desk):
    await whatsapp_user_asks_an_advisor(desk)
    big = {"file_id": "BQAC-big", "file_unique_id": "b", "file_name": "plan.pdf"}
    await to_telegram(desk, posted_in_topic(desk, 974, document=big | {"file_size": 20_000_000}))
    await desk.delivered()
    thread = next(iter(desk.telegram.topics))
    assert "10 Mo" in desk.telegram.topic_texts(thread)[-1]
    assert desk.telegram.sent("getFile") == []


async def test_a_word_file_is_refused_by_its_content_and_not_kept(desk):
    await whatsapp_user_asks_an_advisor(desk)
    desk.telegram.files["BQAC-docx"] = b"PK\x03\x04" + bytes(64)  # a .docx is a zip
    docx = {"file_id": "BQAC-docx", "file_unique_id": "w", "file_name": "statuts.pdf"}
    await to_telegram(desk, posted_in_topic(desk, 975, "chof had lwatiqa", document=docx))
    await desk.delivered()
    thread = next(iter(desk.telegram.topics))
    assert desk.telegram.topic_texts(thread)[-1].startswith("⚠️")
    assert not any("lwatiqa" in text for text in desk.graph.texts())
    assert kept_files(desk.services.settings.data_dir) == []


async def test_a_photo_posted_twice_by_a_redelivery_is_sent_and_kept_once(desk):
    await whatsapp_user_asks_an_advisor(desk)
    desk.telegram.files["AgAC-recu"] = JPEG
    photo = posted_in_topic(desk, 976, "lwasl", photo=photo_sizes("AgAC-recu"))
    await to_telegram(desk, photo)
    await to_telegram(desk, photo)  # Telegram delivers the update again
    await desk.delivered()
    assert [m["type"] for m in desk.graph.messages].count("image") == 1
    assert len(kept_files(desk.services.settings.data_dir)) == 1


async def closed_days_ago(desk, days: int) -> None:
    async with desk.services.db.transaction() as db:
        await db.execute(
            update(Handoff).values(status="closed", closed_at=utcnow() - timedelta(days=days))
        )


async def retention_runs_after_a_pdf_was_sent_in_a_handoff_closed(desk, days_ago: int) -> None:
    await whatsapp_user_asks_an_advisor(desk)
    session = await advisor_session(desk)
    await send_file(desk, session, "statuts.pdf", PDF, "application/pdf")
    await desk.delivered()
    await closed_days_ago(desk, days_ago)
    settings = desk.services.settings
    retention = timedelta(days=settings.message_retention_days)
    await purge_old_data(desk.services.db, settings.data_dir, retention)


async def test_retention_forgets_a_long_closed_handoff_and_the_files_sent_in_it(desk):
    await retention_runs_after_a_pdf_was_sent_in_a_handoff_closed(desk, days_ago=400)
    async with desk.services.db.transaction() as db:
        assert (await db.scalars(select(HandoffEvent))).all() == []
        assert (await db.scalars(select(Handoff))).all() == []
    assert kept_files(desk.services.settings.data_dir) == []


async def test_retention_keeps_a_handoff_closed_within_the_period_with_its_files(desk):
    await retention_runs_after_a_pdf_was_sent_in_a_handoff_closed(desk, days_ago=30)
    async with desk.services.db.transaction() as db:
        assert len((await db.scalars(select(Handoff))).all()) == 1
        events = await db.scalars(select(HandoffEvent).order_by(HandoffEvent.id))
        assert [e.attachment is not None for e in events] == [False, True]  # question, PDF
    assert len(kept_files(desk.services.settings.data_dir)) == 1
