"""Editors export the live content as YAML files and import edited files back, first as a dry
run that says what would change, then applied as versions, as `fadaa content import` does."""

import io
import zipfile
from datetime import datetime

import pytest
import yaml

from bot.content import files
from tests.fakes.telegram_api import text_update
from tests.service import TELEGRAM_SECRET
from tests.test_admin_api import token

pytestmark = pytest.mark.store

MEMBERS_ARY = "باش تديرو تعاونية، خاصكم تكونو على الأقل خمسة (5) ديال الأعضاء، وحتى واحد ما يفوت."
SEVEN_FOUNDERS_ARY = "خاصكم 7 ديال الأعضاء باش تأسسو التعاونية."


async def exported(service, editor, file="create_cooperative.yaml") -> dict:
    response = await service.client.get(f"/admin/content-files/{file}", headers=editor)
    assert response.status_code == 200
    return yaml.safe_load(response.text)


def as_upload(data: dict | str, name="create_cooperative.yaml") -> dict:
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    return {"upload": (name, text.encode("utf-8"), "application/yaml")}


async def check(service, editor, upload: dict):
    return await service.client.post("/admin/content-files/check", headers=editor, files=upload)


async def test_the_export_reimported_changes_nothing(service):
    editor = await token(service, "editor", name="Nadia")
    archive = await service.client.get("/admin/content-files/export.zip", headers=editor)
    assert archive.headers["content-type"] == "application/zip"
    assert "attachment" in archive.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "create_cooperative.yaml" in names and "sources.yaml" not in names
    upload = {"upload": ("fadaa-contenus.zip", archive.content, "application/zip")}
    report = (await check(service, editor, upload)).json()
    assert (report["added"], report["changed"]) == (0, 0)
    assert report["unchanged"] == len(service.services.engine.content.items)
    assert report["languages"] == {"fr": 0, "ar": 0, "ary": 0, "ary-Latn": 0}
    applied = await service.client.post("/admin/content-files/import", headers=editor, files=upload)
    assert applied.json()["applied"] and applied.json()["revision"] == report["revision"]


async def test_the_file_list_counts_the_items_of_each_topic(service):
    editor = await token(service, "editor")
    listed = (await service.client.get("/admin/content-files", headers=editor)).json()
    counts = {entry["file"]: entry["items"] for entry in listed}
    assert counts["create_cooperative.yaml"] == sum(
        item.file == "create_cooperative.yaml"
        for item in service.services.engine.content.items.values()
    )
    missing = await service.client.get("/admin/content-files/nowhere.yaml", headers=editor)
    assert missing.status_code == 404


async def test_a_dry_run_shows_the_darija_change_and_the_import_makes_it_live(service):
    editor = await token(service, "editor", name="Nadia")
    data = await exported(service, editor)
    data["items"]["create.members"]["text"]["ary"] = MEMBERS_ARY
    dry = (await check(service, editor, as_upload(data))).json()
    assert (dry["applied"], dry["changed"], dry["added"]) == (False, 1, 0)
    assert dry["languages"] == {"fr": 0, "ar": 0, "ary": 1, "ary-Latn": 0}
    (members,) = [i for i in dry["items"] if i["status"] == "changed"]
    assert (members["id"], members["languages"], members["fields"]) == (
        "create.members",
        ["ary"],
        [],
    )
    assert MEMBERS_ARY not in service.services.engine.content.get("create.members").text["ary"]

    applied = await service.client.post(
        f"/admin/content-files/import?revision={dry['revision']}",
        headers=editor,
        files=as_upload(data),
    )
    assert applied.status_code == 200 and applied.json()["changed"] == 1
    await service.client.post(
        "/telegram/webhook",
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        json=text_update(1, 78, "شحال خاص ديال الأعضاء باش نديرو تعاونية؟"),
    )
    await service.delivered()
    assert any(MEMBERS_ARY in text for text in service.telegram.texts(78))


async def test_an_applied_import_is_versioned_and_audited_under_the_editors_name(service):
    editor = await token(service, "editor", name="Nadia")
    data = await exported(service, editor)
    data["items"]["create.members"]["text"]["ary"] = MEMBERS_ARY
    await service.client.post("/admin/content-files/import", headers=editor, files=as_upload(data))
    versions = (
        await service.client.get("/admin/content/create.members/versions", headers=editor)
    ).json()
    assert (versions[-1]["action"], versions[-1]["actor"]) == ("import", "Nadia")
    assert versions[-1]["after"]["text"]["ary"] == MEMBERS_ARY
    admin = await token(service, "admin", name="Youssef")
    audit = (await service.client.get("/admin/audit?action=content.", headers=admin)).json()
    assert [(e["actor"], e["action"], e["target"]) for e in audit["entries"][:1]] == [
        ("Nadia", "content.import", "create.members")
    ]


async def test_a_forbidden_claim_in_darija_is_refused_naming_the_rule_and_nothing_changes(
    service,
):
    editor = await token(service, "editor")
    data = await exported(service, editor)
    data["items"]["create.members"]["text"]["ary"] = SEVEN_FOUNDERS_ARY
    for route in ("check", "import"):
        refused = await service.client.post(
            f"/admin/content-files/{route}", headers=editor, files=as_upload(data)
        )
        assert refused.status_code == 422
        (problem,) = refused.json()["detail"]
        assert problem["rule"] == "seven_founders" and problem["language"] == "ary"
        assert (problem["file"], problem["item"], problem["field"]) == (
            "create_cooperative.yaml",
            "create.members",
            "text.ary",
        )
        assert "rule seven_founders" in problem["message"]
    live = service.services.engine.content.get("create.members").text["ary"]
    assert "7" not in live


async def test_a_broken_yaml_file_is_named_with_its_line(service):
    editor = await token(service, "editor")
    broken = "items:\n  women.overview:\n    title: {fr: Femmes\n    text: [\n"
    refused = await check(service, editor, as_upload(broken, "women.yaml"))
    assert refused.status_code == 422
    (problem,) = refused.json()["detail"]
    assert problem["file"] == "women.yaml" and problem["line"] == 4
    assert problem["message"].startswith("women.yaml: line 4, column ")


async def test_every_invalid_item_is_named_with_its_file_item_field_and_line(service):
    editor = await token(service, "editor")
    data = await exported(service, editor, "women.yaml")
    first, second = list(data["items"])[:2]
    del data["items"][first]["title"]["ar"]
    data["items"][second]["next"] = ["women.nowhere"]
    problems = (await check(service, editor, as_upload(data, "women.yaml"))).json()["detail"]
    text = yaml.safe_dump(data, allow_unicode=True).splitlines()
    assert [(p["item"], p["field"]) for p in problems] == [(first, "title.ar"), (second, "next")]
    assert all(text[p["line"] - 1].strip() == f"{p['item']}:" for p in problems)


async def test_the_same_item_in_two_files_of_a_zip_is_refused(service):
    editor = await token(service, "editor")
    women = yaml.safe_dump(await exported(service, editor, "women.yaml"), allow_unicode=True)
    archive = files.pack(
        {"women.yaml": women, "copie.yaml": women}, at=datetime(2026, 12, 3, 10, 0)
    )
    refused = await check(service, editor, {"upload": ("contenus.zip", archive, "application/zip")})
    assert refused.status_code == 422
    assert "id already used in copie.yaml" in refused.json()["detail"][0]["message"]


async def test_a_file_that_is_not_yaml_nor_zip_is_a_415(service):
    editor = await token(service, "editor")
    pdf = {"upload": ("statuts.pdf", b"%PDF-1.7\n", "application/pdf")}
    assert (await check(service, editor, pdf)).status_code == 415
    as_json = await service.client.post(
        "/admin/content-files/check", headers=editor, json={"items": {}}
    )
    assert as_json.status_code == 415
    assert "multipart/form-data" in as_json.json()["detail"]


async def test_an_upload_over_the_limit_or_a_zip_that_unpacks_too_far_is_a_413(service):
    editor = await token(service, "editor")
    big = {"upload": ("women.yaml", b"#" * 1_100_000, "application/yaml")}
    assert (await check(service, editor, big)).status_code == 413
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("women.yaml", b"#" * (files.MAX_UNPACKED_BYTES + 1))
    refused = await check(service, editor, {"upload": ("bombe.zip", bomb.getvalue(), "")})
    assert refused.status_code == 413 and "unpacks to more than" in refused.json()["detail"]


async def test_yaml_aliases_are_refused_before_they_unfold(service):
    editor = await token(service, "editor")
    laughs = (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nitems: {}\n"
    )
    refused = await check(service, editor, as_upload(laughs, "women.yaml"))
    assert refused.status_code == 422
    assert "aliases" in refused.json()["detail"][0]["message"]


async def test_values_the_database_cannot_keep_are_refused_naming_the_item(service):
    editor = await token(service, "editor")
    data = await exported(service, editor, "women.yaml")
    first = next(iter(data["items"]))
    text = yaml.safe_dump(data, allow_unicode=True).replace(
        f"  {first}:\n", f"  {first}:\n    logo: !!binary R0lGODlh\n    poids: .nan\n", 1
    )
    refused = await check(service, editor, as_upload(text, "women.yaml"))
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["item"] == first
    assert "no binary data" in refused.json()["detail"][0]["message"]


async def test_an_import_checked_before_another_change_is_a_409(service):
    editor = await token(service, "editor")
    data = await exported(service, editor, "women.yaml")
    dry = (await check(service, editor, as_upload(data, "women.yaml"))).json()
    first = next(iter(data["items"]))
    data["items"][first]["title"]["fr"] = "Coopératives femmes"
    meanwhile = await service.client.post(
        "/admin/content-files/import", headers=editor, files=as_upload(data, "women.yaml")
    )
    assert meanwhile.json()["changed"] == 1
    late = await service.client.post(
        f"/admin/content-files/import?revision={dry['revision']}",
        headers=editor,
        files=as_upload(data, "women.yaml"),
    )
    assert late.status_code == 409


async def test_advisors_cannot_export_or_import_content(service):
    anonymous = await service.client.get("/admin/content-files/export.zip")
    assert anonymous.status_code == 401
    advisor = await token(service, "advisor")
    assert (
        await service.client.get("/admin/content-files/export.zip", headers=advisor)
    ).status_code == 403
    upload = as_upload("items: {}\n", "women.yaml")
    assert (await check(service, advisor, upload)).status_code == 403
