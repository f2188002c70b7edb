"""The advisors' API (role `advisor`): the same queue and rules as the Telegram group."""

from datetime import timedelta

import pytest

from bot import admin_tokens
from bot.clock import utcnow
from bot.store.models import Handoff
from tests.desk import (
    GROUP,
    KARIMA,
    from_whatsapp,
    in_the_group,
    whatsapp_user_asks_an_advisor,
)
from tests.fakes.whatsapp_api import button_reply, text_message

pytestmark = pytest.mark.store


async def token(desk, role: str = "advisor", name: str = "Salma") -> dict[str, str]:
    async with desk.services.db.transaction() as session:
        _row, secret = await admin_tokens.create(session, name=name, role=role)
    return {"Authorization": f"Bearer {secret}"}


async def test_an_advisor_lists_the_waiting_requests_and_reads_one_with_its_messages(desk):
    await whatsapp_user_asks_an_advisor(desk)
    headers = await token(desk)
    listed = (await desk.client.get("/admin/handoffs?status=waiting", headers=headers)).json()
    assert [(h["id"], h["language"], h["channel"], h["user_name"]) for h in listed] == [
        (1, "ary-Latn", "whatsapp", "Fatima")
    ]
    one = (await desk.client.get("/admin/handoffs/1", headers=headers)).json()
    assert "bghit nhder m3a chi mostachar" in one["summary"]
    assert one["description"].endswith("lbanka ma bghatch tjawbni")
    assert [(m["author"], m["text"]) for m in one["messages"]] == [
        ("user", "3ndi mochkil f dossier dyal intilaka, lbanka ma bghatch tjawbni")
    ]


async def test_a_reply_through_the_api_reaches_the_user_and_is_copied_to_the_topic(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    headers = await token(desk)
    response = await desk.client.post(
        "/admin/handoffs/1/reply", headers=headers, json={"text": "Salam, ghadi n3aytlk ghda."}
    )
    await desk.delivered()
    assert response.status_code == 200 and response.json()["status"] == "claimed"
    assert desk.graph.texts()[-1].endswith("Salam, ghadi n3aytlk ghda.")
    assert "Salma" not in desk.graph.texts()[-1]
    assert desk.telegram.topic_texts(thread)[-1] == "💬 Salma: Salam, ghadi n3aytlk ghda."


async def test_a_request_claimed_in_the_group_cannot_be_answered_through_the_api(desk):
    await whatsapp_user_asks_an_advisor(desk)
    await in_the_group(desk, 501, KARIMA, "Salam, ana m3ak.")
    headers = await token(desk)
    reply = await desk.client.post(
        "/admin/handoffs/1/reply", headers=headers, json={"text": "Salam!"}
    )
    claim = await desk.client.post("/admin/handoffs/1/claim", headers=headers)
    assert (reply.status_code, claim.status_code) == (409, 409)
    assert "Karima" in reply.json()["detail"]


async def test_claim_then_close_through_the_api_asks_the_user_for_a_rating(desk):
    await whatsapp_user_asks_an_advisor(desk)
    headers = await token(desk)
    assert (await desk.client.post("/admin/handoffs/1/claim", headers=headers)).status_code == 200
    closed = await desk.client.post("/admin/handoffs/1/close", headers=headers)
    await desk.delivered()
    assert closed.json()["status"] == "closed"
    assert desk.graph.interactive()[-1]["action"]["sections"][0]["rows"][0]["id"] == "rate:1:1"
    again = await desk.client.post("/admin/handoffs/1/reply", headers=headers, json={"text": "?"})
    assert again.status_code == 409


async def test_notes_are_kept_and_not_sent_to_the_user(desk):
    await whatsapp_user_asks_an_advisor(desk)
    headers = await token(desk)
    await desk.client.post(
        "/admin/handoffs/1/notes",
        headers=headers,
        json={"text": "3ndha rendez-vous f la délégation"},
    )
    await desk.delivered()
    one = (await desk.client.get("/admin/handoffs/1", headers=headers)).json()
    assert one["messages"][-1]["author"] == "note"
    assert not any("rendez-vous" in text for text in desk.graph.texts())


async def test_a_canned_answer_edited_by_an_editor_is_sent_in_the_users_language(desk):
    thread = await whatsapp_user_asks_an_advisor(desk)
    editor = await token(desk, "editor", "Nadia")
    texts = {
        "fr": "Bonjour {name}, merci.",
        "ar": "مرحبا {name}، شكرا.",
        "ary": "سلام {name}، شكرا بزاف.",
    }
    saved = await desk.client.put("/admin/canned/merci", headers=editor, json=texts)
    assert saved.status_code == 200
    await in_the_group(desk, 511, KARIMA, "/canned")
    await in_the_group(desk, 512, KARIMA, "/canned merci")
    await desk.delivered()
    assert any(
        "/canned merci — Bonjour {name}, merci." in text
        for text in desk.telegram.topic_texts(thread)
    )
    assert desk.graph.texts()[-1].endswith("سلام Fatima، شكرا بزاف.")


async def test_the_seeded_canned_answers_exist_in_four_languages(desk):
    listed = (await desk.client.get("/admin/canned", headers=await token(desk))).json()
    assert {"hello", "details", "goodbye"} <= set(listed)
    assert all(set(texts) == {"fr", "ar", "ary", "ary-Latn"} for texts in listed.values())


async def test_an_edited_canned_answer_keeps_its_latin_darija_text(desk):
    editor = await token(desk, "editor", "Nadia")
    texts = {
        "fr": "Merci {name}.",
        "ar": "شكرا {name}.",
        "ary": "شكرا {name}.",
        "ary-Latn": "Choukran {name}.",
    }
    assert (await desk.client.put("/admin/canned/merci", headers=editor, json=texts)).is_success
    listed = (await desk.client.get("/admin/canned", headers=editor)).json()
    assert listed["merci"] == texts


async def test_an_unknown_canned_answer_is_refused_with_the_list_command(desk):
    await whatsapp_user_asks_an_advisor(desk)
    await in_the_group(desk, 521, KARIMA, "/canned nope")
    await desk.delivered()
    assert "/canned" in desk.telegram.topic_texts(next(iter(desk.telegram.topics)))[-1]


async def test_an_admin_registers_an_advisor_who_can_then_answer_in_the_group(desk):
    admin = await token(desk, "admin", "Admin")
    created = await desk.client.post(
        "/admin/advisors", headers=admin, json={"telegram_user_id": 4242, "public_name": "Hind"}
    )
    twice = await desk.client.post(
        "/admin/advisors", headers=admin, json={"telegram_user_id": 4242}
    )
    assert (created.status_code, twice.status_code) == (201, 409)
    await whatsapp_user_asks_an_advisor(desk)
    await in_the_group(desk, 531, 4242, "Salam, ana Hind.")
    await desk.delivered()
    assert desk.graph.texts()[-1].startswith("Hind")
    assert (await desk.client.delete("/admin/advisors/4242", headers=admin)).status_code == 200


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed"),
    [
        ("advisor", "GET", "/admin/handoffs", True),
        ("editor", "GET", "/admin/handoffs", False),
        ("advisor", "GET", "/admin/advisors", False),
        ("advisor", "PUT", "/admin/canned/x", False),
        ("advisor", "GET", "/admin/canned", True),
        ("advisor", "GET", "/admin/content", False),
    ],
)
async def test_the_advisor_role_reaches_the_queue_and_nothing_of_the_editors(
    desk, role, method, path, allowed
):
    body = {"fr": "a", "ar": "b", "ary": "c"} if method == "PUT" else None
    response = await desk.client.request(method, path, headers=await token(desk, role), json=body)
    assert (response.status_code != 403) is allowed


async def test_an_unknown_handoff_is_a_404_and_an_empty_reply_a_422(desk):
    headers = await token(desk)
    missing = await desk.client.post(
        "/admin/handoffs/77/reply", headers=headers, json={"text": "Salam"}
    )
    empty = await desk.client.post("/admin/handoffs/77/reply", headers=headers, json={"text": ""})
    assert (missing.status_code, empty.status_code) == (404, 422)


async def test_insights_count_handoffs_and_how_fast_advisors_answered(desk):
    await whatsapp_user_asks_an_advisor(desk)
    async with desk.services.db.transaction() as session:
        handoff = await session.get(Handoff, 1)
        handoff.expected_from = utcnow() - timedelta(minutes=30)
    await in_the_group(desk, 541, KARIMA, "Salam, sm7 lia 3la ta2khir.")
    await in_the_group(desk, 542, KARIMA, "/close")
    await from_whatsapp(desk, button_reply("wamid.R1", "rate:1:4"))
    editor = await token(desk, "editor", "Nadia")
    data = (await desk.client.get("/admin/insights", headers=editor)).json()
    summary = data["handoff_summary"]
    assert (summary["requests"], summary["answered"], summary["ratings"]) == (1, 1, 1)
    assert 29.9 <= summary["first_response_minutes_median"] <= 31
    assert summary["rating_average"] == 4
    csv_text = (await desk.client.get("/admin/insights/handoffs.csv", headers=editor)).text
    assert csv_text.splitlines()[0] == (
        "day,requests,answered,left_by_user,first_response_minutes_median"
    )


async def test_the_desk_status_shows_posts_waiting_for_an_unreachable_group(desk):
    desk.telegram.unreachable_chats.add(str(GROUP))
    await from_whatsapp(
        desk,
        text_message("wamid.S1", "bghit nhder m3a chi mostachar, 3ndi mochkil f l'inscription"),
    )
    await desk.delivered()
    status = (await desk.client.get("/admin/desk", headers=await token(desk))).json()
    assert status["group_configured"] and status["posts_waiting"] >= 1
    assert "GroupUnreachable" in status["last_error"]
    assert status["oldest_waiting_minutes"] >= 0
