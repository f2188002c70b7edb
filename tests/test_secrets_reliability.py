"""Webhook secrets strong enough for production, and never in the logs, even
percent-encoded in a logged URL (issue #19)."""

import logging
from urllib.parse import quote, quote_plus

import pytest

from bot.config import SettingsError
from bot.redaction import redact_in_logs
from tests.conftest import database_url
from tests.service import channel_settings

STRONG = "A" * 16


@pytest.mark.parametrize(
    ("weak", "named"),
    [
        ({"telegram_webhook_secret": "x"}, "FADAA_TELEGRAM_WEBHOOK_SECRET"),
        ({"whatsapp_app_secret": " "}, "FADAA_WHATSAPP_APP_SECRET"),
        ({"whatsapp_verify_token": "short-token"}, "FADAA_WHATSAPP_VERIFY_TOKEN"),
        ({"whatsapp_app_secret": " " * 20}, "FADAA_WHATSAPP_APP_SECRET"),
    ],
)
def test_production_refuses_short_or_blank_webhook_secrets(tmp_path, weak, named):
    strong = {
        "telegram_webhook_secret": STRONG,
        "whatsapp_app_secret": STRONG,
        "whatsapp_verify_token": STRONG,
        "web_session_secret": STRONG,
    }
    with pytest.raises(SettingsError, match=named):
        channel_settings(database_url(tmp_path), env="production", **(strong | weak))


def test_production_accepts_16_character_secrets(tmp_path):
    settings = channel_settings(
        database_url(tmp_path),
        env="production",
        telegram_webhook_secret=STRONG,
        whatsapp_app_secret=STRONG,
        whatsapp_verify_token=STRONG,
        web_session_secret=STRONG,
    )
    assert settings.env == "production"


def test_a_secret_is_redacted_even_percent_encoded_in_a_logged_url(caplog):
    secret = "verify me/+&=token"
    redact_in_logs([secret])
    caplog.set_level(logging.INFO)
    access = logging.getLogger("tests.access")  # formatted like uvicorn's access log
    for form in (quote(secret, safe=""), quote_plus(secret)):
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1",
            "GET",
            f"/whatsapp/webhook?hub.verify_token={form}&hub.challenge=1",
            "1.1",
            200,
        )
    assert "me%2F" not in caplog.text and "me%2f" not in caplog.text
    assert caplog.text.count("verify_token=***&") == 2
