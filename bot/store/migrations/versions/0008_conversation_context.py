"""conversation context: the topic of the last answer, the answers before it, what was asked

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("conversation_states", sa.Column("context", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("conversation_states", "context")
