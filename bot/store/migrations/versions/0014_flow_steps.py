"""flow steps: the guided flows' steps reached, counted by the insights' funnels

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flow_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_flow_steps_user_id", "flow_steps", ["user_id"])
    op.create_index("ix_flow_steps_at", "flow_steps", ["at"])


def downgrade() -> None:
    op.drop_index("ix_flow_steps_at", table_name="flow_steps")
    op.drop_index("ix_flow_steps_user_id", table_name="flow_steps")
    op.drop_table("flow_steps")
