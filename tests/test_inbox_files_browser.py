"""Files in the advisors' inbox, in Debian's headless Chromium against the real app: the
advisor attaches a PDF to a WhatsApp user's conversation and the fake Graph API gets it."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.browser import chromium, screenshot, wait_for
from tests.console import SALMA
from tests.test_console_browser import click, console, from_whatsapp, log_in, shown, text_of

pytestmark = pytest.mark.store
__all__ = ["console"]  # the live service with its staff accounts, shared with the console tests

STATUTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_advisor_attaches_a_pdf_and_the_whatsapp_user_receives_it(console, tmp_path: Path):
    from_whatsapp(console, "wamid.F1", "salam, bghit nhder m3a chi mostachar")
    from_whatsapp(console, "wamid.F2", "3afak siftli nmoudaj dyal l'qanoun l'assassi")
    console.deliver()
    statutes = tmp_path / "statuts-cooperative.pdf"
    statutes.write_bytes(STATUTES)
    with chromium() as browser:
        log_in(browser, console, SALMA)
        click(browser, "[data-handoff]")
        shown(browser, "#attach").send_keys(str(statutes))
        shown(browser, "#reply").send_keys("Hahowa nmoudaj dyal statuts, 3mrih w siftou lina.")
        click(browser, "#send-file")
        wait_for(browser, lambda b: "Hahowa nmoudaj" in text_of(b, ".history"))
        wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, ".history a.attachment"))
        console.deliver()
        document = console.graph.messages[-1]
        assert document["type"] == "document"
        assert document["document"]["filename"] == "statuts-cooperative.pdf"
        assert console.graph.uploaded[document["document"]["id"]]["content"] == STATUTES
        browser.execute_script(
            "document.querySelector('#send-file').scrollIntoView({block: 'end'})"
        )
        screenshot(browser, "console-inbox-file-sent")
