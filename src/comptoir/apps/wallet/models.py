"""The wallet's tables, prefixed `wallet_`. Every row belongs to one institution: one codebase
serves several institutions on one node, each with its own customers and books.

Amounts are BIGINT minor units. The books (`wallet_entry`, `wallet_posting`) are append-only.
FSPIOP ids (quote, transaction, transfer, request) are unique per institution, not globally:
the payer's and the payee's institution may live on the same node and both know a transfer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base

FSP_ID = 32
PARTY_ID = 128
STATE = 16
CONDITION = 48
CORRELATION = 36  # an FSPIOP CorrelationId: a UUID (ours are UUIDv7) or a ULID


class Institution(Base):
    """A bank, wallet or credit union hosted on this node: its FSPIOP FspId is its id."""

    __tablename__ = "wallet_institution"

    id: Mapped[str] = mapped_column(String(FSP_ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    switch_url: Mapped[str] = mapped_column(String(500))
    switch_fsp_id: Mapped[str] = mapped_column(String(FSP_ID))
    key_id: Mapped[str] = mapped_column(String(100))
    public_jwks: Mapped[dict[str, Any]] = mapped_column(JSON)
    send_fee: Mapped[int] = mapped_column(BigInteger)
    p2p_fee_bps: Mapped[int]
    merchant_fee_bps: Mapped[int]
    merchant_fee_min: Mapped[int] = mapped_column(BigInteger)
    merchant_fee_max: Mapped[int | None] = mapped_column(BigInteger)
    quote_seconds: Mapped[int]
    transfer_seconds: Mapped[int]
    created_at: Mapped[datetime]


class PeerKey(Base):
    """Public keys this institution trusts for FSPIOP-Signature: the switch's, and those of
    other DFSPs whose messages the switch forwards with their own signature."""

    __tablename__ = "wallet_peer_key"

    institution_id: Mapped[str] = mapped_column(
        ForeignKey("wallet_institution.id"), primary_key=True
    )
    fsp_id: Mapped[str] = mapped_column(String(FSP_ID), primary_key=True)
    jwks: Mapped[dict[str, Any]] = mapped_column(JSON)
    added_at: Mapped[datetime]


class Customer(Base):
    __tablename__ = "wallet_customer"
    __table_args__ = (UniqueConstraint("institution_id", "phone"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    phone: Mapped[str] = mapped_column(String(16))  # E.164 with its "+"
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(STATE))  # person | merchant
    merchant_category: Mapped[str | None] = mapped_column(String(4))
    created_at: Mapped[datetime]


class Identifier(Base):
    """A party identifier of a customer, and its registration in the switch's directory."""

    __tablename__ = "wallet_identifier"
    __table_args__ = (UniqueConstraint("institution_id", "party_type", "party_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_customer.id"), index=True)
    party_type: Mapped[str] = mapped_column(String(STATE))
    party_id: Mapped[str] = mapped_column(String(PARTY_ID))
    registration: Mapped[str] = mapped_column(String(STATE))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Account(Base):
    """An account in the institution's books; `code` is `customer:<id>` or an internal name."""

    __tablename__ = "wallet_account"
    __table_args__ = (UniqueConstraint("institution_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    code: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("wallet_customer.id"))
    created_at: Mapped[datetime]


class Entry(Base):
    """A journal entry: postings that sum to zero. Never updated, never deleted."""

    __tablename__ = "wallet_entry"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"), index=True)
    kind: Mapped[str] = mapped_column(String(STATE))
    reference: Mapped[str | None] = mapped_column(String(64), index=True)
    memo: Mapped[str | None] = mapped_column(String(200))
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("wallet_entry.id"))
    created_at: Mapped[datetime]


class Posting(Base):
    __tablename__ = "wallet_posting"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_entry.id"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_account.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)


class Payment(Base):
    """A payment a customer makes (payer side): lookup, quote, then transfer."""

    __tablename__ = "wallet_payment"
    __table_args__ = (
        UniqueConstraint("institution_id", "quote_id"),
        UniqueConstraint("institution_id", "transfer_id"),
        Index("ix_wallet_payment_institution_id_state", "institution_id", "state"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_customer.id"), index=True)
    state: Mapped[str] = mapped_column(String(STATE))
    party_type: Mapped[str] = mapped_column(String(STATE))
    party_id: Mapped[str] = mapped_column(String(PARTY_ID))
    payee_fsp: Mapped[str | None] = mapped_column(String(FSP_ID))
    payee_name: Mapped[str | None] = mapped_column(String(128))
    payee_party: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    scenario: Mapped[str] = mapped_column(String(STATE))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(128))
    quote_id: Mapped[str] = mapped_column(String(CORRELATION))
    transaction_id: Mapped[str] = mapped_column(String(CORRELATION), index=True)
    transaction_request_id: Mapped[str | None] = mapped_column(String(CORRELATION))
    # the original transaction id, for a refund
    refund_of: Mapped[str | None] = mapped_column(String(CORRELATION), index=True)
    refund_reason: Mapped[str | None] = mapped_column(String(128))
    transfer_amount: Mapped[int | None] = mapped_column(BigInteger)
    payee_receive_amount: Mapped[int | None] = mapped_column(BigInteger)
    payee_fee: Mapped[int | None] = mapped_column(BigInteger)
    payer_fee: Mapped[int] = mapped_column(BigInteger)
    quote_expires_at: Mapped[datetime | None]
    ilp_packet: Mapped[str | None] = mapped_column(Text)
    condition: Mapped[str | None] = mapped_column(String(CONDITION))
    transfer_id: Mapped[str | None] = mapped_column(String(CORRELATION))
    transfer_expires_at: Mapped[datetime | None]
    fulfilment: Mapped[str | None] = mapped_column(String(CONDITION))
    error_code: Mapped[str | None] = mapped_column(String(4))
    error_description: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class IncomingQuote(Base):
    """A quote this institution gave as the payee's institution."""

    __tablename__ = "wallet_incoming_quote"
    __table_args__ = (UniqueConstraint("institution_id", "quote_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    quote_id: Mapped[str] = mapped_column(String(CORRELATION))
    transaction_id: Mapped[str] = mapped_column(String(CORRELATION))
    transaction_request_id: Mapped[str | None] = mapped_column(String(CORRELATION))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_customer.id"))
    payer_fsp: Mapped[str] = mapped_column(String(FSP_ID))
    payer_party: Mapped[dict[str, Any]] = mapped_column(JSON)
    scenario: Mapped[str] = mapped_column(String(STATE))
    refund_of: Mapped[str | None] = mapped_column(String(CORRELATION))
    # why the payer's merchant refunds, as its refund's quote said (refundInfo.refundReason)
    refund_reason: Mapped[str | None] = mapped_column(String(128))
    currency: Mapped[str] = mapped_column(String(3))
    transfer_amount: Mapped[int] = mapped_column(BigInteger)
    payee_receive_amount: Mapped[int] = mapped_column(BigInteger)
    payee_fee: Mapped[int] = mapped_column(BigInteger)
    condition: Mapped[str] = mapped_column(String(CONDITION))
    note: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]


class IncomingTransfer(Base):
    """A transfer to one of our customers, credited when we fulfilled it."""

    __tablename__ = "wallet_incoming_transfer"
    __table_args__ = (
        UniqueConstraint("institution_id", "transfer_id"),
        UniqueConstraint("institution_id", "transaction_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    transfer_id: Mapped[str] = mapped_column(String(CORRELATION))
    quote_row_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_incoming_quote.id"))
    transaction_id: Mapped[str] = mapped_column(String(CORRELATION))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_customer.id"), index=True)
    payer_fsp: Mapped[str] = mapped_column(String(FSP_ID))
    state: Mapped[str] = mapped_column(String(STATE))
    confirmed: Mapped[bool]  # the switch's PATCH said COMMITTED
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TransactionRequest(Base):
    """A request to pay: `outgoing` when our merchant asks, `incoming` when our customer is
    asked."""

    __tablename__ = "wallet_transaction_request"
    __table_args__ = (UniqueConstraint("institution_id", "direction", "request_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    request_id: Mapped[str] = mapped_column(String(CORRELATION))
    direction: Mapped[str] = mapped_column(String(STATE))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_customer.id"), index=True)
    state: Mapped[str] = mapped_column(String(STATE))
    party_type: Mapped[str] = mapped_column(String(STATE))  # the other party's identifier
    party_id: Mapped[str] = mapped_column(String(PARTY_ID))
    counterpart_fsp: Mapped[str | None] = mapped_column(String(FSP_ID))
    counterpart_name: Mapped[str | None] = mapped_column(String(128))
    counterpart_party: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    transaction_type: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(128))
    transaction_id: Mapped[str | None] = mapped_column(String(CORRELATION))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("wallet_payment.id"))
    expires_at: Mapped[datetime | None]
    error_code: Mapped[str | None] = mapped_column(String(4))
    error_description: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class InboundRequest(Base):
    """The first POST with an id, and the callback it got: a resend gets the same callback."""

    __tablename__ = "wallet_inbound_request"

    institution_id: Mapped[str] = mapped_column(
        ForeignKey("wallet_institution.id"), primary_key=True
    )
    resource: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(FSP_ID))
    content_hash: Mapped[str] = mapped_column(String(80))
    callback_path: Mapped[str] = mapped_column(String(300))
    callback_body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class SignIn(Base):
    """The one-time code last sent to a phone, the count of wrong codes since, and the codes
    sent in the current window."""

    __tablename__ = "wallet_signin"

    institution_id: Mapped[str] = mapped_column(
        ForeignKey("wallet_institution.id"), primary_key=True
    )
    phone: Mapped[str] = mapped_column(String(16), primary_key=True)
    code_digest: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None]
    failures: Mapped[int]
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    code_sent_at: Mapped[datetime | None]
    window_started_at: Mapped[datetime | None]
    sent_in_window: Mapped[int] = mapped_column(server_default=text("0"))


class WalletSession(Base):
    __tablename__ = "wallet_session"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_customer.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # The refused forms as typed (payment, request to pay, refund), each with why it was
    # refused, for a form to come back after a language switch without a phone number or an
    # amount in a URL (service/form_drafts.py). The column keeps the name it had when only
    # the payment form was kept.
    form_draft: Mapped[dict[str, Any] | None] = mapped_column("pay_draft", JSON)
