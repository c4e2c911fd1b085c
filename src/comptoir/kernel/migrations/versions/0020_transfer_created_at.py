"""Switch transfers: an index on (created_at, id), for the operator's pages, which list the
transfers newest first and page through them by that pair.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_INDEX = "ix_payments_transfer_created_at_id"


def upgrade() -> None:
    op.create_index(_INDEX, "payments_transfer", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="payments_transfer")
