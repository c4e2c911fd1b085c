"""The OpenID provider: relying parties, pushed requests, codes, access tokens, consents,
releases of attributes and recently seen one-time identifiers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_CLIENT = "identity_oidc_client"
_CONSENT = "identity_oidc_consent"


def _client_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["client_id"], [f"{_CLIENT}.id"], name=op.f(f"fk_{table}_client_id_{_CLIENT}")
    )


def _consent_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["consent_id"], [f"{_CONSENT}.id"], name=op.f(f"fk_{table}_consent_id_{_CONSENT}")
    )


def upgrade() -> None:
    op.create_table(
        _CLIENT,
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("post_logout_redirect_uris", sa.JSON(), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.String(length=500), nullable=False),
        sa.Column("sector", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_CLIENT}")),
    )
    op.create_table(
        _CONSENT,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("claims_asked", sa.JSON(), nullable=False),
        sa.Column("claims_granted", sa.JSON(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _client_fk(_CONSENT),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_CONSENT}")),
        sa.UniqueConstraint(
            "person_id",
            "client_id",
            "version",
            name=op.f(f"uq_{_CONSENT}_person_id_client_id_version"),
        ),
    )
    op.create_index(op.f(f"ix_{_CONSENT}_person_id"), _CONSENT, ["person_id"], unique=False)
    op.create_table(
        "identity_oidc_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("handle_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        _client_fk("identity_oidc_request"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_oidc_request")),
        sa.UniqueConstraint("handle_hash", name=op.f("uq_identity_oidc_request_handle_hash")),
    )
    op.create_table(
        "identity_oidc_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("grant", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        _client_fk("identity_oidc_code"),
        _consent_fk("identity_oidc_code"),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_identity_oidc_code")),
    )
    op.create_table(
        "identity_oidc_token",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("userinfo_claims", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _client_fk("identity_oidc_token"),
        _consent_fk("identity_oidc_token"),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_identity_oidc_token")),
    )
    op.create_index(
        op.f("ix_identity_oidc_token_code_hash"), "identity_oidc_token", ["code_hash"], unique=False
    )
    op.create_table(
        "identity_oidc_release",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        _client_fk("identity_oidc_release"),
        _consent_fk("identity_oidc_release"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_oidc_release")),
    )
    op.create_index(
        op.f("ix_identity_oidc_release_person_id"),
        "identity_oidc_release",
        ["person_id"],
        unique=False,
    )
    op.create_table(
        "identity_oidc_seen_jti",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_identity_oidc_seen_jti")),
    )
    op.create_index(
        op.f("ix_identity_oidc_seen_jti_expires_at"),
        "identity_oidc_seen_jti",
        ["expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_identity_oidc_seen_jti_expires_at"), table_name="identity_oidc_seen_jti")
    op.drop_table("identity_oidc_seen_jti")
    op.drop_index(op.f("ix_identity_oidc_release_person_id"), table_name="identity_oidc_release")
    op.drop_table("identity_oidc_release")
    op.drop_index(op.f("ix_identity_oidc_token_code_hash"), table_name="identity_oidc_token")
    op.drop_table("identity_oidc_token")
    op.drop_table("identity_oidc_code")
    op.drop_table("identity_oidc_request")
    op.drop_index(op.f(f"ix_{_CONSENT}_person_id"), table_name=_CONSENT)
    op.drop_table(_CONSENT)
    op.drop_table(_CLIENT)
