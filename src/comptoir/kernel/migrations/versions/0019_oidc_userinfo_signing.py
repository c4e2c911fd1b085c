"""Relying parties: whether each registered for a signed userinfo response
(`userinfo_signed_response_alg`, OpenID Connect Registration 1.0 section 2). Without it the
claims are a JSON object (OpenID Connect Core 1.0 section 5.3.2); clients registered before
had only ever been sent signed answers, and keep them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_CLIENT = "identity_oidc_client"
_COLUMN = "userinfo_signed_response_alg"


def upgrade() -> None:
    with op.batch_alter_table(_CLIENT) as batch:
        batch.add_column(sa.Column(_COLUMN, sa.String(length=16), nullable=True))
    clients = sa.table(_CLIENT, sa.column(_COLUMN, sa.String(length=16)))
    op.execute(clients.update().values({_COLUMN: "ES256"}))


def downgrade() -> None:
    with op.batch_alter_table(_CLIENT) as batch:
        batch.drop_column(_COLUMN)
