"""handoff attachments: the file of a handoff event (kept on disk, or at the user's channel)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.drop_column("attachment")
