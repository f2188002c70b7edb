"""All settings in one place: environment variables prefixed FADAA_, or a .env file."""

from __future__ import annotations

import os
import re
import socket
from datetime import date, time, timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy import make_url

from bot.handoff.hours import OfficeHours
from bot.reminders.rules import DispatchPolicy

MIN_PRODUCTION_SECRET = 16  # a guessable webhook secret lets anyone write as any user


class Environment(StrEnum):
    development = "development"
    production = "production"


class SettingsError(Exception):
    """A setting has an invalid value; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FADAA_", env_file=".env", extra="ignore")

    env: Environment = Environment.development
    data_dir: Path = Field(default=Path("data"), description="Where the SQLite file lives.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; empty means a SQLite file in data_dir.",
    )
    default_language: str = "ary"
    timezone: str = "Africa/Casablanca"
    clarify_threshold: float = Field(default=0.35, ge=0, le=1)
    act_threshold: float = Field(default=0.6, ge=0, le=1)
    out_of_scope_threshold: float = Field(default=0.8, ge=0, le=1)
    misunderstandings_before_advisor: int = Field(default=2, ge=1)
    max_message_chars: int = Field(default=4000, ge=100)

    reminder_tick_seconds: float = Field(default=1.0, gt=0)
    reminder_lease_seconds: int = Field(default=30, ge=1)
    reminder_late_after_minutes: int = Field(default=60, ge=0)
    reminder_late_policy: Literal["send", "skip"] = "send"
    outbox_lease_seconds: int = Field(
        default=30,
        ge=3,
        description="a sender's claim, renewed while it works; a dead "
        "sender's messages go out again after about 1.5 times this",
    )
    web_sends: bool = Field(
        default=True,
        description="web processes send the replies they queue; false: they leave the "
        "outbox to `fadaa worker` processes (`fadaa serve --no-outbox`)",
    )
    worker_poll_seconds: float = Field(
        default=0.2,
        gt=0,
        description="how often an idle `fadaa worker` looks for messages queued by other processes",
    )
    message_retention_days: int = Field(default=365, ge=1)
    admin_requests_per_minute: int = Field(default=120, ge=1)
    console_logins_per_minute: int = Field(
        default=10,
        ge=1,
        description="console login attempts per IP address, whatever the accounts tried",
    )
    migrate_on_start: bool = Field(
        default=True,
        description="serve/worker upgrade the schema themselves (under a lock); "
        "false: they wait for `fadaa migrate`",
    )
    schema_wait_seconds: float = Field(default=300, ge=0)
    worker_id: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")

    log_format: Literal["text", "json"] = "text"
    access_log: bool = Field(
        default=True, description="uvicorn's line per request (off: the webhook's CPU only)"
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="bearer token for GET /metrics; empty: this host only"
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = Field(default=None, description="https base URL for webhooks")

    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_messages_per_second: float = Field(
        default=30, gt=0, description="overall send rate (Telegram's limit for one bot)"
    )
    campaign_telegram_per_second: float = Field(
        default=25, gt=0, description="campaign messages a second on Telegram (the rest: replies)"
    )
    campaign_whatsapp_per_second: float = Field(
        default=60, gt=0, description="campaign messages a second on WhatsApp (Cloud API: 80)"
    )
    campaign_whatsapp_users_per_day: int = Field(
        default=1000, ge=0, description="WhatsApp messaging tier: users reached in 24 hours"
    )
    campaign_tick_seconds: float = Field(default=0.2, gt=0)

    advisor_group_id: int | None = Field(
        default=None, description="the advisors' Telegram supergroup (with topics)"
    )
    advisor_telegram_ids: list[int] = Field(
        default_factory=list, description="advisors' Telegram user ids, besides the API's list"
    )
    advisor_language: str = Field(default="fr", description="language of the advisors' desk")
    advisor_weekdays: list[int] = Field(
        default=[0, 1, 2, 3, 4], description="open days, 0 = Monday"
    )
    advisor_opens: time = time(9, 0)
    advisor_closes: time = time(16, 30)
    advisor_public_holidays: bool = Field(
        default=True, description="closed on Morocco's public holidays (holidays package)"
    )
    advisor_closed_dates: list[date] = Field(
        default_factory=list, description='more closed days, e.g. ["2026-12-31"]'
    )
    handoff_no_answer_minutes: int = Field(default=120, ge=1)
    handoff_idle_days: int = Field(
        default=7, ge=1, description="an open handoff silent this long goes back to the bot"
    )
    advisor_group_messages_per_minute: float = Field(
        default=20, gt=0, description="Telegram's limit for one group"
    )

    whatsapp_phone_id: str | None = None
    whatsapp_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_base: str = "https://graph.facebook.com"
    whatsapp_template_name: str = "fadaa_message"
    whatsapp_template_languages: dict[str, str] = Field(
        default={"ary": "ar", "ar": "ar", "fr": "fr"},
        description="template language code per conversation language",
    )

    web_enabled: bool = Field(default=True, description="the web chat (/chat, /widget.js, /web/*)")
    web_session_secret: SecretStr | None = Field(
        default=None, description="signs web chat sessions; development keeps one in data_dir"
    )
    web_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="sites that may embed the chat and call /web/* (comma-separated origins)",
    )
    web_session_idle_days: int = Field(default=30, ge=1)
    web_messages_per_minute: int = Field(default=20, ge=1, description="per chat session")
    web_address_requests_per_minute: int = Field(
        default=60, ge=1, description="messages and new sessions per IP address"
    )
    web_poll_seconds: float = Field(
        default=1.0, gt=0, description="how often a chat stream looks for replies queued elsewhere"
    )
    web_stream_seconds: float = Field(
        default=300, gt=0, description="a chat stream ends after this; the browser reconnects"
    )
    telegram_bot_username: str | None = Field(
        default=None, description="for t.me links that carry a web conversation over"
    )
    whatsapp_number: str | None = Field(
        default=None, description="the WhatsApp number in international digits, for wa.me links"
    )

    def dispatch_policy(self) -> DispatchPolicy:
        return DispatchPolicy(
            late_after=timedelta(minutes=self.reminder_late_after_minutes),
            skip_late=self.reminder_late_policy == "skip",
            lease=timedelta(seconds=self.reminder_lease_seconds),
        )

    def secret_values(self) -> list[str]:
        secrets = (
            self.telegram_token,
            self.telegram_webhook_secret,
            self.whatsapp_token,
            self.whatsapp_app_secret,
            self.whatsapp_verify_token,
            self.metrics_token,
            self.web_session_secret,
        )
        return [s.get_secret_value() for s in secrets if s]

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token and self.telegram_token.get_secret_value())

    @property
    def whatsapp_enabled(self) -> bool:
        token = self.whatsapp_token.get_secret_value() if self.whatsapp_token else ""
        return bool(token and self.whatsapp_phone_id)

    @field_validator("metrics_token")
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value and value.get_secret_value() else None

    @field_validator("web_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_format(cls, value: SecretStr | None) -> SecretStr | None:
        secret = value.get_secret_value() if value else ""
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ValueError("must be 1-256 characters from A-Z a-z 0-9 _ -")
        return value or None

    @model_validator(mode="after")
    def _advisor_group_needs_telegram(self) -> Settings:
        if self.advisor_group_id is not None and not self.telegram_enabled:
            raise ValueError(
                "FADAA_ADVISOR_GROUP_ID needs FADAA_TELEGRAM_TOKEN (the bot that "
                "posts in the advisors' group)"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_webhook_secrets(self) -> Settings:
        if self.env != Environment.production:
            return self
        secrets = self._required_secrets()
        missing = [name for name, value in secrets.items() if not value]
        if missing:
            raise ValueError(f"production mode needs {', '.join(missing)}")
        weak = [
            name for name, value in secrets.items() if len(value.strip()) < MIN_PRODUCTION_SECRET
        ]
        if weak:
            raise ValueError(
                f"production mode needs {', '.join(weak)} of at least "
                f"{MIN_PRODUCTION_SECRET} characters (not blank)"
            )
        return self

    def _required_secrets(self) -> dict[str, str]:
        def value(secret: SecretStr | None) -> str:
            return secret.get_secret_value() if secret else ""

        required = {}
        if self.telegram_enabled:
            required["FADAA_TELEGRAM_WEBHOOK_SECRET"] = value(self.telegram_webhook_secret)
        if self.whatsapp_enabled:
            required["FADAA_WHATSAPP_APP_SECRET"] = value(self.whatsapp_app_secret)
            required["FADAA_WHATSAPP_VERIFY_TOKEN"] = value(self.whatsapp_verify_token)
        if self.web_enabled:
            required["FADAA_WEB_SESSION_SECRET"] = value(self.web_session_secret)
        return required

    @property
    def desk_enabled(self) -> bool:
        return self.telegram_enabled and self.advisor_group_id is not None

    def office_hours(self) -> OfficeHours:
        return OfficeHours(
            weekdays=frozenset(self.advisor_weekdays),
            opens=self.advisor_opens,
            closes=self.advisor_closes,
            zone=self.timezone,
            public_holidays=self.advisor_public_holidays,
            closed_dates=frozenset(self.advisor_closed_dates),
        )

    @field_validator("advisor_weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value or any(day not in range(7) for day in value):
            raise ValueError("must list at least one day, 0 (Monday) to 6 (Sunday)")
        return value

    @field_validator("default_language", "advisor_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("fr", "ar", "ary"):
            raise ValueError("must be one of fr, ar, ary")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        if not value:
            return None
        if value.startswith(("postgresql://", "postgres://")):
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("postgresql+asyncpg://"):
            return _ssl_for_asyncpg(value)
        if value.startswith("sqlite://") and not value.startswith("sqlite+aiosqlite://"):
            return "sqlite+aiosqlite://" + value.split("://", 1)[1]
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'fadaa.sqlite').resolve()}"


def _ssl_for_asyncpg(url: str) -> str:
    """libpq's `sslmode=require` (what hosting providers print) is asyncpg's `ssl=require`."""
    parsed = make_url(url)
    if "sslmode" not in parsed.query:
        return url
    mode = parsed.query["sslmode"]
    parsed = parsed.difference_update_query(["sslmode"]).update_query_dict({"ssl": mode})
    return parsed.render_as_string(hide_password=False)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning pydantic's report into one readable sentence per field."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = "; ".join(_describe(e) for e in error.errors())
        raise SettingsError(f"invalid setting — {problems}") from None


def _describe(error: ErrorDetails) -> str:
    if not error["loc"]:
        return str(error["msg"]).removeprefix("Value error, ")
    return f"FADAA_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
