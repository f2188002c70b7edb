"""One typed model validates content from the files, the admin API and the import: an
editor cannot store an item that breaks a flow, and bad input is a precise 422 (issue #19)."""

import copy
import json

import pytest
import yaml

from bot.content import ContentError, default_content, parse_item
from bot.content.editing import _sources, import_files
from bot.flows.financing_finder import matching_items
from tests.test_admin_api import token

pytestmark = pytest.mark.store
INTILAKA = "financing.intilaka"
SLOTS = {
    "stage": "created",
    "age": "young",
    "sector": "crafts",
    "area": "rural",
    "audience": "women",
    "amount": "100000",
}


def intilaka() -> dict:
    item = default_content().items[INTILAKA]
    return {
        "sources": list(item.sources),
        "last_verified": item.last_verified.isoformat(),
        "title": dict(item.title),
        "text": dict(item.text),
        "match": dict(item.match),
    }


def changed(path: str, value: object) -> dict:
    item = copy.deepcopy(intilaka())
    *parents, last = path.split(".")
    target = item
    for key in parents:
        target = target[key]
    target[last] = value
    return item


CONFUSED = [
    ("match", "not-a-dict"),
    ("match.max_amount_dh", "big"),
    ("match.area", "rural"),
    ("match.audience", ["everyone"]),
    ("match.stage", [1]),
    ("sources", 5),
    ("sources", "F1"),
    ("title", "Intilaka"),
    ("text.fr", 5),
    ("text", ["a", "b"]),
    ("intents", "financing_options"),
    ("next", 7),
    ("last_verified", 20261125),
    ("reminder", "x"),
    ("match.max_age_years", True),
]


@pytest.mark.parametrize(("path", "value"), CONFUSED)
def test_a_type_confused_item_is_refused_naming_the_field(path, value):
    with pytest.raises(ContentError, match=rf"item {INTILAKA}: {path.split('.')[0]}"):
        parse_item(INTILAKA, changed(path, value), "financing.yaml", _sources())


@pytest.mark.parametrize(("path", "value"), CONFUSED)
async def test_the_api_answers_422_for_a_type_confused_item(service, path, value):
    editor = await token(service, "editor")
    response = await service.client.put(
        f"/admin/content/{INTILAKA}",
        headers=editor,
        json={"file": "financing.yaml", "item": changed(path, value)},
    )
    assert response.status_code == 422
    assert path.split(".")[0] in response.json()["detail"]


async def test_after_a_refused_match_the_financing_finder_still_works(service):
    editor = await token(service, "editor")
    await service.client.put(
        f"/admin/content/{INTILAKA}",
        headers=editor,
        json={"file": "financing.yaml", "item": changed("match", "not-a-dict")},
    )
    content = service.services.engine.content
    assert INTILAKA in [item.id for item in matching_items(list(content.items.values()), SLOTS)]


@pytest.mark.parametrize("item_id", ["bad%00id", "x" * 81, "UPPER.case", "a b"])
async def test_a_content_id_with_a_nul_byte_or_too_long_is_a_422(service, item_id):
    editor = await token(service, "editor")
    put = await service.client.put(
        f"/admin/content/{item_id}",
        headers=editor,
        json={"file": "financing.yaml", "item": intilaka()},
    )
    get = await service.client.get(f"/admin/content/{item_id}", headers=editor)
    assert (put.status_code, get.status_code) == (422, 422)


@pytest.mark.parametrize("path", ["text.fr", "title.ar", "sources"])
async def test_a_nul_byte_or_lone_surrogate_in_an_item_is_a_422(service, path):
    editor = await token(service, "editor")
    value = ["F1\x00"] if path == "sources" else "Intilaka \x00 \ud800"
    body = json.dumps({"file": "financing.yaml", "item": changed(path, value)})  # \u escapes
    response = await service.client.put(
        f"/admin/content/{INTILAKA}",
        content=body,
        headers=editor | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422


async def test_the_import_refuses_a_type_confused_file(db, tmp_path):
    (tmp_path / "financing.yaml").write_text(
        yaml.safe_dump({"items": {INTILAKA: changed("match", "not-a-dict")}}), encoding="utf-8"
    )
    async with db.transaction() as session:
        with pytest.raises(ContentError, match="match"):
            await import_files(session, tmp_path, actor="test")
