"""Helpers for console tests: staff accounts made through bot.staff, and logging in through
the real login form."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from api.auth import CSRF_HEADER, SESSION_COOKIE
from bot import staff
from bot.channels.service import Services

PASSWORD = "zitoun-w-argan-2026"
NADIA = "nadia.editrice@odco.ma"
SALMA = "salma.conseillere@odco.ma"


async def staff_account(
    services: Services, email: str, role: str, name: str, password: str = PASSWORD
) -> None:
    async with services.db.transaction() as session:
        await staff.create(session, email=email, name=name, role=role, password=password)


@dataclass
class Session:
    cookie: str
    csrf: str

    @property
    def reading(self) -> dict[str, str]:
        return {"Cookie": f"{SESSION_COOKIE}={self.cookie}"}

    @property
    def writing(self) -> dict[str, str]:
        return self.reading | {CSRF_HEADER: self.csrf}


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Session:
    response = await client.post(
        "/console/login", data={"email": email, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    cookie = response.cookies.get(SESSION_COOKIE) or _set_cookie_value(response)
    page = await client.get("/console", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf, page.text
    return Session(cookie, csrf.group(1))


def _set_cookie_value(response: httpx.Response) -> str:
    header = response.headers["set-cookie"]
    return header.split(";", 1)[0].split("=", 1)[1]
