"""Ledger transfers: single-phase, pending, post-pending and void-pending, as in TigerBeetle.

A transfer debits one account and credits another by the same amount, in one currency, so
every transfer's postings sum to zero. Transfers are never changed or deleted: a pending
transfer is resolved by a second transfer that posts or voids it (or, past its timeout, by the
void the ledger appends when it expires), and a mistake is corrected by a new transfer.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag
from typing import NamedTuple
from uuid import UUID

from comptoir.payments.domain.accounts import ZERO_ID

__all__ = ["PendingStatus", "Transfer", "TransferCode", "TransferFlags"]


class TransferFlags(IntFlag):
    """TigerBeetle's transfer flags (same bits for the four it shares), plus `EXPIRY`."""

    NONE = 0
    LINKED = 1 << 0
    """This transfer succeeds or fails with the next one in the batch."""
    PENDING = 1 << 1
    """Reserve the amount (in the pending balances) until it is posted, voided or times out."""
    POST_PENDING_TRANSFER = 1 << 2
    """Post the pending transfer `pending_id`: all of it (amount 0) or part of it."""
    VOID_PENDING_TRANSFER = 1 << 3
    """Void the pending transfer `pending_id`, releasing its reservation."""
    EXPIRY = 1 << 15
    """Set by the ledger alone, with VOID_PENDING_TRANSFER, on the void that records a timeout.

    TigerBeetle expires a pending transfer without writing a transfer; an append-only log must
    write something, so the expiry is a void the ledger creates. A caller setting this flag gets
    `reserved_flag`.
    """


class TransferCode(IntEnum):
    """Why money moved: the kinds of transfer the switch makes (a transfer's code is never 0)."""

    PAYMENT = 1
    """An FSPIOP transfer between two participants' positions."""
    FEE = 2
    """A scheme fee, paid to the hub's fee account."""
    REFUND = 3
    """A refund: a new transfer linked to the original by its user data."""
    DEPOSIT = 4
    """Liquidity deposited by a participant."""
    WITHDRAWAL = 5
    """Liquidity withdrawn by a participant."""
    NET_DEBIT_CAP = 6
    """A change of a participant's net debit cap."""
    SETTLEMENT = 7
    """A settlement window's net positions settled against liquidity."""


class PendingStatus(IntEnum):
    """Where a pending transfer stands (TigerBeetle's values, without `none`)."""

    PENDING = 1
    POSTED = 2
    VOIDED = 3
    EXPIRED = 4


class Transfer(NamedTuple):
    """A transfer as asked for (timestamp 0) or as stored by the ledger (timestamp set).

    "Zero" means "not given": the nil UUID for ids, 0 for numbers, "" for the ledger. A post or
    a void may leave the accounts, amount, ledger and code at zero; the ledger stores them
    resolved from the pending transfer (the amount actually posted, or the amount voided), so
    the log alone says what every transfer did.
    """

    id: UUID
    debit_account_id: UUID = ZERO_ID
    credit_account_id: UUID = ZERO_ID
    amount: int = 0
    """Minor units. For a post, 0 means the whole pending amount; for a void it must be 0 or
    the pending amount."""
    ledger: str = ""
    """The ISO 4217 code of the currency; both accounts must count in it."""
    code: int = 0
    flags: int = 0
    pending_id: UUID = ZERO_ID
    """For a post or a void: the pending transfer it resolves."""
    timeout: int = 0
    """For a pending transfer: seconds after which it can no longer be posted (0: never)."""
    user_data_128: UUID = ZERO_ID
    """Free for the caller: the switch puts the FSPIOP transfer id here."""
    user_data_64: int = 0
    user_data_32: int = 0
    timestamp: int = 0
    """Nanoseconds since the Unix epoch, unique and increasing, set by the ledger."""
