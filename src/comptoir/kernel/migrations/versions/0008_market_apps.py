"""The reference market apps: seller platforms (Beckn BPPs) with their businesses, items and
orders, and the buyer app (a Beckn BAP) with its searches, results and orders.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buyer_app",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("subscriber_id", sa.String(length=200), nullable=False),
        sa.Column("unique_key_id", sa.String(length=100), nullable=False),
        sa.Column("registry_url", sa.String(length=500), nullable=False),
        sa.Column("gateway_url", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_app")),
        sa.UniqueConstraint("subscriber_id", name=op.f("uq_buyer_app_subscriber_id")),
    )
    op.create_table(
        "seller_platform",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("subscriber_id", sa.String(length=200), nullable=False),
        sa.Column("unique_key_id", sa.String(length=100), nullable=False),
        sa.Column("registry_url", sa.String(length=500), nullable=False),
        sa.Column("gateway_url", sa.String(length=500), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("service_fee", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_platform")),
        sa.UniqueConstraint("subscriber_id", name=op.f("uq_seller_platform_subscriber_id")),
    )
    op.create_table(
        "buyer_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("app_id", sa.String(length=32), nullable=False),
        sa.Column("shopper", sa.String(length=64), nullable=False),
        sa.Column("bpp_id", sa.String(length=200), nullable=False),
        sa.Column("bpp_uri", sa.String(length=500), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("quote", sa.JSON(), nullable=True),
        sa.Column("contract_id", sa.String(length=64), nullable=True),
        sa.Column("fulfilment", sa.String(length=20), nullable=True),
        sa.Column("payment_method", sa.String(length=20), nullable=True),
        sa.Column("buyer", sa.JSON(), nullable=True),
        sa.Column("payment", sa.JSON(), nullable=True),
        sa.Column("seller_state", sa.String(length=20), nullable=True),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("pending_action", sa.String(length=20), nullable=True),
        sa.Column("last_message_id", sa.Uuid(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("support", sa.JSON(), nullable=True),
        sa.Column("tracking", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["buyer_app.id"], name=op.f("fk_buyer_order_app_id_buyer_app")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_order")),
    )
    op.create_index(op.f("ix_buyer_order_shopper"), "buyer_order", ["shopper"], unique=False)
    op.create_table(
        "buyer_search",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("app_id", sa.String(length=32), nullable=False),
        sa.Column("words", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["buyer_app.id"], name=op.f("fk_buyer_search_app_id_buyer_app")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_search")),
    )
    op.create_table(
        "seller_business",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("platform_id", sa.String(length=32), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("payment_alias", sa.String(length=128), nullable=True),
        sa.Column("cash_on_delivery", sa.Boolean(), nullable=False),
        sa.Column("pickup", sa.Boolean(), nullable=False),
        sa.Column("delivery", sa.Boolean(), nullable=False),
        sa.Column("delivery_fee", sa.BigInteger(), nullable=False),
        sa.Column("return_days", sa.Integer(), nullable=False),
        sa.Column("credential", sa.Text(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["seller_platform.id"],
            name=op.f("fk_seller_business_platform_id_seller_platform"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_business")),
        sa.UniqueConstraint(
            "platform_id", "phone", name=op.f("uq_seller_business_platform_id_phone")
        ),
        sa.UniqueConstraint(
            "platform_id", "slug", name=op.f("uq_seller_business_platform_id_slug")
        ),
    )
    op.create_table(
        "buyer_result",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("search_id", sa.Uuid(), nullable=False),
        sa.Column("bpp_id", sa.String(length=200), nullable=False),
        sa.Column("bpp_uri", sa.String(length=500), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["search_id"], ["buyer_search.id"], name=op.f("fk_buyer_result_search_id_buyer_search")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_result")),
    )
    op.create_index(op.f("ix_buyer_result_search_id"), "buyer_result", ["search_id"], unique=False)
    op.create_table(
        "seller_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("returnable", sa.Boolean(), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price > 0", name=op.f("ck_seller_item_price_positive")),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_seller_item_stock_not_negative")),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["seller_business.id"],
            name=op.f("fk_seller_item_business_id_seller_business"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_item")),
    )
    op.create_index(
        op.f("ix_seller_item_business_id"), "seller_item", ["business_id"], unique=False
    )
    op.create_table(
        "seller_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("platform_id", sa.String(length=32), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("bap_id", sa.String(length=200), nullable=False),
        sa.Column("bap_uri", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("fees", sa.JSON(), nullable=False),
        sa.Column("fulfilment", sa.String(length=20), nullable=False),
        sa.Column("payment_method", sa.String(length=20), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("buyer", sa.JSON(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["seller_business.id"],
            name=op.f("fk_seller_order_business_id_seller_business"),
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["seller_platform.id"],
            name=op.f("fk_seller_order_platform_id_seller_platform"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_order")),
    )
    op.create_index(
        op.f("ix_seller_order_business_id"), "seller_order", ["business_id"], unique=False
    )
    op.create_index(
        op.f("ix_seller_order_platform_id_transaction_id"),
        "seller_order",
        ["platform_id", "transaction_id"],
        unique=False,
    )
    op.create_table(
        "seller_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["seller_business.id"],
            name=op.f("fk_seller_session_business_id_seller_business"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_session")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_seller_session_token_digest")),
    )
    op.create_table(
        "seller_signin",
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["seller_business.id"],
            name=op.f("fk_seller_signin_business_id_seller_business"),
        ),
        sa.PrimaryKeyConstraint("business_id", name=op.f("pk_seller_signin")),
    )


def downgrade() -> None:
    op.drop_table("seller_signin")
    op.drop_table("seller_session")
    op.drop_index(op.f("ix_seller_order_platform_id_transaction_id"), table_name="seller_order")
    op.drop_index(op.f("ix_seller_order_business_id"), table_name="seller_order")
    op.drop_table("seller_order")
    op.drop_index(op.f("ix_seller_item_business_id"), table_name="seller_item")
    op.drop_table("seller_item")
    op.drop_index(op.f("ix_buyer_result_search_id"), table_name="buyer_result")
    op.drop_table("buyer_result")
    op.drop_table("seller_business")
    op.drop_table("buyer_search")
    op.drop_index(op.f("ix_buyer_order_shopper"), table_name="buyer_order")
    op.drop_table("buyer_order")
    op.drop_table("seller_platform")
    op.drop_table("buyer_app")
