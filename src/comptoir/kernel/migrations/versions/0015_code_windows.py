"""Sign-in codes are counted per phone and window: at most five to one phone in an hour.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLE = "identity_one_time_code"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as table:
        table.add_column(sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(
            sa.Column("sent_in_window", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as table:
        table.drop_column("sent_in_window")
        table.drop_column("window_started_at")
