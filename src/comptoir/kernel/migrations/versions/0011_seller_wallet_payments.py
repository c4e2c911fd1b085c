"""Seller platforms paid by request to pay: a business's wallet link, and each order's request.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seller_wallet_link",
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("api_url", sa.String(length=500), nullable=False),
        sa.Column("api_key", sa.String(length=200), nullable=False),
        sa.Column("webhook_secret", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["seller_business.id"],
            name=op.f("fk_seller_wallet_link_business_id_seller_business"),
        ),
        sa.PrimaryKeyConstraint("business_id", name=op.f("pk_seller_wallet_link")),
    )
    op.create_table(
        "seller_wallet_payment",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payer", sa.String(length=20), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["seller_business.id"],
            name=op.f("fk_seller_wallet_payment_business_id_seller_business"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["seller_order.id"],
            name=op.f("fk_seller_wallet_payment_order_id_seller_order"),
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_seller_wallet_payment")),
    )
    op.create_index(
        op.f("ix_seller_wallet_payment_business_id"), "seller_wallet_payment", ["business_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_seller_wallet_payment_business_id"), table_name="seller_wallet_payment")
    op.drop_table("seller_wallet_payment")
    op.drop_table("seller_wallet_link")
