"""The reference wallet: institutions, customers, books, payments, quotes, transfers,
requests to pay, sign-in codes and sessions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallet_institution",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("switch_url", sa.String(length=500), nullable=False),
        sa.Column("switch_fsp_id", sa.String(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=100), nullable=False),
        sa.Column("public_jwks", sa.JSON(), nullable=False),
        sa.Column("send_fee", sa.BigInteger(), nullable=False),
        sa.Column("p2p_fee_bps", sa.Integer(), nullable=False),
        sa.Column("merchant_fee_bps", sa.Integer(), nullable=False),
        sa.Column("merchant_fee_min", sa.BigInteger(), nullable=False),
        sa.Column("merchant_fee_max", sa.BigInteger(), nullable=True),
        sa.Column("quote_seconds", sa.Integer(), nullable=False),
        sa.Column("transfer_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_institution")),
    )
    op.create_table(
        "wallet_customer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("merchant_category", sa.String(length=4), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_customer_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_customer")),
        sa.UniqueConstraint(
            "institution_id", "phone", name=op.f("uq_wallet_customer_institution_id_phone")
        ),
    )
    op.create_table(
        "wallet_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("memo", sa.String(length=200), nullable=True),
        sa.Column("reverses_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_entry_institution_id_wallet_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["wallet_entry.id"],
            name=op.f("fk_wallet_entry_reverses_id_wallet_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_entry")),
    )
    with op.batch_alter_table("wallet_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_entry_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_wallet_entry_reference"), ["reference"], unique=False)

    op.create_table(
        "wallet_inbound_request",
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("callback_path", sa.String(length=300), nullable=False),
        sa.Column("callback_body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_inbound_request_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint(
            "institution_id", "resource", "request_id", name=op.f("pk_wallet_inbound_request")
        ),
    )
    op.create_table(
        "wallet_peer_key",
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("fsp_id", sa.String(length=32), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_peer_key_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "fsp_id", name=op.f("pk_wallet_peer_key")),
    )
    op.create_table(
        "wallet_signin",
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_signin_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint("institution_id", "phone", name=op.f("pk_wallet_signin")),
    )
    op.create_table(
        "wallet_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["wallet_customer.id"],
            name=op.f("fk_wallet_account_customer_id_wallet_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_account_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_account")),
        sa.UniqueConstraint(
            "institution_id", "code", name=op.f("uq_wallet_account_institution_id_code")
        ),
    )
    op.create_table(
        "wallet_identifier",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("party_type", sa.String(length=16), nullable=False),
        sa.Column("party_id", sa.String(length=128), nullable=False),
        sa.Column("registration", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["wallet_customer.id"],
            name=op.f("fk_wallet_identifier_customer_id_wallet_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_identifier_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_identifier")),
        sa.UniqueConstraint(
            "institution_id",
            "party_type",
            "party_id",
            name=op.f("uq_wallet_identifier_institution_id_party_type_party_id"),
        ),
    )
    with op.batch_alter_table("wallet_identifier", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_identifier_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "wallet_incoming_quote",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("quote_id", sa.String(length=36), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=False),
        sa.Column("transaction_request_id", sa.String(length=36), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("payer_fsp", sa.String(length=32), nullable=False),
        sa.Column("payer_party", sa.JSON(), nullable=False),
        sa.Column("scenario", sa.String(length=16), nullable=False),
        sa.Column("refund_of", sa.String(length=36), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("transfer_amount", sa.BigInteger(), nullable=False),
        sa.Column("payee_receive_amount", sa.BigInteger(), nullable=False),
        sa.Column("payee_fee", sa.BigInteger(), nullable=False),
        sa.Column("condition", sa.String(length=48), nullable=False),
        sa.Column("note", sa.String(length=128), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["wallet_customer.id"],
            name=op.f("fk_wallet_incoming_quote_customer_id_wallet_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_incoming_quote_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_incoming_quote")),
        sa.UniqueConstraint(
            "institution_id",
            "quote_id",
            name=op.f("uq_wallet_incoming_quote_institution_id_quote_id"),
        ),
    )
    op.create_table(
        "wallet_payment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("party_type", sa.String(length=16), nullable=False),
        sa.Column("party_id", sa.String(length=128), nullable=False),
        sa.Column("payee_fsp", sa.String(length=32), nullable=True),
        sa.Column("payee_name", sa.String(length=128), nullable=True),
        sa.Column("payee_party", sa.JSON(), nullable=True),
        sa.Column("scenario", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=128), nullable=True),
        sa.Column("quote_id", sa.String(length=36), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=False),
        sa.Column("transaction_request_id", sa.String(length=36), nullable=True),
        sa.Column("refund_of", sa.String(length=36), nullable=True),
        sa.Column("refund_reason", sa.String(length=128), nullable=True),
        sa.Column("transfer_amount", sa.BigInteger(), nullable=True),
        sa.Column("payee_receive_amount", sa.BigInteger(), nullable=True),
        sa.Column("payee_fee", sa.BigInteger(), nullable=True),
        sa.Column("payer_fee", sa.BigInteger(), nullable=False),
        sa.Column("quote_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ilp_packet", sa.Text(), nullable=True),
        sa.Column("condition", sa.String(length=48), nullable=True),
        sa.Column("transfer_id", sa.String(length=36), nullable=True),
        sa.Column("transfer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fulfilment", sa.String(length=48), nullable=True),
        sa.Column("error_code", sa.String(length=4), nullable=True),
        sa.Column("error_description", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["wallet_customer.id"],
            name=op.f("fk_wallet_payment_customer_id_wallet_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_payment_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_payment")),
        sa.UniqueConstraint(
            "institution_id", "quote_id", name=op.f("uq_wallet_payment_institution_id_quote_id")
        ),
        sa.UniqueConstraint(
            "institution_id",
            "transfer_id",
            name=op.f("uq_wallet_payment_institution_id_transfer_id"),
        ),
    )
    with op.batch_alter_table("wallet_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_payment_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_wallet_payment_institution_id_state"),
            ["institution_id", "state"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_wallet_payment_refund_of"), ["refund_of"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_wallet_payment_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "wallet_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["wallet_customer.id"],
            name=op.f("fk_wallet_session_customer_id_wallet_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_session_institution_id_wallet_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_session")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_wallet_session_token_digest")),
    )
    with op.batch_alter_table("wallet_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_session_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "wallet_incoming_transfer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("transfer_id", sa.String(length=36), nullable=False),
        sa.Column("quote_row_id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("payer_fsp", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["wallet_customer.id"],
            name=op.f("fk_wallet_incoming_transfer_customer_id_wallet_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_incoming_transfer_institution_id_wallet_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["quote_row_id"],
            ["wallet_incoming_quote.id"],
            name=op.f("fk_wallet_incoming_transfer_quote_row_id_wallet_incoming_quote"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_incoming_transfer")),
        sa.UniqueConstraint(
            "institution_id",
            "transaction_id",
            name=op.f("uq_wallet_incoming_transfer_institution_id_transaction_id"),
        ),
        sa.UniqueConstraint(
            "institution_id",
            "transfer_id",
            name=op.f("uq_wallet_incoming_transfer_institution_id_transfer_id"),
        ),
    )
    with op.batch_alter_table("wallet_incoming_transfer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_incoming_transfer_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "wallet_posting",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wallet_account.id"],
            name=op.f("fk_wallet_posting_account_id_wallet_account"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["wallet_entry.id"], name=op.f("fk_wallet_posting_entry_id_wallet_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_posting")),
    )
    with op.batch_alter_table("wallet_posting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_posting_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_wallet_posting_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "wallet_transaction_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("party_type", sa.String(length=16), nullable=False),
        sa.Column("party_id", sa.String(length=128), nullable=False),
        sa.Column("counterpart_fsp", sa.String(length=32), nullable=True),
        sa.Column("counterpart_name", sa.String(length=128), nullable=True),
        sa.Column("counterpart_party", sa.JSON(), nullable=True),
        sa.Column("transaction_type", sa.JSON(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=128), nullable=True),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=4), nullable=True),
        sa.Column("error_description", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["wallet_customer.id"],
            name=op.f("fk_wallet_transaction_request_customer_id_wallet_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["wallet_institution.id"],
            name=op.f("fk_wallet_transaction_request_institution_id_wallet_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["wallet_payment.id"],
            name=op.f("fk_wallet_transaction_request_payment_id_wallet_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_transaction_request")),
        sa.UniqueConstraint(
            "institution_id",
            "direction",
            "request_id",
            name=op.f("uq_wallet_transaction_request_institution_id_direction_request_id"),
        ),
    )
    with op.batch_alter_table("wallet_transaction_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_transaction_request_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wallet_transaction_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_transaction_request_customer_id"))

    op.drop_table("wallet_transaction_request")
    with op.batch_alter_table("wallet_posting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_posting_entry_id"))
        batch_op.drop_index(batch_op.f("ix_wallet_posting_account_id"))

    op.drop_table("wallet_posting")
    with op.batch_alter_table("wallet_incoming_transfer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_incoming_transfer_customer_id"))

    op.drop_table("wallet_incoming_transfer")
    with op.batch_alter_table("wallet_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_session_customer_id"))

    op.drop_table("wallet_session")
    with op.batch_alter_table("wallet_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_payment_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_wallet_payment_refund_of"))
        batch_op.drop_index(batch_op.f("ix_wallet_payment_institution_id_state"))
        batch_op.drop_index(batch_op.f("ix_wallet_payment_customer_id"))

    op.drop_table("wallet_payment")
    op.drop_table("wallet_incoming_quote")
    with op.batch_alter_table("wallet_identifier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_identifier_customer_id"))

    op.drop_table("wallet_identifier")
    op.drop_table("wallet_account")
    op.drop_table("wallet_signin")
    op.drop_table("wallet_peer_key")
    op.drop_table("wallet_inbound_request")
    with op.batch_alter_table("wallet_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_entry_reference"))
        batch_op.drop_index(batch_op.f("ix_wallet_entry_institution_id"))

    op.drop_table("wallet_entry")
    op.drop_table("wallet_customer")
    op.drop_table("wallet_institution")
