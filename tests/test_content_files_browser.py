"""The content files in Debian's headless Chromium: an editor exports a topic, imports it back
changed, sees what the dry run found (a refused claim, then the change), and applies it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests import test_console_browser
from tests.browser import PHONE, LiveService, chromium, screenshot, wait_for
from tests.chat import Chat
from tests.console import NADIA, PASSWORD
from tests.test_console_browser import DESKTOP, click, log_in, shown, text_of

pytestmark = pytest.mark.store
console = test_console_browser.console  # the live app, with Nadia (editor) and Salma

MEMBERS_ARY = "باش تديرو تعاونية، خاصكم تكونو على الأقل خمسة (5) ديال الأعضاء."
SEVEN_FOUNDERS_ARY = "خاصكم 7 ديال الأعضاء باش تأسسو التعاونية."


def exported_topic(service: LiveService, file: str) -> dict:
    """The topic file as the "Exporter" link serves it to Nadia's session."""
    with service.client() as client:
        login = client.post(
            "/console/login", data={"email": NADIA, "password": PASSWORD}, follow_redirects=False
        )
        cookie = {"Cookie": login.headers["set-cookie"].split(";")[0]}
        response = client.get(f"/admin/content-files/{file}", headers=cookie)
    assert response.status_code == 200, response.text
    return yaml.safe_load(response.text)


def written(folder: Path, data: dict, name: str = "create_cooperative.yaml") -> str:
    folder.mkdir()
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def phone(browser: WebDriver, size: tuple[int, int] = PHONE) -> None:
    """The same page at another screen size (the window alone cannot go narrower)."""
    width, height = size
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": size == PHONE}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def test_an_editor_imports_a_changed_file_sees_the_dry_run_then_the_change(console, tmp_path):
    data = exported_topic(console, "create_cooperative.yaml")
    data["items"]["create.members"]["text"]["ary"] = SEVEN_FOUNDERS_ARY
    refused = written(tmp_path / "refused", data)
    data["items"]["create.members"]["text"]["ary"] = MEMBERS_ARY
    fixed = written(tmp_path / "fixed", data)
    with chromium(DESKTOP) as browser:
        log_in(browser, console, NADIA)
        wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "[data-item]"))
        assert (
            shown(browser, "#export")
            .get_attribute("href")
            .endswith("/admin/content-files/export.zip")
        )
        click(browser, "#import-panel summary")
        browser.find_element(By.ID, "import-file").send_keys(refused)
        problem = shown(browser, "#import-problems li")
        assert "create_cooperative.yaml" in problem.text and "create.members" in problem.text
        assert "règle seven_founders (الدارجة)" in problem.text
        screenshot(browser, "console-import-refused-desktop")

        browser.find_element(By.ID, "import-file").send_keys(fixed)
        counts = wait_for(browser, lambda b: "1 modifié(s)" in text_of(b, "#import-counts"))
        assert counts
        assert "الدارجة" in shown(browser, '[data-change="create.members"]').text
        assert MEMBERS_ARY not in console.services.engine.content.get("create.members").text["ary"]
        screenshot(browser, "console-import-checked-desktop")
        phone(browser)
        screenshot(browser, "console-import-checked-phone")
        phone(browser, DESKTOP)

        click(browser, "#import-apply")
        assert "en ligne" in shown(browser, "#import-done").text
        click(browser, '[data-item="create.members"]')
        wait_for(
            browser,
            lambda b: MEMBERS_ARY in shown(b, '[id="field-text.ary"]').get_attribute("value"),
        )
        screenshot(browser, "console-import-applied-desktop")
    reply = console.run(
        Chat(console.services.engine).text_of("شحال خاص ديال الأعضاء باش نديرو تعاونية؟")
    )
    assert MEMBERS_ARY in reply.splitlines()


def test_the_export_link_follows_the_chosen_topic(console):
    with chromium(DESKTOP) as browser:
        log_in(browser, console, NADIA)
        wait_for(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, "#topic option")) > 1)
        browser.find_element(By.CSS_SELECTOR, '#topic option[value="women"]').click()
        link = shown(browser, "#export").get_attribute("href")
        assert link.endswith("/admin/content-files/women.yaml")
        assert shown(browser, "#export-target").text == "women.yaml"
        downloaded = browser.execute_async_script(
            "fetch(arguments[0]).then((r) => r.text()).then(arguments[1])", link
        )
    assert "women.overview" in yaml.safe_load(downloaded)["items"]
