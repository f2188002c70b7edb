"""reliability: unprocessable webhook bodies, the channel's id of each sent reply

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unprocessable_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unprocessable_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unprocessable_updates_received_at"), ["received_at"], unique=False
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_message_id", sa.String(length=128), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_channel_message_id"), ["channel_message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_channel_message_id"))
        batch_op.drop_column("channel_message_id")
    with op.batch_alter_table("unprocessable_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unprocessable_updates_received_at"))
    op.drop_table("unprocessable_updates")
