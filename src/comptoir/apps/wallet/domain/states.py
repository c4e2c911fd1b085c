"""The states of what the wallet tracks, and the moves allowed between them.

A payment (payer side) goes LOOKUP → QUOTING → QUOTED → SENDING → COMMITTED, or ends FAILED or
CANCELLED on the way; a payment to a customer of the same institution goes straight from
QUOTED to COMMITTED. Money is reserved only in SENDING, so FAILED after SENDING releases it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.kernel.i18n import lazy


class PaymentState(StrEnum):
    LOOKUP = "lookup"  # GET /parties sent, waiting for PUT /parties
    QUOTING = "quoting"  # POST /quotes sent, waiting for PUT /quotes
    QUOTED = "quoted"  # the payer sees the name, the fees and the total
    SENDING = "sending"  # money reserved, POST /transfers sent
    COMMITTED = "committed"
    FAILED = "failed"
    CANCELLED = "cancelled"


PAYMENT_MOVES: Final[dict[PaymentState, frozenset[PaymentState]]] = {
    PaymentState.LOOKUP: frozenset(
        {PaymentState.QUOTING, PaymentState.QUOTED, PaymentState.FAILED, PaymentState.CANCELLED}
    ),
    PaymentState.QUOTING: frozenset(
        {PaymentState.QUOTED, PaymentState.FAILED, PaymentState.CANCELLED}
    ),
    PaymentState.QUOTED: frozenset(
        {
            PaymentState.SENDING,
            PaymentState.COMMITTED,
            PaymentState.FAILED,
            PaymentState.CANCELLED,
        }
    ),
    PaymentState.SENDING: frozenset({PaymentState.COMMITTED, PaymentState.FAILED}),
    PaymentState.COMMITTED: frozenset(),
    PaymentState.FAILED: frozenset(),
    PaymentState.CANCELLED: frozenset(),
}


def can_move(current: PaymentState, new: PaymentState) -> bool:
    return new in PAYMENT_MOVES[current]


def move(current: PaymentState, new: PaymentState) -> PaymentState:
    if not can_move(current, new):
        raise WalletError(
            "payment_state",
            lazy("This payment was already answered; it cannot change now."),
        )
    return new


class IncomingTransferState(StrEnum):
    """A transfer to one of our customers: credited (COMMITTED) or not (ABORTED)."""

    COMMITTED = "committed"
    ABORTED = "aborted"


class RequestState(StrEnum):
    """A request to pay, on either side. The FSPIOP TransactionRequestState values RECEIVED,
    PENDING, ACCEPTED and REJECTED, plus where our side of it stands."""

    LOOKUP = "lookup"  # (payee side) finding the payer's institution
    SENT = "sent"  # (payee side) POST /transactionRequests sent
    RECEIVED = "received"  # the payer's institution has it
    PENDING = "pending"  # shown to the payer
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PAID = "paid"  # the transfer it asked for is committed
    FAILED = "failed"


OPEN_REQUEST_STATES: Final = frozenset(
    {RequestState.LOOKUP, RequestState.SENT, RequestState.RECEIVED, RequestState.PENDING}
)


class Registration(StrEnum):
    """An identifier in the switch's directory."""

    PENDING = "pending"  # POST /participants sent
    REGISTERED = "registered"
    FAILED = "failed"
    REMOVING = "removing"  # DELETE /participants sent
    REMOVED = "removed"
