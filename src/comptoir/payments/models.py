"""The switch's tables: the ledger (append-only), participants, aliases, FSPIOP resources and
settlement windows. Only the payments services touch these."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base

# -- the ledger ---------------------------------------------------------------------------------


class LedgerAccountRow(Base):
    """An account of the double-entry ledger; only its four balances ever change."""

    __tablename__ = "payments_ledger_account"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    ledger: Mapped[str] = mapped_column(String(3))
    code: Mapped[int] = mapped_column(Integer)
    flags: Mapped[int] = mapped_column(Integer)
    debits_pending: Mapped[int] = mapped_column(BigInteger)
    debits_posted: Mapped[int] = mapped_column(BigInteger)
    credits_pending: Mapped[int] = mapped_column(BigInteger)
    credits_posted: Mapped[int] = mapped_column(BigInteger)
    user_data_128: Mapped[uuid.UUID]
    user_data_64: Mapped[int] = mapped_column(BigInteger)
    user_data_32: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[int] = mapped_column(BigInteger)


class LedgerTransferRow(Base):
    """A transfer of the ledger: appended once, never updated or deleted."""

    __tablename__ = "payments_ledger_transfer"
    __table_args__ = (
        # Partial: a transfer either resolves a pending one or may lapse, seldom both, and
        # never-filled keys would cost every insert an index write for nothing.
        Index(
            "ix_payments_ledger_transfer_pending_id",
            "pending_id",
            sqlite_where=text("pending_id IS NOT NULL"),
            postgresql_where=text("pending_id IS NOT NULL"),
        ),
        Index("ix_payments_ledger_transfer_timestamp", "timestamp"),
        Index(
            "ix_payments_ledger_transfer_expires_at",
            "expires_at",
            sqlite_where=text("expires_at IS NOT NULL"),
            postgresql_where=text("expires_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    debit_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_ledger_account.id"))
    credit_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_ledger_account.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    ledger: Mapped[str] = mapped_column(String(3))
    code: Mapped[int] = mapped_column(Integer)
    flags: Mapped[int] = mapped_column(Integer)
    pending_id: Mapped[uuid.UUID | None]
    timeout: Mapped[int] = mapped_column(Integer)
    user_data_128: Mapped[uuid.UUID]
    user_data_64: Mapped[int] = mapped_column(BigInteger)
    user_data_32: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[int] = mapped_column(BigInteger)
    # When a pending transfer stops being postable (timestamp + timeout), for the expiry sweep.
    expires_at: Mapped[int | None] = mapped_column(BigInteger)


class LedgerFailureRow(Base):
    """A transfer id that failed for good: a resend answers the same failure, never succeeds."""

    __tablename__ = "payments_ledger_failure"

    transfer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    result: Mapped[str] = mapped_column(String(64))


class HubAccountRow(Base):
    """The hub's own accounts per currency: reconciliation, settlement and fees."""

    __tablename__ = "payments_hub_account"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    code: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_ledger_account.id"))


# -- participants and the alias directory -----------------------------------------------------


class ParticipantRow(Base):
    """A DFSP (bank, wallet, credit union) connected to the switch."""

    __tablename__ = "payments_participant"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    callback_url: Mapped[str] = mapped_column(String(500))
    jwks: Mapped[dict[str, Any]]
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]


class ParticipantCurrencyRow(Base):
    """A currency a participant holds, with its three ledger accounts."""

    __tablename__ = "payments_participant_currency"

    participant_id: Mapped[str] = mapped_column(
        ForeignKey("payments_participant.id"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    position_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_ledger_account.id"))
    liquidity_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("payments_ledger_account.id")
    )
    ndc_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments_ledger_account.id"))
    net_debit_cap: Mapped[int] = mapped_column(BigInteger)


class AliasRow(Base):
    """Which DFSP holds a party: MSISDN, EMAIL, BUSINESS or ALIAS (`name@dfsp`)."""

    __tablename__ = "payments_alias"
    __table_args__ = (Index("ix_payments_alias_participant_id", "participant_id"),)

    party_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    # "" when the alias has no sub-id: part of the key, so never NULL.
    sub_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("payments_participant.id"))
    currency: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime]


class AliasBatchRow(Base):
    """A POST /participants (many parties at once) and the answer it got, so that a resend gets
    the same answer and a changed resend under the same requestId is told 3106."""

    __tablename__ = "payments_alias_batch"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("payments_participant.id"))
    request_hash: Mapped[str] = mapped_column(String(80))
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


# -- FSPIOP resources -----------------------------------------------------------------------------


class QuoteRow(Base):
    __tablename__ = "payments_quote"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    payer_fsp: Mapped[str] = mapped_column(String(32))
    payee_fsp: Mapped[str] = mapped_column(String(32))
    request_hash: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(16))
    expiration: Mapped[datetime | None]
    response: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    # The id as the DFSP wrote it when that was a ULID (FSPIOP v2.0 allows both); the key
    # is the UUID of the same 128 bits.
    ulid: Mapped[str | None] = mapped_column(String(26))


class TransferRow(Base):
    """An FSPIOP transfer as the switch sees it: RECEIVED, RESERVED, COMMITTED or ABORTED."""

    __tablename__ = "payments_transfer"
    __table_args__ = (
        Index("ix_payments_transfer_state_expiration", "state", "expiration"),
        Index("ix_payments_transfer_window_id", "window_id"),
        Index("ix_payments_transfer_refund_of", "refund_of"),
        Index("ix_payments_transfer_transaction_id", "transaction_id"),
        # The operator's pages list transfers newest first, page by page on (created_at, id).
        Index("ix_payments_transfer_created_at_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    payer_fsp: Mapped[str] = mapped_column(String(32))
    payee_fsp: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    condition: Mapped[str] = mapped_column(String(48))
    ilp_packet: Mapped[str] = mapped_column(Text)
    expiration: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))
    request_hash: Mapped[str] = mapped_column(String(80))
    fulfilment: Mapped[str | None] = mapped_column(String(48))
    error_code: Mapped[str | None] = mapped_column(String(4))
    error_description: Mapped[str | None] = mapped_column(String(128))
    # The FSPIOP transaction the ILP packet carries: how a refund names what it refunds.
    transaction_id: Mapped[uuid.UUID | None]
    refund_of: Mapped[uuid.UUID | None]
    window_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    # The id as the DFSP wrote it when that was a ULID (FSPIOP v2.0 allows both); the key
    # is the UUID of the same 128 bits.
    ulid: Mapped[str | None] = mapped_column(String(26))


class TransactionRequestRow(Base):
    __tablename__ = "payments_transaction_request"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    payee_fsp: Mapped[str] = mapped_column(String(32))
    payer_fsp: Mapped[str] = mapped_column(String(32))
    request_hash: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    # The id as the DFSP wrote it when that was a ULID (FSPIOP v2.0 allows both); the key
    # is the UUID of the same 128 bits.
    ulid: Mapped[str | None] = mapped_column(String(26))
    # The payee's deadline for an answer, when it set one (migration 0022).
    expiration: Mapped[datetime | None] = mapped_column(default=None)


# -- settlement -----------------------------------------------------------------------------------


class SettlementWindowRow(Base):
    """OPEN → CLOSED → PENDING_SETTLEMENT → SETTLED; closing one opens the next."""

    __tablename__ = "payments_settlement_window"
    __table_args__ = (Index("ix_payments_settlement_window_state", "state"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(24))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]


__all__ = [
    "AliasRow",
    "LedgerAccountRow",
    "LedgerFailureRow",
    "LedgerTransferRow",
    "ParticipantCurrencyRow",
    "ParticipantRow",
    "QuoteRow",
    "SettlementWindowRow",
    "TransactionRequestRow",
    "TransferRow",
]
