"""The staff console in Debian's headless Chromium against the real app on loopback: an
advisor answers a WhatsApp user, an editor changes a Darija text, the insights draw."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from bot.config import Settings
from bot.store.models import Advisor
from tests.browser import PHONE, LiveService, chromium, live_service, screenshot, wait_for
from tests.chat import Chat
from tests.conftest import database_url, empty_database
from tests.console import NADIA, PASSWORD, SALMA, staff_account
from tests.desk import ALWAYS_OPEN, GROUP, KARIMA
from tests.desk import HEADERS as TELEGRAM_HEADERS
from tests.fakes.telegram_api import group_update
from tests.fakes.whatsapp_api import signed, text_message, webhook
from tests.service import channel_settings
from tests.test_funnels import two_finders

pytestmark = pytest.mark.store
DESKTOP = (1366, 900)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[LiveService]:
    import asyncio

    url = database_url(tmp_path)
    asyncio.run(_emptied(url))
    settings: Settings = channel_settings(
        url, data_dir=tmp_path, advisor_group_id=GROUP, **ALWAYS_OPEN
    )
    with live_service(settings) as service:
        service.run(staff_account(service.services, NADIA, "editor", "Nadia"))
        service.run(staff_account(service.services, SALMA, "advisor", "Salma"))
        yield service


async def _emptied(url: str) -> None:
    await (await empty_database(url)).dispose()


def log_in(browser: WebDriver, service: LiveService, email: str) -> None:
    browser.get(f"{service.url}/console")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login").click()
    wait_for(browser, lambda b: b.find_elements(By.ID, "logout"))


def from_whatsapp(service: LiveService, wamid: str, text: str) -> None:
    body, headers = signed(webhook(text_message(wamid, text)))
    with service.client() as client:
        assert client.post("/whatsapp/webhook", content=body, headers=headers).status_code == 200


def shown(browser: WebDriver, css: str) -> WebElement:
    """The first visible element matching `css` (waited for)."""

    def visible(b: WebDriver) -> WebElement | None:
        try:
            return next(
                (e for e in b.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), None
            )
        except StaleElementReferenceException:
            return None

    return wait_for(browser, visible)


def click(browser: WebDriver, css: str) -> None:
    """Click what `css` finds, again if live updates redrew it in between."""

    def clicked(b: WebDriver) -> bool:
        try:
            shown(b, css).click()
        except StaleElementReferenceException:
            return False
        return True

    wait_for(browser, clicked)


def text_of(browser: WebDriver, css: str) -> str:
    try:
        return " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, css))
    except StaleElementReferenceException:
        return ""


def test_an_advisor_claims_a_waiting_whatsapp_user_and_the_reply_reaches_whatsapp(console):
    from_whatsapp(console, "wamid.B1", "salam, bghit nhder m3a chi mostachar")
    from_whatsapp(
        console, "wamid.B2", "3ndi mochkil f dossier dyal intilaka, lbanka ma bghatch tjawbni"
    )
    console.deliver()
    with chromium() as browser:
        browser.get(f"{console.url}/console")
        screenshot(browser, "console-login-phone")
        log_in(browser, console, SALMA)
        click(browser, "[data-handoff]")
        head = shown(browser, ".conversation-head")
        assert "WhatsApp" in head.text and "Darija (latin)" in head.text
        assert "bghit nhder m3a chi mostachar" in shown(browser, ".summary").text
        assert "lbanka ma bghatch tjawbni" in shown(browser, ".history").text
        screenshot(browser, "console-inbox-conversation-phone")
        click(browser, "#claim")
        wait_for(browser, lambda b: "Pris en charge" in text_of(b, ".conversation-head"))
        shown(browser, "#reply").send_keys("Salam Fatima, ana Salma. Ghadi nchouf m3ak l'dossier.")
        click(browser, "#send")
        wait_for(browser, lambda b: "Ghadi nchouf" in text_of(b, ".history"))
        console.deliver()
        assert console.graph.texts()[-1].endswith(
            "Salam Fatima, ana Salma. Ghadi nchouf m3ak l'dossier."
        )
        screenshot(browser, "console-inbox-replied-phone")


def test_the_inbox_shows_a_new_user_message_live_and_offers_ready_answers_in_their_language(
    console,
):
    from_whatsapp(console, "wamid.L1", "salam, bghit nhder m3a chi mostachar")
    from_whatsapp(console, "wamid.L2", "3ndi so2al 3la l'capital dyal cooperative")
    console.deliver()
    with chromium(DESKTOP) as browser:
        log_in(browser, console, SALMA)
        click(browser, "[data-handoff]")
        shown(browser, ".conversation-head")
        from_whatsapp(console, "wamid.L3", "wach 1000 dh kafya?")
        wait_for(browser, lambda b: "wach 1000 dh kafya?" in text_of(b, ".history"))
        # unread: the question asked after the request, and this one
        wait_for(browser, lambda b: text_of(b, ".unread").strip() == "2")
        Select(shown(browser, "#canned")).select_by_value("hello")
        assert (
            shown(browser, "#reply")
            .get_attribute("value")
            .startswith("Salam Fatima, m3ak mostachar(a) dyal ODCO.")
        )
        screenshot(browser, "console-inbox-live-desktop")
        click(browser, "#send")
        wait_for(browser, lambda b: not text_of(b, ".unread").strip())
        console.deliver()
        assert console.graph.texts()[-1].endswith("ghadi nchouf w njawbek hna.")


def test_a_claim_in_the_telegram_group_shows_live_and_the_console_reply_is_refused(console):
    console.run(_register_advisor(console, KARIMA, "Karima"))
    from_whatsapp(console, "wamid.G1", "salam, bghit nhder m3a chi mostachar")
    from_whatsapp(console, "wamid.G2", "bghit n3ref wach khass compte bancaire l cooperative")
    console.deliver()
    thread = next(iter(posted_topics(console)))
    with chromium(DESKTOP) as browser:
        log_in(browser, console, SALMA)
        click(browser, "[data-handoff]")
        shown(browser, ".conversation-head")
        update = group_update(801, GROUP, thread, KARIMA, "Salam Fatima, ana m3ak.")
        with console.client() as client:
            client.post("/telegram/webhook", json=update, headers=TELEGRAM_HEADERS)
        wait_for(browser, lambda b: "Karima" in text_of(b, ".conversation-head .advisor"))
        shown(browser, "#reply").send_keys("Salam, ana Salma.")
        click(browser, "#send")
        refusal = shown(browser, ".conversation .error")
        assert "Karima" in refusal.text
        screenshot(browser, "console-inbox-claimed-in-group-desktop")
    console.deliver()
    assert not any("ana Salma" in text for text in console.graph.texts())


def posted_topics(console: LiveService, timeout: float = 10.0) -> dict[int, str]:
    """The group's topics once the handoff's post is out: the outbox worker's own loop may
    hold it when the test's drain runs."""
    deadline = time.monotonic() + timeout
    while not console.telegram.topics and time.monotonic() < deadline:
        console.deliver()
        time.sleep(0.05)
    return console.telegram.topics


async def _register_advisor(console: LiveService, telegram_id: int, name: str) -> None:
    async with console.services.db.transaction() as session:
        session.add(Advisor(telegram_user_id=telegram_id, public_name=name))


MEMBERS_ARY = "باش تديرو تعاونية، خاصكم تكونو على الأقل خمسة (5) ديال الأعضاء."


def edited(browser: WebDriver, field: str, text: str) -> None:
    box = shown(browser, f'[id="field-{field}"]')
    box.clear()
    box.send_keys(text)


def test_an_editor_changes_a_darija_text_and_a_conversation_gets_it(console):
    with chromium(DESKTOP) as browser:
        log_in(browser, console, NADIA)
        wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "[data-item]"))
        shown(browser, "#search").send_keys("الأعضاء")
        click(browser, '[data-item="create.members"]')
        original = shown(browser, '[id="field-text.ary"]').get_attribute("value")
        edited(browser, "text.ary", "خاصكم 7 ديال الأعضاء باش تأسسو التعاونية.")
        click(browser, "#save")
        refusal = shown(browser, '[id="error-text.ary"]')
        assert "rule seven_founders" in refusal.text and "language ary" in refusal.text
        screenshot(browser, "console-editor-refused-desktop")
        edited(browser, "text.ary", original.replace(original.splitlines()[0], MEMBERS_ARY))
        click(browser, "#save")
        assert "en ligne" in shown(browser, "#saved").text
        preview = shown(browser, '[data-preview="ary"]')
        assert preview.get_attribute("dir") == "rtl" and MEMBERS_ARY in preview.text
        screenshot(browser, "console-editor-saved-desktop")
        browser.set_window_size(*PHONE)
        browser.execute_script(
            "arguments[0].scrollIntoView()", shown(browser, '[data-preview="ary"]')
        )
        screenshot(browser, "console-editor-preview-phone")
        browser.set_window_size(*DESKTOP)
        click(browser, "#versions summary")
        assert MEMBERS_ARY in shown(browser, ".diff-add").text
    reply = console.run(
        Chat(console.services.engine).text_of("شحال خاص ديال الأعضاء باش نديرو تعاونية؟")
    )
    assert MEMBERS_ARY in reply.splitlines()


def test_the_insights_page_draws_its_charts(console):
    chat = Chat(console.services.engine)
    for question in (
        "شحال خاص ديال الأعضاء باش نديرو تعاونية؟",
        "Comment financer mon projet ?",
        "wach kayn chi stade dyal lkora hna?",
    ):
        console.run(chat.send(question))
    console.run(two_finders(console.services.engine))
    with chromium(DESKTOP) as browser:
        log_in(browser, console, NADIA)
        browser.get(f"{console.url}/console#insights")
        charts = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "img[data-chart]"))
        wait_for(
            browser,
            lambda b: all(
                b.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", c)
                for c in charts
            ),
        )
        assert len(charts) == 7
        assert shown(browser, "#fallback-rate").text.endswith("%\nTaux de repli")
        screenshot(browser, "console-insights-desktop")
        browser.set_window_size(*PHONE)
        screenshot(browser, "console-insights-phone")
        browser.get(f"{console.url}/console/charts/daily-language.svg")
        assert 'class="bar"' in browser.page_source
        browser.set_window_size(*DESKTOP)
        browser.get(f"{console.url}/console/charts/funnels.svg")
        assert "Trouver un financement" in browser.page_source
        screenshot(browser, "console-insights-funnels")


def test_an_editor_writes_a_ready_answer_that_advisors_then_find(console):
    with chromium(DESKTOP) as browser:
        log_in(browser, console, NADIA)
        browser.get(f"{console.url}/console#canned")
        hello = shown(browser, '[data-canned="hello"]')
        latin = hello.find_element(By.CSS_SELECTOR, 'textarea[lang="ary-Latn"]')
        assert latin.get_attribute("value").startswith("Salam {name}, m3ak mostachar(a) dyal ODCO.")
        shown(browser, "#new-key").send_keys("merci")
        new = shown(browser, '[data-canned="new"]')
        for box, text in zip(
            new.find_elements(By.TAG_NAME, "textarea"),
            (
                "Merci {name}, bonne journée.",
                "شكرا {name}، يوما سعيدا.",
                "شكرا {name}، نهارك مبروك.",
            ),
            strict=False,
        ):
            box.send_keys(text)
        new.find_element(By.TAG_NAME, "button").click()
        shown(browser, '[data-canned="merci"]')
        screenshot(browser, "console-canned-desktop")
        browser.get(f"{console.url}/console#capsules")
        assert shown(browser, ".capsule h3").text
        screenshot(browser, "console-capsules-desktop")
    with console.client() as client:
        session = client.post(
            "/console/login", data={"email": SALMA, "password": PASSWORD}, follow_redirects=False
        )
        listed = client.get(
            "/admin/canned", headers={"Cookie": session.headers["set-cookie"].split(";")[0]}
        )
    assert listed.json()["merci"]["ary"] == "شكرا {name}، نهارك مبروك."


def test_an_unanswered_question_becomes_a_training_phrase_from_the_insights(console):
    question = "3andi mochkil m3a ra2is dyal cooperative"
    console.run(Chat(console.services.engine).send(question))
    with chromium(DESKTOP) as browser:
        log_in(browser, console, NADIA)
        browser.get(f"{console.url}/console#insights")
        add = shown(browser, f'[data-train="{question}"]')
        cell = add.find_element(By.XPATH, "..")
        Select(cell.find_element(By.TAG_NAME, "select")).select_by_value("talk_to_advisor")
        add.click()
        wait_for(browser, lambda b: "Ajoutée" in text_of(b, "#unanswered"))
        screenshot(browser, "console-insights-training-desktop")
    with console.client() as client:
        login = client.post(
            "/console/login", data={"email": NADIA, "password": PASSWORD}, follow_redirects=False
        )
        cookie = {"Cookie": login.headers["set-cookie"].split(";")[0]}
        listed = client.get("/admin/training/review", headers=cookie).json()
    assert [(p["text"], p["intent"], p["proposed_by"]) for p in listed] == [
        (question, "talk_to_advisor", "Nadia")
    ]
