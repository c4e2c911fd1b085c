"""The credential issuer: status lists, issued credentials, offers and nonces.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_credential_status_list",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_credential_status_list")),
    )
    op.create_table(
        "identity_credential",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=True),
        sa.Column("holder_thumbprint", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_credential")),
        sa.UniqueConstraint(
            "status_list_id",
            "status_index",
            name=op.f("uq_identity_credential_status_list_id_status_index"),
        ),
    )
    op.create_index(op.f("ix_identity_credential_person_id"), "identity_credential", ["person_id"])
    op.create_table(
        "identity_credential_offer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=True),
        sa.Column("tx_code_failures", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credential_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_credential_offer")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_identity_credential_offer_code_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_identity_credential_offer_token_hash")),
    )
    op.create_index(
        op.f("ix_identity_credential_offer_person_id"), "identity_credential_offer", ["person_id"]
    )
    op.create_table(
        "identity_credential_nonce",
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("value_hash", name=op.f("pk_identity_credential_nonce")),
    )
    op.create_index(
        op.f("ix_identity_credential_nonce_expires_at"), "identity_credential_nonce", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_identity_credential_nonce_expires_at"), table_name="identity_credential_nonce"
    )
    op.drop_table("identity_credential_nonce")
    op.drop_index(
        op.f("ix_identity_credential_offer_person_id"), table_name="identity_credential_offer"
    )
    op.drop_table("identity_credential_offer")
    op.drop_index(op.f("ix_identity_credential_person_id"), table_name="identity_credential")
    op.drop_table("identity_credential")
    op.drop_table("identity_credential_status_list")
