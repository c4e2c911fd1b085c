"""The wallet's merchant API: API keys and the requests to pay made with them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallet_merchant_api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sa.String(length=24), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("webhook_secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["wallet_customer.id"],
            name=op.f("fk_wallet_merchant_api_key_customer_id_wallet_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_merchant_api_key_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_merchant_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_wallet_merchant_api_key_prefix")),
    )
    op.create_index(
        op.f("ix_wallet_merchant_api_key_customer_id"),
        "wallet_merchant_api_key",
        ["customer_id"],
    )
    op.create_table(
        "wallet_merchant_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("api_key_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("asked_id", sa.Uuid(), nullable=False),
        sa.Column("callback_url", sa.String(length=500), nullable=True),
        sa.Column("final_status", sa.String(length=16), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["wallet_merchant_api_key.id"],
            name=op.f("fk_wallet_merchant_request_api_key_id_wallet_merchant_api_key"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["wallet_customer.id"],
            name=op.f("fk_wallet_merchant_request_customer_id_wallet_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_merchant_request_institution_id_wallet_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["asked_id"],
            ["wallet_transaction_request.id"],
            name=op.f("fk_wallet_merchant_request_asked_id_wallet_transaction_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_merchant_request")),
        sa.UniqueConstraint(
            "customer_id",
            "reference",
            name=op.f("uq_wallet_merchant_request_customer_id_reference"),
        ),
    )
    op.create_index(
        op.f("ix_wallet_merchant_request_final_status"),
        "wallet_merchant_request",
        ["final_status"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_wallet_merchant_request_final_status"), table_name="wallet_merchant_request"
    )
    op.drop_table("wallet_merchant_request")
    op.drop_index(
        op.f("ix_wallet_merchant_api_key_customer_id"), table_name="wallet_merchant_api_key"
    )
    op.drop_table("wallet_merchant_api_key")
