"""The ledger's pending-id and expiry indexes hold only the transfers that have those keys.

A transfer resolves a pending one (pending_id) or may lapse (expires_at), seldom both; every
other row cost each of the two indexes a write of a NULL key that no query reads.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLE = "payments_ledger_transfer"
COLUMNS = ("pending_id", "expires_at")


def _index(column: str) -> str:
    return f"ix_{TABLE}_{column}"


def upgrade() -> None:
    for column in COLUMNS:
        op.drop_index(_index(column), table_name=TABLE)
        present = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            _index(column), TABLE, [column], sqlite_where=present, postgresql_where=present
        )


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(_index(column), table_name=TABLE)
        op.create_index(_index(column), TABLE, [column])
