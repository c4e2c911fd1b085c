"""The institution's books: double-entry, append-only, in integer minor units of one currency.

An account's balance is the sum of its postings, positive when the institution holds money
for its owner. Every entry's postings sum to zero, so the books as a whole always balance.

The accounts of an institution, by code:

- `customer:<id>`: what the institution owes a customer (never below zero by our own doing);
- `holding`: money taken from payers for transfers still in flight (a reservation);
- `settlement`: what the institution owes the switch (negative when the switch owes it);
- `fees`: the institution's fee income;
- `funding`: the other side of deposits made at the counter (opening balances).

A reservation moves money from the customer to `holding`; a commit moves it on to
`settlement` (and the payer's fee to `fees`); a release moves it back to the customer. Nothing
is ever changed or deleted: a correction is a new entry, `reversal` of the one it undoes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from comptoir.kernel.i18n import N_

HOLDING: Final = "holding"
SETTLEMENT: Final = "settlement"
FEES: Final = "fees"
FUNDING: Final = "funding"

# The memo of an opening balance's deposit. The institution writes it, not a person, so it is
# a message id, shown in the reader's language (a payment's memo is the payee's name or the
# payer's own note, and is shown as written).
OPENING_BALANCE: Final = N_("opening balance")
INSTITUTION_MEMOS: Final = frozenset({OPENING_BALANCE})


class EntryKind(StrEnum):
    DEPOSIT = "deposit"  # an opening balance or a cash deposit
    RESERVE = "reserve"  # a payer's money set aside for a transfer in flight
    COMMIT = "commit"  # the reserved money left for the switch
    RELEASE = "release"  # the reserved money went back to the payer
    RECEIVE = "receive"  # money in from the switch, credited to a payee
    REVERSE = "reverse"  # undoes an earlier entry
    ON_US = "on_us"  # a payment between two customers of the institution


def customer_account(customer_id: uuid.UUID) -> str:
    return f"customer:{customer_id}"


@dataclass(frozen=True)
class Posting:
    account: str
    amount: int  # signed minor units: positive raises the account's balance


@dataclass(frozen=True)
class EntryDraft:
    """An entry before it is written: its postings sum to zero, none of them is zero."""

    kind: EntryKind
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        if not self.postings:
            raise ValueError("an entry needs postings")
        if any(isinstance(p.amount, bool) or not isinstance(p.amount, int) for p in self.postings):
            raise TypeError("a posting's amount is an int of minor units")
        if any(p.amount == 0 for p in self.postings):
            raise ValueError("a posting of zero says nothing; leave it out")
        if sum(p.amount for p in self.postings) != 0:
            raise ValueError("an entry's postings must sum to zero")


def _entry(kind: EntryKind, *lines: tuple[str, int]) -> EntryDraft:
    merged: dict[str, int] = {}
    for account, amount in lines:
        merged[account] = merged.get(account, 0) + amount
    return EntryDraft(kind, tuple(Posting(a, n) for a, n in merged.items() if n != 0))


def _positive(*amounts: int) -> None:
    if any(amount < 0 for amount in amounts):
        raise ValueError("amounts in an entry are never negative")


def deposit(customer: str, amount: int) -> EntryDraft:
    _positive(amount)
    return _entry(EntryKind.DEPOSIT, (customer, amount), (FUNDING, -amount))


def reserve(customer: str, amount: int, fee: int = 0) -> EntryDraft:
    """Set aside what a payer sends plus the payer's fee."""
    _positive(amount, fee)
    return _entry(EntryKind.RESERVE, (customer, -(amount + fee)), (HOLDING, amount + fee))


def commit(amount: int, fee: int = 0) -> EntryDraft:
    """The reserved amount leaves for the switch; the payer's fee becomes income."""
    _positive(amount, fee)
    return _entry(EntryKind.COMMIT, (HOLDING, -(amount + fee)), (SETTLEMENT, amount), (FEES, fee))


def release(customer: str, amount: int, fee: int = 0) -> EntryDraft:
    """The transfer failed: the payer gets back everything that was set aside."""
    _positive(amount, fee)
    return _entry(EntryKind.RELEASE, (HOLDING, -(amount + fee)), (customer, amount + fee))


def receive(customer: str, transfer_amount: int, fee: int = 0) -> EntryDraft:
    """Money in from the switch: the payee gets it less the payee's fee."""
    _positive(transfer_amount, fee)
    if fee > transfer_amount:
        raise ValueError("the fee cannot be more than the amount received")
    return _entry(
        EntryKind.RECEIVE,
        (SETTLEMENT, -transfer_amount),
        (customer, transfer_amount - fee),
        (FEES, fee),
    )


def on_us(payer: str, payee: str, amount: int, payer_fee: int, payee_fee: int) -> EntryDraft:
    """A payment between two customers of the same institution, fees and all, in one entry."""
    _positive(amount, payer_fee, payee_fee)
    if payee_fee > amount:
        raise ValueError("the payee's fee cannot be more than the amount")
    return _entry(
        EntryKind.ON_US,
        (payer, -(amount + payer_fee)),
        (payee, amount - payee_fee),
        (FEES, payer_fee + payee_fee),
    )


def reversal(postings: Iterable[Posting]) -> EntryDraft:
    """The entry that undoes `postings`: the same accounts, the opposite amounts."""
    return _entry(EntryKind.REVERSE, *((p.account, -p.amount) for p in postings))


def balances(postings: Iterable[Posting]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for posting in postings:
        totals[posting.account] = totals.get(posting.account, 0) + posting.amount
    return totals


def is_balanced(totals: Mapping[str, int]) -> bool:
    return sum(totals.values()) == 0
