"""Form drafts kept on the server, so that what a person typed never travels in a URL: the
shop's checkout details on the order (until the details are sent or the order is placed), and
a refused payment form on the wallet's sign-in session (until a payment starts or the session
ends). Switching language on either form brings them back from here.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

DRAFTS = (("buyer_order", "checkout_draft"), ("wallet_session", "pay_draft"))


def upgrade() -> None:
    for table, column in DRAFTS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.JSON(), nullable=True))


def downgrade() -> None:
    for table, column in reversed(DRAFTS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
