"""Capsules: uploaded by an editor, browsed by users, sent as native videos."""

from pathlib import Path

from bot import admin_tokens
from tests.fakes.telegram_api import button_update, text_update
from tests.fakes.whatsapp_api import button_reply, signed, text_message, webhook
from tests.service import TELEGRAM_SECRET

SAMPLE = Path(__file__).parent.parent / "bot" / "content" / "capsules" / "sample.mp4"
TG = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
CAPSULE = {
    "title": {"fr": "L'AG en 2 minutes", "ar": "الجمع العام في دقيقتين", "ary": "الجمع العام"},
    "caption": {
        "fr": "Comment tenir l'assemblée générale annuelle.",
        "ar": "كيف يُعقد الجمع العام السنوي.",
        "ary": "كيفاش كيتدار الجمع العام.",
    },
    "tags": ["general_assembly"],
    "duration_seconds": 120,
}


async def editor(service) -> dict[str, str]:
    async with service.services.db.transaction() as session:
        _row, secret = await admin_tokens.create(session, name="Salma", role="editor")
    return {"Authorization": f"Bearer {secret}"}


async def upload(service, headers) -> None:
    put = await service.client.put("/admin/capsules/ag-2min", headers=headers, json=CAPSULE)
    assert put.status_code == 200
    video = await service.client.post(
        "/admin/capsules/ag-2min/video",
        headers=headers,
        files={"video": ("ag.mp4", SAMPLE.read_bytes(), "video/mp4")},
    )
    assert video.status_code == 200


async def test_only_the_marked_sample_is_listed_before_odco_loads_capsules(service):
    headers = await editor(service)
    listed = (await service.client.get("/admin/capsules", headers=headers)).json()
    assert [(c["id"], c["sample"]) for c in listed] == [("sample", True)]


async def test_an_uploaded_capsule_reaches_telegram_as_a_video_then_by_file_id(service):
    await upload(service, await editor(service))
    for update_id, chat in ((1, 501), (2, 502)):
        await service.client.post(
            "/telegram/webhook", headers=TG, json=text_update(update_id, chat, "salam")
        )
        await service.client.post(
            "/telegram/webhook", headers=TG, json=button_update(update_id + 10, chat, "lang:fr")
        )
        await service.client.post(
            "/telegram/webhook",
            headers=TG,
            json=button_update(update_id + 20, chat, "capsule:ag-2min"),
        )
        await service.delivered()
    first, second = service.telegram.sent("sendVideo")
    assert not isinstance(first["video"], str)  # the file itself, uploaded
    assert second["video"].startswith("BAAC")  # the file_id Telegram gave the first upload
    assert "assemblée générale" in first["caption"]


async def test_an_uploaded_capsule_reaches_whatsapp_as_a_video_uploaded_once(service):
    await upload(service, await editor(service))
    for n, bsuid in enumerate(("MA.1000000000001", "MA.1000000000002")):
        for message in (
            text_message(f"wamid.{n}a", "salam"),
            button_reply(f"wamid.{n}b", "lang:ary"),
            button_reply(f"wamid.{n}c", "capsule:ag-2min"),
        ):
            body, headers = signed(webhook(message, bsuid=bsuid, wa_id=None))
            await service.client.post("/whatsapp/webhook", content=body, headers=headers)
        await service.delivered()
    videos = [video_of(m) for m in service.graph.messages if video_of(m)]
    assert [v["id"] for v in videos] == ["1013859600285441"] * 2
    assert len(service.graph.uploads) == 1


async def test_an_answer_about_the_assembly_suggests_the_capsule(service):
    await upload(service, await editor(service))
    await service.client.post("/telegram/webhook", headers=TG, json=text_update(1, 503, "salam"))
    await service.client.post(
        "/telegram/webhook", headers=TG, json=button_update(2, 503, "lang:fr")
    )
    await service.client.post(
        "/telegram/webhook",
        headers=TG,
        json=text_update(3, 503, "Quand faut-il tenir l'assemblée générale de la coopérative ?"),
    )
    await service.delivered()
    keyboard = service.telegram.sent(chat_id=503)[-1]["reply_markup"]["inline_keyboard"]
    assert "capsule:ag-2min" in [button["callback_data"] for row in keyboard for button in row]


async def test_an_upload_that_is_not_an_mp4_is_refused(service):
    headers = await editor(service)
    await service.client.put("/admin/capsules/ag-2min", headers=headers, json=CAPSULE)
    response = await service.client.post(
        "/admin/capsules/ag-2min/video",
        headers=headers,
        files={"video": ("x.mp4", b"not a video", "video/mp4")},
    )
    assert response.status_code == 422


async def test_unknown_tags_are_refused(service):
    headers = await editor(service)
    response = await service.client.put(
        "/admin/capsules/x", headers=headers, json=CAPSULE | {"tags": ["football"]}
    )
    assert response.status_code == 422 and "football" in response.json()["detail"]


def video_of(message: dict) -> dict | None:
    """A native video: alone, or as the header of a message with reply buttons."""
    if message["type"] == "video":
        return message["video"]
    return message.get("interactive", {}).get("header", {}).get("video")


async def test_the_service_keeps_its_files_in_its_data_directory_not_the_working_one(
    tmp_path, monkeypatch
):
    """The suite used to leave data/capsules/ in the repository root."""
    from tests.conftest import database_url, empty_database
    from tests.service import channel_settings, running_service

    monkeypatch.chdir(tmp_path)
    (tmp_path / "db").mkdir()
    settings = channel_settings(database_url(tmp_path / "db"))
    await (await empty_database(settings.resolved_database_url)).dispose()
    async with running_service(settings):
        pass
    assert (settings.data_dir / "capsules" / "sample.mp4").is_file()
    assert not (tmp_path / "data").exists()


async def test_users_never_see_the_technical_sample_but_what_is_known_of_the_series(service):
    await service.client.post("/telegram/webhook", headers=TG, json=text_update(1, 504, "salam"))
    taps = ("lang:fr", "intent:watch_capsules", "capsule:sample")
    for update_id, payload in enumerate(taps, start=2):
        await service.client.post(
            "/telegram/webhook", headers=TG, json=button_update(update_id, 504, payload)
        )
    await service.delivered()
    sent = service.telegram.sent(chat_id=504)
    buttons = [b["callback_data"] for m in sent for row in _keyboard(m) for b in row]
    assert "capsule:sample" not in buttons
    assert any("2M" in m.get("text", "") and "Ramadan 2020" in m.get("text", "") for m in sent)
    assert not service.telegram.sent("sendVideo")


def _keyboard(message: dict) -> list[list[dict]]:
    return message.get("reply_markup", {}).get("inline_keyboard", [])
