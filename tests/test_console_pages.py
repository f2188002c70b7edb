"""The console's own routes beside the admin API: content search, charts as SVG, and the
static files it is made of (served by the service, no other host)."""

import re
from xml.etree import ElementTree

import pytest

from tests.chat import Chat
from tests.console import NADIA, SALMA, log_in, staff_account

pytestmark = pytest.mark.store


async def test_editors_find_content_by_text_in_any_language_and_by_topic(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    session = await log_in(service.client, NADIA)
    darija = await service.client.get(
        "/console/content", params={"q": "انطلاقة", "topic": "financing"}, headers=session.reading
    )
    found = darija.json()
    assert "financing.overview" in [item["id"] for item in found["items"]]
    assert all(item["file"] == "financing.yaml" for item in found["items"])
    assert {"financing", "create_cooperative"} <= set(found["topics"])
    assert any("انطلاقة" in item["excerpt"] for item in found["items"])


async def test_a_chart_is_an_svg_image_with_one_bar_per_intent(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    session = await log_in(service.client, NADIA)
    await Chat(service.services.engine).send("Comment financer mon projet ?")
    response = await service.client.get("/console/charts/intents.svg", headers=session.reading)
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = ElementTree.fromstring(response.text)
    bars = svg.findall(".//{http://www.w3.org/2000/svg}rect[@class='bar']")
    assert [bar.find("{http://www.w3.org/2000/svg}title").text for bar in bars] == [
        "financing_options : 1"
    ]


async def test_an_unknown_chart_names_the_charts_that_exist(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    session = await log_in(service.client, NADIA)
    response = await service.client.get("/console/charts/camembert.svg", headers=session.reading)
    assert response.status_code == 404 and "daily-channel" in response.json()["detail"]


async def test_advisors_see_no_charts(service):
    await staff_account(service.services, SALMA, "advisor", "Salma")
    session = await log_in(service.client, SALMA)
    response = await service.client.get("/console/charts/intents.svg", headers=session.reading)
    assert response.status_code == 403


async def test_the_console_loads_its_scripts_and_styles_from_the_service_only(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    session = await log_in(service.client, NADIA)
    page = (await service.client.get("/console", headers=session.reading)).text
    assets = re.findall(r'(?:src|href)="([^"#]+)"', page)
    assert assets and all(a.startswith("/console/static/") for a in assets)
    for asset in assets:
        assert (await service.client.get(asset)).status_code == 200
    script = (await service.client.get("/console/static/app.js")).text
    assert "http://" not in script and "https://" not in script


async def test_live_queue_updates_are_for_advisors_only(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    session = await log_in(service.client, NADIA)
    response = await service.client.get("/console/events", headers=session.reading)
    assert response.status_code == 403
