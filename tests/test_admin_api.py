"""The admin API as editors and admins use it, and what it refuses."""

import copy

import pytest

from bot import admin_tokens
from tests.fakes.telegram_api import text_update
from tests.service import TELEGRAM_SECRET


async def token(service, role: str, name: str = "Khadija") -> dict[str, str]:
    async with service.services.db.transaction() as session:
        _row, secret = await admin_tokens.create(session, name=name, role=role)
    return {"Authorization": f"Bearer {secret}"}


async def item(service, headers, item_id="create.step.court"):
    return (await service.client.get(f"/admin/content/{item_id}", headers=headers)).json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/content"),
        ("GET", "/admin/content/create.overview"),
        ("PUT", "/admin/content/x.y"),
        ("DELETE", "/admin/content/x.y"),
        ("GET", "/admin/content/x.y/versions"),
        ("POST", "/admin/content/versions/1/rollback"),
        ("GET", "/admin/tokens"),
        ("POST", "/admin/tokens"),
        ("DELETE", "/admin/tokens/1"),
        ("DELETE", "/admin/users/telegram/1"),
        ("GET", "/admin/insights"),
        ("GET", "/admin/insights/daily.csv"),
    ],
)
async def test_every_admin_route_refuses_a_missing_or_wrong_token_with_401(service, method, path):
    missing = await service.client.request(method, path)
    wrong = await service.client.request(method, path, headers={"Authorization": "Bearer nope"})
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert "detail" in missing.json()


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        ("advisor", "/admin/content", False),
        ("editor", "/admin/content", True),
        ("admin", "/admin/content", True),
        ("editor", "/admin/tokens", False),
        ("admin", "/admin/tokens", True),
        ("advisor", "/admin/insights", False),
        ("editor", "/admin/insights", True),
    ],
)
async def test_each_role_reaches_only_its_routes(service, role, path, allowed):
    response = await service.client.get(path, headers=await token(service, role))
    assert response.status_code == (200 if allowed else 403)


async def test_an_editor_changes_an_answer_and_the_bot_says_it_at_once(service):
    editor = await token(service, "editor")
    current = await item(service, editor)
    changed = copy.deepcopy(current["item"])
    changed["text"]["fr"] = "Étape 5 : dépôt au tribunal de première instance (texte revu)."
    response = await service.client.put(
        "/admin/content/create.step.court",
        headers=editor,
        json={"file": current["file"], "item": changed},
    )
    assert response.status_code == 200
    await service.client.post(
        "/telegram/webhook",
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        json=text_update(1, 77, "Bonjour, où déposer le dossier de la coopérative ?"),
    )
    await service.delivered()
    assert any("texte revu" in t for t in service.telegram.texts(77))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda i: i["text"].pop("ary"), "text.ary"),
        (lambda i: i.update(sources=["S999"]), "S999"),
        (lambda i: i["text"].update(fr="x" * 800), "text.fr has 800 characters"),
        (lambda i: i.update(next=["nowhere.item"]), "nowhere.item"),
    ],
)
async def test_invalid_content_is_refused_with_422_naming_the_field(service, change, field):
    editor = await token(service, "editor")
    current = await item(service, editor)
    broken = copy.deepcopy(current["item"])
    change(broken)
    response = await service.client.put(
        "/admin/content/create.step.court",
        headers=editor,
        json={"file": current["file"], "item": broken},
    )
    assert response.status_code == 422
    assert field in response.json()["detail"]


async def test_every_change_is_versioned_and_can_be_rolled_back(service):
    editor = await token(service, "editor", name="Youssef")
    original = await item(service, editor)
    edited = copy.deepcopy(original["item"])
    edited["title"]["fr"] = "Au tribunal"
    await service.client.put(
        "/admin/content/create.step.court",
        headers=editor,
        json={"file": original["file"], "item": edited},
    )
    versions = (
        await service.client.get("/admin/content/create.step.court/versions", headers=editor)
    ).json()
    last = versions[-1]
    assert (last["action"], last["actor"], last["after"]["title"]["fr"]) == (
        "update",
        "Youssef",
        "Au tribunal",
    )
    rolled = await service.client.post(
        f"/admin/content/versions/{last['version']}/rollback", headers=editor
    )
    assert rolled.json()["action"] == "rollback"
    assert (await item(service, editor))["item"]["title"] == original["item"]["title"]


async def test_a_new_item_can_be_created_then_deleted(service):
    editor = await token(service, "editor")
    new = copy.deepcopy((await item(service, editor))["item"])
    new.pop("intents", None)
    new["next"] = []
    created = await service.client.put(
        "/admin/content/create.step.extra",
        headers=editor,
        json={"file": "create_cooperative.yaml", "item": new},
    )
    assert created.json()["action"] == "create"
    deleted = await service.client.delete("/admin/content/create.step.extra", headers=editor)
    assert deleted.status_code == 200
    missing = await service.client.get("/admin/content/create.step.extra", headers=editor)
    assert missing.status_code == 404


async def test_an_item_other_items_link_to_cannot_be_deleted(service):
    editor = await token(service, "editor")
    response = await service.client.delete("/admin/content/create.step.court", headers=editor)
    assert response.status_code == 409


async def test_tokens_are_created_once_listed_and_revoked(service):
    admin = await token(service, "admin", name="root")
    created = await service.client.post(
        "/admin/tokens", headers=admin, json={"name": "Advisor Fès", "role": "advisor"}
    )
    assert created.status_code == 201 and created.json()["token"].startswith("fadaa_")
    listed = (await service.client.get("/admin/tokens", headers=admin)).json()
    assert "token" not in listed[-1] and listed[-1]["name"] == "Advisor Fès"
    await service.client.delete(f"/admin/tokens/{created.json()['id']}", headers=admin)
    refused = await service.client.get(
        "/admin/insights", headers={"Authorization": f"Bearer {created.json()['token']}"}
    )
    assert refused.status_code == 401


async def test_a_token_over_its_rate_is_told_to_wait(service):
    editor = await token(service, "editor")
    service.client._transport.app.state.rate_limiter.per_minute = 3
    codes = [
        (await service.client.get("/admin/content", headers=editor)).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


async def test_insights_show_unanswered_questions_and_export_csv(service):
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    for update_id, text in ((1, "Bonjour"), (2, "qui a gagné le match du Wydad ?")):
        await service.client.post(
            "/telegram/webhook", headers=headers, json=text_update(update_id, 88, text)
        )
    editor = await token(service, "editor")
    data = (await service.client.get("/admin/insights", headers=editor)).json()
    assert any("Wydad" in row["text"] for row in data["unanswered"])
    assert data["daily"][0]["messages"] >= 2
    csv_text = (await service.client.get("/admin/insights/unanswered.csv", headers=editor)).text
    assert csv_text.splitlines()[0] == "text,language,date"


async def test_an_admin_erases_a_user_on_request(service):
    await service.client.post(
        "/telegram/webhook",
        json=text_update(1, 99, "salam"),
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    admin = await token(service, "admin")
    first = await service.client.delete("/admin/users/telegram/99", headers=admin)
    again = await service.client.delete("/admin/users/telegram/99", headers=admin)
    assert (first.status_code, again.status_code) == (200, 404)


@pytest.mark.parametrize("table", ["unanswered", "daily", "intents", "handoffs", "funnels"])
async def test_an_empty_insights_table_is_a_csv_with_its_header_not_a_404(service, table):
    editor = await token(service, "editor")
    response = await service.client.get(f"/admin/insights/{table}.csv", headers=editor)
    assert response.status_code == 200
    assert len(response.text.splitlines()) == 1 and "," in response.text


async def test_an_unknown_insights_table_is_a_404(service):
    editor = await token(service, "editor")
    response = await service.client.get("/admin/insights/nope.csv", headers=editor)
    assert response.status_code == 404
