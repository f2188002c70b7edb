"""The admin API describes itself: every route typed, secured and documented, and /docs
works with no network (its Swagger UI files are served by the service)."""

import re

from tests.test_admin_api import token

METHODS = {"get", "put", "post", "delete", "patch"}
DOCUMENTED_REFUSALS = {"401", "403", "422", "429"}


async def admin_operations(service) -> list[tuple[str, str, dict]]:
    schema = (await service.client.get("/openapi.json")).json()
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/admin")
        for method, operation in item.items()
        if method in METHODS
    ]


async def test_the_schema_declares_a_bearer_security_scheme(service):
    schema = (await service.client.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "an admin API token (`fadaa admin create-token NAME ROLE`)",
    }


async def test_every_admin_route_requires_the_bearer_scheme(service):
    operations = await admin_operations(service)
    assert len(operations) >= 25
    unsecured = [(m, p) for m, p, op in operations if {"bearer": []} not in op.get("security", [])]
    assert unsecured == []


async def test_every_admin_route_declares_a_response_model(service):
    untyped = []
    for method, path, operation in await admin_operations(service):
        success = next(v for k, v in operation["responses"].items() if k.startswith("2"))
        content = success.get("content", {})  # JSON, or a CSV, YAML or zip download
        schema = next(iter(content.values()), {}).get("schema", {})
        if _untyped(schema):
            untyped.append((method, path))
    assert untyped == []


async def test_every_admin_route_documents_its_refusals_with_examples(service):
    for method, path, operation in await admin_operations(service):
        responses = operation["responses"]
        assert DOCUMENTED_REFUSALS <= set(responses), (method, path)
        assert responses["401"]["content"]["application/json"]["example"]["detail"]


async def test_a_missing_item_and_a_conflict_are_documented_where_they_can_happen(service):
    operations = {(m, p): op for m, p, op in await admin_operations(service)}
    assert "404" in operations[("get", "/admin/content/{item_id}")]["responses"]
    assert "409" in operations[("post", "/admin/handoffs/{handoff_id}/claim")]["responses"]
    assert "409" in operations[("post", "/admin/training/review")]["responses"]


async def test_request_bodies_carry_examples(service):
    schema = (await service.client.get("/openapi.json")).json()
    models = schema["components"]["schemas"]
    assert models["ContentItemIn"]["properties"]["item"]["examples"]
    assert models["PhraseIn"]["properties"]["text"]["examples"]
    assert models["Texts"]["examples"][0]["ary-Latn"]


async def test_the_docs_page_loads_nothing_from_another_host(service):
    page = await service.client.get("/docs")
    assert page.status_code == 200
    assert "swagger-ui-bundle.js" in page.text
    external = re.findall(r"""(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", page.text)
    assert external == []
    assert "cdn" not in page.text.lower()


async def test_the_swagger_ui_files_are_served_by_the_service(service):
    page = (await service.client.get("/docs")).text
    for asset in re.findall(r"""(?:src|href)\s*=\s*["'](/docs/assets/[^"']+)""", page):
        response = await service.client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 1000 or asset.endswith(".png")


async def test_a_typed_answer_still_says_what_the_route_said_before(service):
    editor = await token(service, "editor")
    listed = (await service.client.get("/admin/content", headers=editor)).json()
    overview = next(entry for entry in listed if entry["id"] == "create.overview")
    assert set(overview) == {"id", "file", "title", "intents"}
    assert overview["title"]["ary"]


def _untyped(schema: dict) -> bool:
    """What FastAPI writes for an answer annotated dict or Any: no schema, or a bare object."""
    bare_object = schema.get("type") == "object" and schema.get("additionalProperties") in (
        None,
        True,
    )
    return not schema or (bare_object and "properties" not in schema)
