"""Settings: defaults that work with nothing set, and invalid values named clearly."""

import pytest

from bot.config import SettingsError, load_settings


def test_with_nothing_set_the_database_is_a_sqlite_file_in_the_data_directory(tmp_path):
    settings = load_settings(data_dir=tmp_path, _env_file=None)
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'fadaa.sqlite'}"


def test_a_plain_postgresql_url_gets_the_async_driver(monkeypatch):
    monkeypatch.setenv("FADAA_DATABASE_URL", "postgresql://fadaa:pw@db:5432/fadaa")
    settings = load_settings(_env_file=None)
    assert settings.resolved_database_url == "postgresql+asyncpg://fadaa:pw@db:5432/fadaa"


def test_a_hosting_providers_sslmode_becomes_the_drivers_ssl_option(monkeypatch):
    monkeypatch.setenv(
        "FADAA_DATABASE_URL", "postgres://fadaa:pw@db.example:5432/fadaa?sslmode=require"
    )
    settings = load_settings(_env_file=None)
    assert settings.resolved_database_url == (
        "postgresql+asyncpg://fadaa:pw@db.example:5432/fadaa?ssl=require"
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FADAA_DEFAULT_LANGUAGE", "en"),
        ("FADAA_ACT_THRESHOLD", "1.5"),
        ("FADAA_ENV", "staging"),
        ("FADAA_ADVISOR_WEEKDAYS", "[0, 7]"),
        ("FADAA_ADVISOR_OPENS", "9h"),
    ],
)
def test_an_invalid_value_names_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings(_env_file=None)


def test_advisors_ids_group_and_hours_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("FADAA_ADVISOR_GROUP_ID", "-1001234567890")
    monkeypatch.setenv("FADAA_ADVISOR_TELEGRAM_IDS", "[9001, 9002]")
    monkeypatch.setenv("FADAA_ADVISOR_CLOSES", "15:00")
    settings = load_settings(_env_file=None, telegram_token="1:x")
    assert (settings.advisor_group_id, settings.advisor_telegram_ids) == (
        -1001234567890,
        [9001, 9002],
    )
    assert settings.desk_enabled and str(settings.advisor_closes) == "15:00:00"


def test_an_advisors_group_without_a_telegram_bot_is_refused(monkeypatch):
    monkeypatch.setenv("FADAA_ADVISOR_GROUP_ID", "-1001234567890")
    with pytest.raises(SettingsError, match="FADAA_TELEGRAM_TOKEN"):
        load_settings(_env_file=None)
