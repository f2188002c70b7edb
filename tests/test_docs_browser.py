"""/docs in a real headless Chromium on a closed network: Swagger UI draws the admin API
with its "Authorize" button, and every file the page loads comes from the service."""

from pathlib import Path

from selenium.webdriver.common.by import By

from tests.browser import chromium, live_service, screenshot, wait_for
from tests.conftest import database_url
from tests.service import channel_settings


def test_the_docs_draw_the_admin_api_from_the_service_alone(tmp_path: Path) -> None:
    settings = channel_settings(database_url(tmp_path), data_dir=tmp_path)
    with live_service(settings) as service, chromium(size=(1280, 900)) as browser:
        browser.get(f"{service.url}/docs")
        authorize = wait_for(
            browser, lambda b: b.find_elements(By.CSS_SELECTOR, "button.authorize")
        )
        assert authorize[0].is_displayed()
        wait_for(browser, lambda b: "/admin/content/{item_id}" in b.page_source)
        loaded = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert loaded, "the page loaded its files"
        assert [url for url in loaded if not url.startswith(service.url)] == []
        screenshot(browser, "docs-offline")
