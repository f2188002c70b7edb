"""The browser harness itself: Debian's Chromium reaches the real app served on loopback."""

from pathlib import Path

from selenium.webdriver.common.by import By

from tests.browser import chromium, live_service, screenshot
from tests.conftest import database_url
from tests.service import channel_settings


def test_headless_chromium_reads_a_page_of_the_running_service(tmp_path: Path) -> None:
    settings = channel_settings(database_url(tmp_path), data_dir=tmp_path)
    with live_service(settings) as service, chromium() as browser:
        browser.get(f"{service.url}/healthz")
        assert "ok" in browser.find_element(By.TAG_NAME, "body").text
        assert screenshot(browser, "harness-healthz").stat().st_size > 0
