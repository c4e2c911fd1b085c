"""The identity registry (people, businesses, one-time codes, sessions, method locks,
passkeys) and the SMS channel's outbox of messages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_one_time_code",
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=True),
        sa.Column("code_digest", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_identity_one_time_code")),
    )
    op.create_table(
        "identity_person",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("birthdate", sa.Date(), nullable=False),
        sa.Column("national_id", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("enrolled_by", sa.String(length=200), nullable=False),
        sa.Column("agent_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_person")),
        sa.UniqueConstraint("national_id", name=op.f("uq_identity_person_national_id")),
        sa.UniqueConstraint("phone", name=op.f("uq_identity_person_phone")),
    )
    op.create_table(
        "sms_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(length=16), nullable=False),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_message")),
        sa.UniqueConstraint("event_id", name=op.f("uq_sms_message_event_id")),
    )
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_message_recipient"), ["recipient"], unique=False)

    op.create_table(
        "identity_business",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("sector", sa.String(length=100), nullable=False),
        sa.Column("women_owned", sa.Boolean(), nullable=True),
        sa.Column("youth_owned", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["identity_person.id"],
            name=op.f("fk_identity_business_owner_id_identity_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_business")),
        sa.UniqueConstraint(
            "registration_number", name=op.f("uq_identity_business_registration_number")
        ),
    )
    with op.batch_alter_table("identity_business", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_business_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "identity_method_lock",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["identity_person.id"],
            name=op.f("fk_identity_method_lock_person_id_identity_person"),
        ),
        sa.PrimaryKeyConstraint("person_id", "method", name=op.f("pk_identity_method_lock")),
    )
    op.create_table(
        "identity_passkey",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["identity_person.id"],
            name=op.f("fk_identity_passkey_person_id_identity_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_passkey")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_identity_passkey_credential_id")),
    )
    with op.batch_alter_table("identity_passkey", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_passkey_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "identity_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["identity_person.id"],
            name=op.f("fk_identity_session_person_id_identity_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_session")),
    )
    with op.batch_alter_table("identity_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_session_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_session_person_id"))

    op.drop_table("identity_session")
    with op.batch_alter_table("identity_passkey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_passkey_person_id"))

    op.drop_table("identity_passkey")
    op.drop_table("identity_method_lock")
    with op.batch_alter_table("identity_business", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_business_owner_id"))

    op.drop_table("identity_business")
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_message_recipient"))

    op.drop_table("sms_message")
    op.drop_table("identity_person")
    op.drop_table("identity_one_time_code")
