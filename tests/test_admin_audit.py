"""`GET /admin/audit`: admins see who changed what, newest first, page by page."""

import copy

import pytest

from tests.desk import whatsapp_user_asks_an_advisor
from tests.test_admin_api import item, token
from tests.test_advisor_api import token as advisor_token

pytestmark = pytest.mark.store


async def edit_title(service, headers, title: str) -> None:
    current = await item(service, headers, "create.members")
    changed = copy.deepcopy(current["item"])
    changed["title"]["fr"] = title
    response = await service.client.put(
        "/admin/content/create.members",
        headers=headers,
        json={"file": current["file"], "item": changed},
    )
    assert response.status_code == 200


async def test_a_content_edit_and_a_ready_answer_appear_with_their_author(service):
    khadija = await token(service, "editor", name="Khadija")
    await edit_title(service, khadija, "Les membres")
    await service.client.put(
        "/admin/canned/merci",
        headers=khadija,
        json={"fr": "Merci {name} !", "ar": "شكرا {name}!", "ary": "شكرا بزاف {name}!"},
    )
    admin = await token(service, "admin", name="Samir")
    page = (await service.client.get("/admin/audit?actor=Khadija", headers=admin)).json()
    latest = [(e["actor"], e["action"], e["target"]) for e in page["entries"][:2]]
    assert latest == [
        ("Khadija", "canned.save", "merci"),
        ("Khadija", "content.update", "create.members"),
    ]


async def test_the_audit_is_filtered_by_actor_and_by_action_or_its_prefix(service):
    khadija = await token(service, "editor", name="Khadija")
    youssef = await token(service, "editor", name="Youssef")
    await edit_title(service, khadija, "Membres (1)")
    await edit_title(service, youssef, "Membres (2)")
    admin = await token(service, "admin", name="Samir")
    by_youssef = await service.client.get("/admin/audit?actor=Youssef", headers=admin)
    assert [e["target"] for e in by_youssef.json()["entries"]] == ["create.members"]
    content = await service.client.get("/admin/audit?action=content.", headers=admin)
    assert {e["action"] for e in content.json()["entries"]} <= {"content.update", "content.import"}
    exact = await service.client.get("/admin/audit?action=content.update", headers=admin)
    assert [e["actor"] for e in exact.json()["entries"]] == ["Youssef", "Khadija"]


async def test_the_audit_is_read_page_by_page(service):
    editor = await token(service, "editor", name="Khadija")
    for n in range(3):
        await edit_title(service, editor, f"Membres {n}")
    admin = await token(service, "admin", name="Samir")
    first = (await service.client.get("/admin/audit?limit=2&actor=Khadija", headers=admin)).json()
    second = (
        await service.client.get(
            f"/admin/audit?limit=2&actor=Khadija&offset={first['next_offset']}", headers=admin
        )
    ).json()
    assert [len(first["entries"]), len(second["entries"])] == [2, 1]
    assert second["next_offset"] is None
    assert first["entries"][0]["id"] > first["entries"][1]["id"] > second["entries"][0]["id"]


async def test_only_admins_read_the_audit(service):
    editor = await token(service, "editor")
    response = await service.client.get("/admin/audit", headers=editor)
    assert response.status_code == 403


async def test_an_advisors_claim_and_close_through_the_api_are_in_the_audit(desk):
    await whatsapp_user_asks_an_advisor(desk)
    salma = await advisor_token(desk, name="Salma")
    await desk.client.post("/admin/handoffs/1/claim", headers=salma)
    await desk.client.post("/admin/handoffs/1/close", headers=salma)
    admin = await advisor_token(desk, role="admin", name="Samir")
    page = (await desk.client.get("/admin/audit?action=handoff.", headers=admin)).json()
    assert [(e["actor"], e["action"], e["target"]) for e in page["entries"]] == [
        ("Salma", "handoff.close", "1"),
        ("Salma", "handoff.claim", "1"),
    ]
