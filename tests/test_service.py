"""The HTTP service as an operator sees it: health, configuration, refusals."""

import logging

import pytest

from bot.config import SettingsError, load_settings
from tests.conftest import database_url
from tests.fakes.telegram_api import text_update
from tests.fakes.whatsapp_api import signed, text_message, webhook
from tests.service import channel_settings, running_service


async def test_health_and_readiness_answer(service):
    assert (await service.client.get("/healthz")).json() == {"status": "ok"}
    assert (await service.client.get("/readyz")).json() == {"status": "ready"}


async def test_a_channel_without_a_token_is_disabled_and_its_webhook_is_404(tmp_path):
    settings = channel_settings(database_url(tmp_path), telegram_token=None)
    async with running_service(settings) as running:
        assert (await running.client.post("/telegram/webhook", json={})).status_code == 404
        body, headers = signed(webhook(text_message("wamid.Z1", "salam")))
        whatsapp = await running.client.post("/whatsapp/webhook", content=body, headers=headers)
        assert whatsapp.status_code == 200


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ({"telegram_webhook_secret": None}, "FADAA_TELEGRAM_WEBHOOK_SECRET"),
        ({"whatsapp_app_secret": None}, "FADAA_WHATSAPP_APP_SECRET"),
        ({"whatsapp_verify_token": None}, "FADAA_WHATSAPP_VERIFY_TOKEN"),
    ],
)
def test_production_refuses_to_start_without_webhook_secrets(tmp_path, missing, named):
    with pytest.raises(SettingsError, match=named):
        channel_settings(database_url(tmp_path), env="production", **missing)


def test_a_telegram_secret_with_forbidden_characters_is_refused():
    with pytest.raises(SettingsError, match="FADAA_TELEGRAM_WEBHOOK_SECRET"):
        load_settings(_env_file=None, telegram_webhook_secret="has spaces!")


async def test_secrets_never_appear_in_logs_or_settings_repr(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with running_service(channel_settings(database_url(tmp_path))) as running:
        await running.client.post(
            "/telegram/webhook",
            json=text_update(1, 42, "salam"),
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"},
        )
        await running.delivered()
        settings_text = repr(running.services.settings)
    everything = caplog.text + settings_text
    for secret in ("123456:TEST-token", "wa-token", "wa-app-secret", "s3cret-Token_1"):
        assert secret not in everything


async def test_an_oversized_body_is_refused_with_413(service):
    response = await service.client.post(
        "/telegram/webhook",
        content=b"x" * 1_000_001,
        headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"},
    )
    assert response.status_code == 413
