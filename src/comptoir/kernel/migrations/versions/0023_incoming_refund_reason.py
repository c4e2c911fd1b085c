"""Wallet: the reason a merchant gave for a refund, kept by the wallet that receives it, so the
customer refunded can read why.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wallet_incoming_quote") as batch:
        batch.add_column(sa.Column("refund_reason", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wallet_incoming_quote") as batch:
        batch.drop_column("refund_reason")
