"""The network: the registry's subscribers and keys, the gateway's catalogue index.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_subscriber",
        sa.Column("subscriber_id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=3), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("domain", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subscriber_id", name=op.f("pk_network_subscriber")),
    )
    op.create_table(
        "network_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscriber_id", sa.String(length=255), nullable=False),
        sa.Column("unique_key_id", sa.String(length=128), nullable=False),
        sa.Column("signing_public_key", sa.String(length=200), nullable=False),
        sa.Column("encryption_public_key", sa.String(length=200), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proven_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["network_subscriber.subscriber_id"],
            name=op.f("fk_network_key_subscriber_id_network_subscriber"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_key")),
        sa.UniqueConstraint(
            "subscriber_id",
            "unique_key_id",
            name=op.f("uq_network_key_subscriber_id_unique_key_id"),
        ),
    )
    op.create_table(
        "network_catalog",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bpp_id", sa.String(length=255), nullable=False),
        sa.Column("bpp_uri", sa.String(length=500), nullable=False),
        sa.Column("catalog_id", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=64), nullable=True),
        sa.Column("city", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_catalog")),
        sa.UniqueConstraint(
            "bpp_id", "catalog_id", name=op.f("uq_network_catalog_bpp_id_catalog_id")
        ),
    )
    op.create_table(
        "network_catalog_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("catalog_id", sa.Uuid(), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("resource", sa.JSON(), nullable=False),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalog_id"],
            ["network_catalog.id"],
            name=op.f("fk_network_catalog_item_catalog_id_network_catalog"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_catalog_item")),
    )
    with op.batch_alter_table("network_catalog_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_catalog_item_catalog_id"), ["catalog_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("network_catalog_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_catalog_item_catalog_id"))
    op.drop_table("network_catalog_item")
    op.drop_table("network_catalog")
    op.drop_table("network_key")
    op.drop_table("network_subscriber")
