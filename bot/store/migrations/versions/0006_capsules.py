"""capsules

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 23:35:22.812797
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "capsules",
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("caption", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("video_file", sa.String(length=255), nullable=True),
        sa.Column("video_url", sa.String(length=500), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("telegram_file_id", sa.String(length=255), nullable=True),
        sa.Column("whatsapp_media_id", sa.String(length=255), nullable=True),
        sa.Column("whatsapp_media_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:

    op.drop_table("capsules")
