"""Switch requests to pay: the request's own expiration, so that a payer's answer that comes
after it is not passed on (3301 to both DFSPs), as a quote answered too late is not.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments_transaction_request") as batch:
        batch.add_column(sa.Column("expiration", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments_transaction_request") as batch:
        batch.drop_column("expiration")
