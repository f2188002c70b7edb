"""An unauthenticated or oversized request costs almost nothing: bodies are refused while
they stream in, before being read whole (issue #19)."""

import pytest

from tests.service import TELEGRAM_SECRET

MB = b"x" * (1 << 20)


class Chunks:
    """A streamed request body that counts how much of it the server pulled."""

    def __init__(self, megabytes: int) -> None:
        self.megabytes = megabytes
        self.pulled = 0

    async def __aiter__(self):
        for _ in range(self.megabytes):
            self.pulled += 1
            yield MB


async def test_an_unsigned_whatsapp_post_is_refused_before_its_body_is_read(service):
    body = Chunks(100)
    response = await service.client.post("/whatsapp/webhook", content=body)
    assert response.status_code == 403
    assert body.pulled <= 1


async def test_an_admin_request_without_a_valid_token_is_refused_before_its_body(service):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        body = Chunks(100)
        response = await service.client.put(
            "/admin/content/x", content=body, headers=headers | {"Content-Type": "application/json"}
        )
        assert response.status_code == 401
        assert body.pulled <= 1


async def test_a_big_telegram_body_is_refused_while_streaming(service):
    body = Chunks(10)  # chunked: no Content-Length to refuse it on
    response = await service.client.post(
        "/telegram/webhook",
        content=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert response.status_code == 413
    assert body.pulled <= 2


@pytest.mark.parametrize("route", ["/telegram/webhook", "/whatsapp/webhook", "/admin/content/x"])
async def test_a_declared_length_over_the_limit_is_refused_at_once(service, route):
    response = await service.client.post(
        route,
        content=b"{}",
        headers={"Content-Length": "104857600", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert response.status_code == 413
