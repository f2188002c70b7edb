"""Pages tested in a real browser: the real app served on loopback by uvicorn (with the fake
Telegram and WhatsApp APIs in-process), driven by Debian's headless Chromium through Selenium.

`.ci/run` installs `chromium` and `chromium-driver` and sets FADAA_REQUIRE_BROWSER=1, so a
missing browser fails there instead of skipping."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from telegram.request import HTTPXRequest

from api.main import create_app
from bot.channels.service import Connections, Services
from bot.config import Settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.whatsapp_api import FakeGraph

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE = (412, 915)  # a common small Android screen, in CSS pixels
SCREENSHOTS = Path(os.environ.get("FADAA_SCREENSHOTS", Path(__file__).parent / "screenshots"))

# Without these, Chromium tries Google's hosts at start on this closed network and stalls.
QUIET_HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

T = TypeVar("T")


@dataclass
class LiveService:
    """The real app listening on 127.0.0.1, run on its own event loop in a thread."""

    url: str
    telegram: FakeTelegram
    graph: FakeGraph
    services: Services
    loop: asyncio.AbstractEventLoop

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the service's loop (its database and clients live there)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def deliver(self, timeout: float = 10.0) -> None:
        """Send what the outbox holds now rather than on its timer."""
        self.run(self.services.worker.drain(), timeout)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30.0)


@contextmanager
def live_service(settings: Settings) -> Iterator[LiveService]:
    """Serve the real app on a free loopback port until the block ends."""
    telegram, graph = FakeTelegram(), FakeGraph()
    connections = Connections(
        telegram_request=HTTPXRequest(
            httpx_kwargs={"transport": httpx.ASGITransport(app=telegram.app)}
        ),
        whatsapp_session=httpx.AsyncClient(transport=httpx.ASGITransport(app=graph.app)),
    )
    app = create_app(settings, connections)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,  # open event streams (the web chat) end with the test
        )
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    try:
        _wait_until(lambda: server.started or not thread.is_alive(), "the server did not start")
        if not server.started:
            raise RuntimeError("the server stopped while starting")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield LiveService(f"http://127.0.0.1:{port}", telegram, graph, app.state.services, loop)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        loop.close()


def _wait_until(condition: Callable[[], bool], message: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(message)
        time.sleep(0.05)


def browser_available() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


@contextmanager
def chromium(size: tuple[int, int] = PHONE, language: str = "fr") -> Iterator[WebDriver]:
    """A fresh headless Chromium at phone size; skips (or fails in CI) without a browser."""
    if not browser_available():
        if os.environ.get("FADAA_REQUIRE_BROWSER"):
            pytest.fail("chromium and chromium-driver are required (apt install them)")
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    profile = tempfile.mkdtemp(prefix="fadaa-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in QUIET_HEADLESS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    # a window cannot be narrower than 500 px; the phone's viewport is emulated instead
    options.add_experimental_option(
        "mobileEmulation",
        {"deviceMetrics": {"width": size[0], "height": size[1], "pixelRatio": 1.0, "touch": True}},
    )
    options.add_argument(f"--lang={language}")
    # headless Chromium ignores --lang for Accept-Language; the preference sets it
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    driver = webdriver.Chrome(service=DriverService(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver: WebDriver, condition: Any, timeout: float = 15.0) -> Any:
    """Wait until `condition(driver)` is truthy and return it."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def screenshot(driver: WebDriver, name: str) -> Path:
    """Save a PNG under tests/screenshots/ (or FADAA_SCREENSHOTS) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
