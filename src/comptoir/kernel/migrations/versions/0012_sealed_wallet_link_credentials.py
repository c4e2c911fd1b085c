"""Seller wallet links keep their API key and webhook secret sealed: longer columns.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seller_wallet_link") as batch:
        batch.alter_column(
            "api_key", existing_type=sa.String(length=200), type_=sa.String(length=400)
        )
        batch.alter_column(
            "webhook_secret", existing_type=sa.String(length=64), type_=sa.String(length=200)
        )


def downgrade() -> None:
    with op.batch_alter_table("seller_wallet_link") as batch:
        batch.alter_column(
            "webhook_secret", existing_type=sa.String(length=200), type_=sa.String(length=64)
        )
        batch.alter_column(
            "api_key", existing_type=sa.String(length=400), type_=sa.String(length=200)
        )
