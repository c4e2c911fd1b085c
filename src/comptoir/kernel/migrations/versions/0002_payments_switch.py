"""Payments: the switch's ledger, participants, aliases, FSPIOP resources and settlement windows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payments_ledger_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ledger", sa.String(length=3), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("debits_pending", sa.BigInteger(), nullable=False),
        sa.Column("debits_posted", sa.BigInteger(), nullable=False),
        sa.Column("credits_pending", sa.BigInteger(), nullable=False),
        sa.Column("credits_posted", sa.BigInteger(), nullable=False),
        sa.Column("user_data_128", sa.Uuid(), nullable=False),
        sa.Column("user_data_64", sa.BigInteger(), nullable=False),
        sa.Column("user_data_32", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_ledger_account")),
    )
    op.create_table(
        "payments_ledger_failure",
        sa.Column("transfer_id", sa.Uuid(), nullable=False),
        sa.Column("result", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("transfer_id", name=op.f("pk_payments_ledger_failure")),
    )
    op.create_table(
        "payments_participant",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("callback_url", sa.String(length=500), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_participant")),
    )
    op.create_table(
        "payments_quote",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payer_fsp", sa.String(length=32), nullable=False),
        sa.Column("payee_fsp", sa.String(length=32), nullable=False),
        sa.Column("request_hash", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("expiration", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_quote")),
    )
    op.create_table(
        "payments_settlement_window",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_settlement_window")),
    )
    with op.batch_alter_table("payments_settlement_window", schema=None) as batch_op:
        batch_op.create_index("ix_payments_settlement_window_state", ["state"], unique=False)

    op.create_table(
        "payments_transaction_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payee_fsp", sa.String(length=32), nullable=False),
        sa.Column("payer_fsp", sa.String(length=32), nullable=False),
        sa.Column("request_hash", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_transaction_request")),
    )
    op.create_table(
        "payments_transfer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payer_fsp", sa.String(length=32), nullable=False),
        sa.Column("payee_fsp", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("condition", sa.String(length=48), nullable=False),
        sa.Column("ilp_packet", sa.Text(), nullable=False),
        sa.Column("expiration", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("request_hash", sa.String(length=80), nullable=False),
        sa.Column("fulfilment", sa.String(length=48), nullable=True),
        sa.Column("error_code", sa.String(length=4), nullable=True),
        sa.Column("error_description", sa.String(length=128), nullable=True),
        sa.Column("transaction_id", sa.Uuid(), nullable=True),
        sa.Column("refund_of", sa.Uuid(), nullable=True),
        sa.Column("window_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_transfer")),
    )
    with op.batch_alter_table("payments_transfer", schema=None) as batch_op:
        batch_op.create_index("ix_payments_transfer_refund_of", ["refund_of"], unique=False)
        batch_op.create_index(
            "ix_payments_transfer_transaction_id", ["transaction_id"], unique=False
        )
        batch_op.create_index(
            "ix_payments_transfer_state_expiration", ["state", "expiration"], unique=False
        )
        batch_op.create_index("ix_payments_transfer_window_id", ["window_id"], unique=False)

    op.create_table(
        "payments_alias",
        sa.Column("party_type", sa.String(length=32), nullable=False),
        sa.Column("party_id", sa.String(length=128), nullable=False),
        sa.Column("sub_id", sa.String(length=128), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["payments_participant.id"],
            name=op.f("fk_payments_alias_participant_id_payments_participant"),
        ),
        sa.PrimaryKeyConstraint("party_type", "party_id", "sub_id", name=op.f("pk_payments_alias")),
    )
    with op.batch_alter_table("payments_alias", schema=None) as batch_op:
        batch_op.create_index("ix_payments_alias_participant_id", ["participant_id"], unique=False)

    op.create_table(
        "payments_ledger_transfer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("debit_account_id", sa.Uuid(), nullable=False),
        sa.Column("credit_account_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("ledger", sa.String(length=3), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("pending_id", sa.Uuid(), nullable=True),
        sa.Column("timeout", sa.Integer(), nullable=False),
        sa.Column("user_data_128", sa.Uuid(), nullable=False),
        sa.Column("user_data_64", sa.BigInteger(), nullable=False),
        sa.Column("user_data_32", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["credit_account_id"],
            ["payments_ledger_account.id"],
            name=op.f("fk_payments_ledger_transfer_credit_account_id_payments_ledger_account"),
        ),
        sa.ForeignKeyConstraint(
            ["debit_account_id"],
            ["payments_ledger_account.id"],
            name=op.f("fk_payments_ledger_transfer_debit_account_id_payments_ledger_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_ledger_transfer")),
    )
    with op.batch_alter_table("payments_ledger_transfer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payments_ledger_transfer_expires_at", ["expires_at"], unique=False
        )
        batch_op.create_index(
            "ix_payments_ledger_transfer_pending_id", ["pending_id"], unique=False
        )
        batch_op.create_index("ix_payments_ledger_transfer_timestamp", ["timestamp"], unique=False)

    op.create_table(
        "payments_hub_account",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["payments_ledger_account.id"],
            name=op.f("fk_payments_hub_account_account_id_payments_ledger_account"),
        ),
        sa.PrimaryKeyConstraint("currency", "code", name=op.f("pk_payments_hub_account")),
    )
    op.create_table(
        "payments_participant_currency",
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("position_account_id", sa.Uuid(), nullable=False),
        sa.Column("liquidity_account_id", sa.Uuid(), nullable=False),
        sa.Column("ndc_account_id", sa.Uuid(), nullable=False),
        sa.Column("net_debit_cap", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["liquidity_account_id"],
            ["payments_ledger_account.id"],
            name=op.f(
                "fk_payments_participant_currency_liquidity_account_id_payments_ledger_account"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["ndc_account_id"],
            ["payments_ledger_account.id"],
            name=op.f("fk_payments_participant_currency_ndc_account_id_payments_ledger_account"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["payments_participant.id"],
            name=op.f("fk_payments_participant_currency_participant_id_payments_participant"),
        ),
        sa.ForeignKeyConstraint(
            ["position_account_id"],
            ["payments_ledger_account.id"],
            name=op.f(
                "fk_payments_participant_currency_position_account_id_payments_ledger_account"
            ),
        ),
        sa.PrimaryKeyConstraint(
            "participant_id", "currency", name=op.f("pk_payments_participant_currency")
        ),
    )


def downgrade() -> None:
    op.drop_table("payments_participant_currency")
    op.drop_table("payments_hub_account")
    with op.batch_alter_table("payments_ledger_transfer", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_ledger_transfer_timestamp")
        batch_op.drop_index("ix_payments_ledger_transfer_pending_id")
        batch_op.drop_index("ix_payments_ledger_transfer_expires_at")

    op.drop_table("payments_ledger_transfer")
    with op.batch_alter_table("payments_alias", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_alias_participant_id")

    op.drop_table("payments_alias")
    with op.batch_alter_table("payments_transfer", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_transfer_window_id")
        batch_op.drop_index("ix_payments_transfer_state_expiration")
        batch_op.drop_index("ix_payments_transfer_transaction_id")
        batch_op.drop_index("ix_payments_transfer_refund_of")

    op.drop_table("payments_transfer")
    op.drop_table("payments_transaction_request")
    with op.batch_alter_table("payments_settlement_window", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_settlement_window_state")

    op.drop_table("payments_settlement_window")
    op.drop_table("payments_quote")
    op.drop_table("payments_participant")
    op.drop_table("payments_ledger_failure")
    op.drop_table("payments_ledger_account")
