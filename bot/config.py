"""All settings in one place: environment variables prefixed FADAA_, or a .env file."""

from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    misunderstandings_before_advisor: int = Field(default=2, ge=1)
    max_message_chars: int = Field(default=4000, ge=100)

    @field_validator("default_language")
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
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        if value.startswith("sqlite://") and not value.startswith("sqlite+aiosqlite://"):
            return "sqlite+aiosqlite://" + value.split("://", 1)[1]
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'fadaa.sqlite').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one readable sentence per field."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = "; ".join(
            f"FADAA_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        raise SettingsError(f"invalid setting — {problems}") from None
