"""Switch directory: the POST /participants requests (many parties at once) and their answers,
so that a resend is answered the same and a changed resend is told 3106.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payments_alias_batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("request_hash", sa.String(length=80), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["payments_participant.id"],
            name=op.f("fk_payments_alias_batch_participant_id_payments_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_alias_batch")),
    )


def downgrade() -> None:
    op.drop_table("payments_alias_batch")
