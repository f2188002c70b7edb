"""Staff accounts for the console: argon2 passwords, session cookies with CSRF protection,
lock-out after repeated failures, and the same roles as the admin API's tokens."""

import subprocess
import sys

import httpx
import pytest
from sqlalchemy import select

from api.auth import SESSION_COOKIE
from bot import staff
from bot.store.models import StaffAccount, StaffSession
from tests.console import NADIA, PASSWORD, SALMA, log_in, staff_account

pytestmark = pytest.mark.store

ITEM = "/admin/content/financing.overview"


async def test_the_console_answers_the_login_page_to_someone_not_logged_in(service):
    page = await service.client.get("/console")
    assert page.status_code == 200
    assert 'action="/console/login"' in page.text and 'name="password"' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_a_login_sets_a_secure_http_only_same_site_cookie_and_opens_the_console(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    response = await service.client.post(
        "/console/login", data={"email": "Nadia.Editrice@odco.ma", "password": PASSWORD}
    )
    assert (response.status_code, response.headers["location"]) == (303, "/console")
    flags = response.headers["set-cookie"].lower()
    assert flags.startswith(SESSION_COOKIE.lower() + "=")
    assert all(flag in flags for flag in ("secure", "httponly", "samesite=strict", "path=/"))
    session = await log_in(service.client, NADIA)
    console = await service.client.get("/console", headers=session.reading)
    assert 'src="/console/static/app.js"' in console.text and "Nadia" in console.text


async def test_passwords_and_session_cookies_are_stored_only_as_hashes(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    session = await log_in(service.client, NADIA)
    async with service.services.db.transaction() as db:
        account = await db.scalar(select(StaffAccount))
        stored = await db.scalar(select(StaffSession))
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
    assert stored.token_hash != session.cookie and len(stored.token_hash) == 64


async def test_a_wrong_password_gets_the_login_page_with_a_message(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    wrong = await service.client.post(
        "/console/login", data={"email": NADIA, "password": "mot-de-passe-faux"}
    )
    unknown = await service.client.post(
        "/console/login", data={"email": "personne@odco.ma", "password": PASSWORD}
    )
    assert (wrong.status_code, unknown.status_code) == (401, 401)
    assert "Adresse ou mot de passe incorrect." in wrong.text
    assert "set-cookie" not in wrong.headers


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    statuses = [
        (
            await service.client.post(
                "/console/login", data={"email": NADIA, "password": f"essai-{n}-raté"}
            )
        ).status_code
        for n in range(staff.MAX_FAILURES)
    ]
    right = await service.client.post("/console/login", data={"email": NADIA, "password": PASSWORD})
    assert statuses == [401] * (staff.MAX_FAILURES - 1) + [429]
    assert right.status_code == 429 and "bloqué pendant 15 minutes" in right.text


async def test_many_logins_from_one_address_are_slowed_whichever_accounts_they_try(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    limit = service.services.settings.console_logins_per_minute
    tries = [
        (
            await service.client.post(
                "/console/login", data={"email": f"agent{n}@odco.ma", "password": "123456"}
            )
        ).status_code
        for n in range(limit)
    ]
    right = await service.client.post("/console/login", data={"email": NADIA, "password": PASSWORD})
    assert tries == [401] * limit
    assert right.status_code == 429 and "réessayez dans une minute" in right.text
    assert "set-cookie" not in right.headers


async def test_the_login_throttle_counts_each_address_apart(service):
    for n in range(service.services.settings.console_logins_per_minute + 1):
        attempt = {"email": f"agent{n}@odco.ma", "password": "123456"}
        await service.client.post("/console/login", data=attempt)
    office = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.app, client=("196.200.1.7", 50000)),
        base_url="http://fadaa.test",
    )
    async with office:
        other = await office.post(
            "/console/login", data={"email": "personne@odco.ma", "password": PASSWORD}
        )
    assert other.status_code == 401  # judged on its password, not throttled


async def test_a_password_reset_lifts_the_lock_out_and_ends_open_sessions(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    before = await log_in(service.client, NADIA)
    for n in range(staff.MAX_FAILURES):
        await service.client.post("/console/login", data={"email": NADIA, "password": f"x{n}"})
    async with service.services.db.transaction() as db:
        await staff.reset_password(db, email=NADIA, password="nouveau-mot-2026")
    assert (await service.client.get(ITEM, headers=before.reading)).status_code == 401
    await log_in(service.client, NADIA, "nouveau-mot-2026")


async def test_a_disabled_account_cannot_log_in_and_its_open_session_ends(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    before = await log_in(service.client, NADIA)
    async with service.services.db.transaction() as db:
        await staff.set_disabled(db, email=NADIA, disabled=True)
    refused = await service.client.post(
        "/console/login", data={"email": NADIA, "password": PASSWORD}
    )
    assert refused.status_code == 401 and "set-cookie" not in refused.headers
    assert (await service.client.get(ITEM, headers=before.reading)).status_code == 401
    async with service.services.db.transaction() as db:
        await staff.set_disabled(db, email=NADIA, disabled=False)
    await log_in(service.client, NADIA)


async def test_a_console_session_reads_the_admin_api_with_its_role(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    await staff_account(service.services, SALMA, "advisor", "Salma")
    editor, advisor = await log_in(service.client, NADIA), await log_in(service.client, SALMA)
    assert (await service.client.get(ITEM, headers=editor.reading)).status_code == 200
    refused = await service.client.get(ITEM, headers=advisor.reading)
    assert refused.status_code == 403 and "advisor" in refused.json()["detail"]


async def test_an_unsafe_request_without_the_csrf_header_is_refused(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    session = await log_in(service.client, NADIA)
    texts = {"fr": "Merci {name}.", "ar": "شكرا {name}.", "ary": "شكرا {name}."}
    forged = await service.client.put("/admin/canned/merci", headers=session.reading, json=texts)
    wrong = await service.client.put(
        "/admin/canned/merci",
        headers=session.reading | {"X-CSRF-Token": "devine"},
        json=texts,
    )
    genuine = await service.client.put("/admin/canned/merci", headers=session.writing, json=texts)
    assert (forged.status_code, wrong.status_code, genuine.status_code) == (403, 403, 200)
    assert "X-CSRF-Token" in forged.json()["detail"]


async def test_a_login_form_posted_from_another_site_is_refused(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    response = await service.client.post(
        "/console/login",
        data={"email": NADIA, "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403 and "set-cookie" not in response.headers


async def test_an_unknown_session_cookie_is_refused_before_the_body_is_read(service):
    response = await service.client.put(
        ITEM, headers={"Cookie": f"{SESSION_COOKIE}=invented-cookie-value"}, content=b"{" * 500
    )
    assert response.status_code == 401 and "log in again" in response.json()["detail"]


async def test_logging_out_ends_the_session(service):
    await staff_account(service.services, NADIA, "editor", "Nadia")
    session = await log_in(service.client, NADIA)
    out = await service.client.post("/console/logout", headers=session.writing)
    assert out.status_code == 204 and "Max-Age=0" in out.headers["set-cookie"]
    assert (await service.client.get(ITEM, headers=session.reading)).status_code == 401
    assert (
        'action="/console/login"'
        in (await service.client.get("/console", headers=session.reading)).text
    )


def test_the_cli_creates_a_console_account_and_resets_its_password(tmp_path):
    def fadaa(*args: str, stdin: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "api.cli", "admin", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={"FADAA_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
            timeout=120,
            check=False,
        )

    nadia = ("create-user", "--email", NADIA, "--name", "Nadia", "--role", "editor")
    made = fadaa(*nadia, stdin=PASSWORD + "\n")
    again = fadaa(*nadia, stdin=PASSWORD + "\n")
    short = fadaa("reset-password", "--email", NADIA, stdin="court\n")
    reset = fadaa("reset-password", "--email", NADIA, stdin="un-autre-mot-2026\n")
    disabled = fadaa("disable-user", "--email", NADIA, stdin="")
    listed = fadaa("list-users", stdin="")
    assert made.returncode == 0 and "console account 1 (editor)" in made.stdout
    assert again.returncode == 2 and "already has an account" in again.stderr
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    assert reset.returncode == 0 and "sessions are closed" in reset.stdout
    assert disabled.returncode == 0 and "is disabled" in disabled.stdout
    assert listed.stdout == f"1\teditor\tdisabled\t{NADIA}\tNadia\n"
