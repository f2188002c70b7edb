"""Alembic environment: always handed a live connection by bot.store.database.migrate."""

from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from bot.store.models import Base, UTCDateTime

connection = context.config.attributes["connection"]


def render_item(kind: str, item: object, autogen_context: AutogenContext) -> str | Literal[False]:
    """New migrations spell UTCDateTime as the column type it stores."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
