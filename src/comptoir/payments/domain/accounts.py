"""Ledger accounts: what they are, the kinds the switch keeps, and their four balances.

An account follows TigerBeetle's model. Its identity, currency, kind and flags never change once
created; only its four balances move, and only the ledger moves them, by applying transfers.
Amounts are integers in the currency's minor units, never floats.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag
from typing import Final, NamedTuple
from uuid import UUID

__all__ = [
    "AMOUNT_MAX",
    "MAX_ID",
    "ZERO_ID",
    "Account",
    "AccountBalance",
    "AccountCode",
    "AccountFlags",
]

ZERO_ID: Final[UUID] = UUID(int=0)
"""The nil UUID: "not given" in an optional id field, and never a valid id."""

MAX_ID: Final[UUID] = UUID(int=2**128 - 1)
"""The max UUID of RFC 9562, reserved like TigerBeetle's 2^128 - 1."""

AMOUNT_MAX: Final[int] = 2**63 - 1
"""The largest amount or balance: a signed 64-bit column holds it in SQLite and PostgreSQL.

TigerBeetle allows 2^128 - 1; we stop at what the stores can hold, so a balance that would pass
it is refused with an `overflows_*` result instead of failing at write time.
"""


class AccountFlags(IntFlag):
    """TigerBeetle's account flags (same bits), without `imported` and `closed`."""

    NONE = 0
    LINKED = 1 << 0
    """This account is created with the next one in the batch, or not at all."""
    DEBITS_MUST_NOT_EXCEED_CREDITS = 1 << 1
    """debits_pending + debits_posted never pass credits_posted (an asset the holder owns)."""
    CREDITS_MUST_NOT_EXCEED_DEBITS = 1 << 2
    """credits_pending + credits_posted never pass debits_posted (a liability that is owed)."""
    HISTORY = 1 << 3
    """The store keeps this account's balance after every transfer, for statements."""


class AccountCode(IntEnum):
    """The kinds of account the switch keeps, per participant (DFSP) or for the hub, per currency.

    A participant's net debit cap is not a number stored beside its position but a balance: the
    NDC account credits the position account with the cap, and the position account has
    `debits_must_not_exceed_credits`, so a prepare that would take the position past the cap
    fails in the ledger itself with `exceeds_credits` (FSPIOP 4001), atomically.
    """

    POSITION = 1
    """The participant's net position: debited by its prepares, credited by what it receives."""
    LIQUIDITY = 2
    """The participant's settlement account: the money it deposited to back its position."""
    NDC = 3
    """The source of the participant's net debit cap, credited into its position account."""
    HUB_RECONCILIATION = 10
    """The hub's counterpart of deposits and withdrawals of liquidity (money from outside)."""
    HUB_SETTLEMENT = 11
    """The hub's multilateral net settlement account, through which windows settle."""
    HUB_FEES = 12
    """Where the scheme's fees are collected."""


class Account(NamedTuple):
    """An account: given to `Ledger.create_accounts` with zero balances and timestamp, and
    returned by lookups with its current balances and the timestamp the ledger gave it."""

    id: UUID
    ledger: str
    """The ISO 4217 code of the currency the account counts in (the ledger it belongs to)."""
    code: int
    """The kind of account, an `AccountCode` for the switch's own accounts; never 0."""
    flags: int = 0
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    user_data_128: UUID = ZERO_ID
    """Free for the caller: the switch puts the participant's id here."""
    user_data_64: int = 0
    user_data_32: int = 0
    timestamp: int = 0
    """Nanoseconds since the Unix epoch when the ledger created it; 0 when asking to create."""

    @property
    def balance(self) -> AccountBalance:
        return AccountBalance(
            self.id,
            self.debits_pending,
            self.debits_posted,
            self.credits_pending,
            self.credits_posted,
        )


class AccountBalance(NamedTuple):
    """The four balances of one account: the row a store writes for each account a batch moved."""

    account_id: UUID
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
