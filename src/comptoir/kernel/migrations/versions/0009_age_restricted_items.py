"""Age-restricted items: a seller flags an item (rum, tobacco) as sold to adults only, and the
buyer app keeps the flag with each offer it receives, to ask for an "age over 18" credential.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("seller_item", "buyer_result"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("age_restricted", sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade() -> None:
    for table in ("buyer_result", "seller_item"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("age_restricted")
