"""The wallet's sign-in codes wait between sends and are counted per phone and window: at most
five to one phone at one institution in an hour.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLE = "wallet_signin"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as table:
        table.add_column(sa.Column("code_sent_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(
            sa.Column("sent_in_window", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as table:
        table.drop_column("sent_in_window")
        table.drop_column("window_started_at")
        table.drop_column("code_sent_at")
