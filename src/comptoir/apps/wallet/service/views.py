"""What the use cases hand to pages and commands: plain frozen data, no database rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from comptoir.kernel.money import Money


@dataclass(frozen=True)
class InstitutionView:
    id: str
    name: str
    currency: str
    switch_url: str
    switch_fsp_id: str
    callback_url: str
    send_fee: Money
    p2p_fee_bps: int
    merchant_fee_bps: int


@dataclass(frozen=True)
class InstitutionCreated:
    institution: InstitutionView
    key_id: str
    private_key_path: Path
    public_jwks_path: Path


@dataclass(frozen=True)
class IdentifierView:
    party_type: str
    party_id: str
    registration: str
    error: str | None


@dataclass(frozen=True)
class CustomerView:
    id: uuid.UUID
    institution_id: str
    phone: str
    name: str
    kind: str
    merchant_category: str | None
    balance: Money
    identifiers: tuple[IdentifierView, ...]

    @property
    def is_merchant(self) -> bool:
        return self.kind == "merchant"

    @property
    def alias(self) -> str | None:
        for identifier in self.identifiers:
            if identifier.party_type == "ALIAS" and identifier.registration != "removed":
                return identifier.party_id
        return None


@dataclass(frozen=True)
class PaymentView:
    id: uuid.UUID
    state: str
    recipient: str  # the phone number or alias the payer gave
    payee_name: str | None
    payee_fsp: str | None
    scenario: str
    amount: Money
    payee_receive_amount: Money | None
    payee_fee: Money | None
    payer_fee: Money
    total: Money  # what leaves the payer's account
    note: str | None
    quote_expires_at: datetime | None
    transfer_id: str | None
    transaction_id: str
    transaction_request_id: str | None
    refund_of: str | None
    error_code: str | None
    error_description: str | None
    created_at: datetime
    completed_at: datetime | None
    refund_reason: str | None = None  # for a refund, why the merchant gives it


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    kind: str  # the entry kind: deposit, reserve, commit, release, receive, reverse, on_us
    amount: Money  # signed: what it did to the customer's balance
    reference: str | None
    memo: str | None
    refund: bool = False  # the entry sends, returns or receives a refund


@dataclass(frozen=True)
class RequestView:
    id: uuid.UUID
    request_id: str
    direction: str  # incoming: our customer is asked to pay; outgoing: our merchant asks
    state: str
    party: str  # the other side's identifier
    counterpart_name: str | None
    amount: Money
    note: str | None
    payment_id: uuid.UUID | None
    error_code: str | None
    error_description: str | None
    created_at: datetime


@dataclass(frozen=True)
class ReceivedPaymentView:
    """A payment one of our merchants received, and what is left of it to refund."""

    transfer_id: str
    transaction_id: str
    payer_name: str | None
    payer: str
    payer_fsp: str
    scenario: str
    amount: Money  # what the payer sent
    received: Money  # what the merchant got, after the fee
    fee: Money
    refundable: Money  # what is left of it to refund, now or later
    refundable_now: Money  # the most the merchant's balance allows to refund at once, now
    state: str
    at: datetime
    note: str | None = None  # the payer's note
    refund_reason: str | None = None  # why the payer refunds, when it is a refund
