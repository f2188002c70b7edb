"""Schema-driven fuzzing of the admin API (schemathesis against /openapi.json): whatever
it sends, with a valid admin token or without one, the service never answers 5xx."""

import asyncio

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from api.main import create_app
from bot import admin_tokens
from bot.store.database import Database
from tests.fakes.servers import serving
from tests.service import channel_settings

ADMIN: dict[str, str] = {}


@pytest.fixture(scope="module")
def admin_schema(tmp_path_factory):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}"
    ADMIN["Authorization"] = f"Bearer {asyncio.run(_admin_token(url))}"
    app = create_app(
        channel_settings(
            url, telegram_token=None, whatsapp_token=None, admin_requests_per_minute=100_000
        )
    )
    with serving(app) as base:
        yield schemathesis.openapi.from_url(f"{base}/openapi.json").include(path_regex="^/admin")


async def _admin_token(url: str) -> str:
    db = Database(url)
    await db.migrate()
    async with db.transaction() as session:
        _row, token = await admin_tokens.create(session, name="fuzzer", role="admin")
    await db.dispose()
    return token


def test_the_admin_api_never_fails_with_a_server_error(admin_schema):
    operations = [result.ok() for result in admin_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def never_5xx(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=ADMIN, checks=[not_a_server_error])

        never_5xx()
