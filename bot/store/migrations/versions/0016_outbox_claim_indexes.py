"""outbox claim indexes: partial indexes over the unsent rows, read by every claim

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in bot/store/models.py at this revision
UNSENT_DUE = "status = 'pending'"
UNSENT = "status IN ('pending', 'sending')"


def upgrade() -> None:
    for name, columns, where in (
        ("ix_outbox_due", ["channel", "priority", "id"], UNSENT_DUE),
        ("ix_outbox_unsent", ["user_id", "channel", "id"], UNSENT),
    ):
        op.create_index(
            name,
            "outbox",
            columns,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
