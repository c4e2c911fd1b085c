"""The ledger's working state and the rules that change it: the hot path of the switch.

`LedgerState` holds the balances, the log and its indexes, and applies one account or one
transfer at a time, checking TigerBeetle's rules in TigerBeetle's order. `Ledger` wraps it with
batches, linked chains, timestamps and the hand-off to the store. Everything is keyed by
`UUID.int` and flags are plain ints, because hashing a UUID object or combining IntFlag members
costs more than the whole rest of a transfer.
"""

from __future__ import annotations

import heapq
from typing import Final
from uuid import UUID

from comptoir.kernel.money import UnknownCurrency, minor_unit_digits
from comptoir.payments.domain.accounts import AMOUNT_MAX, Account
from comptoir.payments.domain.books import Book
from comptoir.payments.domain.results import AccountResult, TransferResult
from comptoir.payments.domain.retries import compare_account, compare_transfer
from comptoir.payments.domain.transfers import Transfer

__all__ = ["NANOSECONDS", "LedgerState"]

NANOSECONDS: Final = 1_000_000_000
TIMESTAMP_MAX: Final = 2**63 - 1
_INT_MAX: Final = 2**128 - 1

# Account flags.
_DEBITS_MUST_NOT_EXCEED_CREDITS: Final = 1 << 1
_CREDITS_MUST_NOT_EXCEED_DEBITS: Final = 1 << 2
_ACCOUNT_CALLER_FLAGS: Final = 0b1111
# Transfer flags.
_PENDING: Final = 1 << 1
_POST: Final = 1 << 2
_VOID: Final = 1 << 3
_EXPIRY: Final = 1 << 15
_KINDS: Final = _PENDING | _POST | _VOID
_RESOLVE: Final = _POST | _VOID
_TRANSFER_CALLER_FLAGS: Final = 0b1111
# Pending statuses (PendingStatus values).
PENDING: Final = 1
POSTED: Final = 2
VOIDED: Final = 3
EXPIRED: Final = 4

A = AccountResult
T = TransferResult
_OK: Final = T.OK
_new_tuple: Final = tuple.__new__


class LedgerState:
    __slots__ = (
        "books",
        "dirty",
        "expiries",
        "failed",
        "log",
        "log_mark",
        "new_accounts",
        "new_failures",
        "status",
        "transfers",
    )

    def __init__(self) -> None:
        self.books: dict[int, Book] = {}
        self.transfers: dict[int, Transfer] = {}
        self.log: list[Transfer] = []
        self.status: dict[int, int] = {}
        """PendingStatus of every pending transfer, derived from the log."""
        self.failed: dict[int, TransferResult] = {}
        self.expiries: list[tuple[int, int]] = []
        """A heap of (expires at, pending key); entries go stale and are skipped, never fixed."""
        # The open change set, handed over by Ledger.take_changes.
        self.dirty: dict[int, Book] = {}
        self.new_accounts: list[Account] = []
        self.new_failures: list[tuple[UUID, TransferResult]] = []
        self.log_mark = 0

    def has_open_changes(self) -> bool:
        return bool(
            self.new_accounts or self.new_failures or self.dirty or len(self.log) > self.log_mark
        )

    # -- accounts ---------------------------------------------------------------------------

    # The checks below are TigerBeetle's, one branch each, in its order of precedence: a single
    # flat function reads like its documentation and keeps the hot path free of calls.
    def create_account(  # noqa: PLR0912
        self, account: Account, flags: int, timestamp: int
    ) -> AccountResult:
        (account_id, ledger, code, _, debits_pending, debits_posted, credits_pending,
         credits_posted, user_data_128, user_data_64, user_data_32, stamp) = account  # fmt: skip
        if stamp:
            return A.TIMESTAMP_MUST_BE_ZERO
        if flags & ~_ACCOUNT_CALLER_FLAGS:
            return A.RESERVED_FLAG
        key = account_id.int
        if not key:
            return A.ID_MUST_NOT_BE_ZERO
        if key == _INT_MAX:
            return A.ID_MUST_NOT_BE_INT_MAX
        existing = self.books.get(key)
        if existing is not None:
            return compare_account(existing.account, account, flags)
        if flags & _DEBITS_MUST_NOT_EXCEED_CREDITS and flags & _CREDITS_MUST_NOT_EXCEED_DEBITS:
            return A.FLAGS_ARE_MUTUALLY_EXCLUSIVE
        if debits_pending:
            return A.DEBITS_PENDING_MUST_BE_ZERO
        if debits_posted:
            return A.DEBITS_POSTED_MUST_BE_ZERO
        if credits_pending:
            return A.CREDITS_PENDING_MUST_BE_ZERO
        if credits_posted:
            return A.CREDITS_POSTED_MUST_BE_ZERO
        if not ledger:
            return A.LEDGER_MUST_NOT_BE_ZERO
        try:
            minor_unit_digits(ledger)
        except UnknownCurrency:
            return A.LEDGER_MUST_BE_A_CURRENCY
        if not code:
            return A.CODE_MUST_NOT_BE_ZERO
        created = Account(
            account_id, ledger, code, flags, 0, 0, 0, 0,
            user_data_128, user_data_64, user_data_32, timestamp,
        )  # fmt: skip
        self.books[key] = Book(created)
        self.new_accounts.append(created)
        return A.OK

    def drop_accounts_since(self, mark: int) -> None:
        """Undo the accounts created after the first `mark` of the open change set."""
        while len(self.new_accounts) > mark:
            del self.books[self.new_accounts.pop().id.int]

    # -- transfers --------------------------------------------------------------------------

    def create_transfer(  # noqa: PLR0912, PLR0915
        self, transfer: Transfer, flags: int, timestamp: int
    ) -> TransferResult:
        (transfer_id, debit_id, credit_id, amount, ledger, code, _, pending_id, timeout,
         user_data_128, user_data_64, user_data_32, given_timestamp) = transfer  # fmt: skip
        if given_timestamp:
            return T.TIMESTAMP_MUST_BE_ZERO
        if flags & ~_TRANSFER_CALLER_FLAGS:
            return T.RESERVED_FLAG
        key = transfer_id.int
        if not key:
            return T.ID_MUST_NOT_BE_ZERO
        if key == _INT_MAX:
            return T.ID_MUST_NOT_BE_INT_MAX
        existing = self.transfers.get(key)
        if existing is not None:
            return compare_transfer(existing, transfer, flags)
        if key in self.failed:
            return T.ID_ALREADY_FAILED
        kind = flags & _KINDS
        if kind & (kind - 1):
            return T.FLAGS_ARE_MUTUALLY_EXCLUSIVE
        if kind & _RESOLVE:
            return self._post_or_void(transfer, key, flags, kind, timestamp)
        debit_key = debit_id.int
        credit_key = credit_id.int
        if not debit_key:
            return T.DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO
        if not credit_key:
            return T.CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO
        if debit_key == credit_key:
            return T.ACCOUNTS_MUST_BE_DIFFERENT
        if pending_id.int:
            return T.PENDING_ID_MUST_BE_ZERO
        if timeout and not kind:
            return T.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        if timeout < 0:
            return T.TIMEOUT_MUST_NOT_BE_NEGATIVE
        if amount <= 0:
            return T.AMOUNT_MUST_NOT_BE_ZERO if amount == 0 else T.AMOUNT_MUST_NOT_BE_NEGATIVE
        if not ledger:
            return T.LEDGER_MUST_NOT_BE_ZERO
        if not code:
            return T.CODE_MUST_NOT_BE_ZERO
        books = self.books
        debit = books.get(debit_key)
        if debit is None:
            return self._fail_for_good(transfer_id, T.DEBIT_ACCOUNT_NOT_FOUND)
        credit = books.get(credit_key)
        if credit is None:
            return self._fail_for_good(transfer_id, T.CREDIT_ACCOUNT_NOT_FOUND)
        if debit.ledger != credit.ledger:
            return T.ACCOUNTS_MUST_HAVE_THE_SAME_LEDGER
        if ledger != debit.ledger:
            return T.TRANSFER_MUST_HAVE_THE_SAME_LEDGER_AS_ACCOUNTS
        debits = debit.debits_pending + debit.debits_posted + amount
        credits = credit.credits_pending + credit.credits_posted + amount
        if debits > AMOUNT_MAX or credits > AMOUNT_MAX:
            return _overflow(debit, credit, amount, pending=bool(kind))
        if timeout and timestamp + timeout * NANOSECONDS > TIMESTAMP_MAX:
            return T.OVERFLOWS_TIMEOUT
        if debit.flags & _DEBITS_MUST_NOT_EXCEED_CREDITS and debits > debit.credits_posted:
            return self._fail_for_good(transfer_id, T.EXCEEDS_CREDITS)
        if credit.flags & _CREDITS_MUST_NOT_EXCEED_DEBITS and credits > credit.debits_posted:
            return self._fail_for_good(transfer_id, T.EXCEEDS_DEBITS)
        # tuple.__new__ skips the NamedTuple's Python-level __new__: half the cost.
        stored = _new_tuple(Transfer, (
            transfer_id, debit_id, credit_id, amount, ledger, code, flags, pending_id, timeout,
            user_data_128, user_data_64, user_data_32, timestamp,
        ))  # fmt: skip
        if kind:
            debit.debits_pending += amount
            credit.credits_pending += amount
            self.status[key] = PENDING
            if timeout:
                heapq.heappush(self.expiries, (timestamp + timeout * NANOSECONDS, key))
        else:
            debit.debits_posted += amount
            credit.credits_posted += amount
        self.transfers[key] = stored
        self.log.append(stored)
        dirty = self.dirty
        dirty[debit_key] = debit
        dirty[credit_key] = credit
        return _OK

    def _post_or_void(  # noqa: PLR0912
        self, transfer: Transfer, key: int, flags: int, kind: int, timestamp: int
    ) -> TransferResult:
        (transfer_id, debit_id, credit_id, amount, ledger, code, _, pending_id, timeout,
         user_data_128, user_data_64, user_data_32, _) = transfer  # fmt: skip
        pending_key = pending_id.int
        if not pending_key:
            return T.PENDING_ID_MUST_NOT_BE_ZERO
        if pending_key == key:
            return T.PENDING_ID_MUST_BE_DIFFERENT
        if timeout:
            return T.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        if amount < 0:
            return T.AMOUNT_MUST_NOT_BE_NEGATIVE
        pending = self.transfers.get(pending_key)
        if pending is None:
            return self._fail_for_good(transfer_id, T.PENDING_TRANSFER_NOT_FOUND)
        (_, held_debit_id, held_credit_id, held, held_ledger, held_code, held_flags, _,
         held_timeout, _, _, _, held_timestamp) = pending  # fmt: skip
        if not held_flags & _PENDING:
            return T.PENDING_TRANSFER_NOT_PENDING
        if debit_id.int and debit_id != held_debit_id:
            return T.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID
        if credit_id.int and credit_id != held_credit_id:
            return T.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID
        if ledger and ledger != held_ledger:
            return T.PENDING_TRANSFER_HAS_DIFFERENT_LEDGER
        if code and code != held_code:
            return T.PENDING_TRANSFER_HAS_DIFFERENT_CODE
        if kind == _POST:
            if amount > held:
                return T.EXCEEDS_PENDING_TRANSFER_AMOUNT
            moved = amount or held
        else:
            if amount and amount != held:
                return T.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT
            moved = held
        status = self.status[pending_key]
        if status == POSTED:
            return T.PENDING_TRANSFER_ALREADY_POSTED
        if status == VOIDED:
            return T.PENDING_TRANSFER_ALREADY_VOIDED
        if status == EXPIRED:
            return T.PENDING_TRANSFER_EXPIRED
        if held_timeout and held_timestamp + held_timeout * NANOSECONDS <= timestamp:
            return T.PENDING_TRANSFER_EXPIRED
        resolved = _new_tuple(Transfer, (
            transfer_id, held_debit_id, held_credit_id, moved, held_ledger, held_code, flags,
            pending_id, 0, user_data_128, user_data_64, user_data_32, timestamp,
        ))  # fmt: skip
        self.replay(resolved)
        return _OK

    def _fail_for_good(self, transfer_id: UUID, result: TransferResult) -> TransferResult:
        # Remembered so that a retry answers `id_already_failed` instead of succeeding later.
        self.failed[transfer_id.int] = result
        self.new_failures.append((transfer_id, result))
        return result

    def replay(self, stored: Transfer) -> None:
        """Apply a transfer already checked (or read back from the log), without checks."""
        flags = stored.flags
        key = stored.id.int
        debit_key = stored.debit_account_id.int
        credit_key = stored.credit_account_id.int
        debit = self.books[debit_key]
        credit = self.books[credit_key]
        amount = stored.amount
        if flags & _PENDING:
            debit.debits_pending += amount
            credit.credits_pending += amount
            self.status[key] = PENDING
            if stored.timeout:
                expires_at = stored.timestamp + stored.timeout * NANOSECONDS
                heapq.heappush(self.expiries, (expires_at, key))
        elif flags & _RESOLVE:
            pending_key = stored.pending_id.int
            held = self.transfers[pending_key].amount
            debit.debits_pending -= held
            credit.credits_pending -= held
            if flags & _POST:
                debit.debits_posted += amount
                credit.credits_posted += amount
                self.status[pending_key] = POSTED
            else:
                self.status[pending_key] = EXPIRED if flags & _EXPIRY else VOIDED
        else:
            debit.debits_posted += amount
            credit.credits_posted += amount
        self.transfers[key] = stored
        self.log.append(stored)
        self.dirty[debit_key] = debit
        self.dirty[credit_key] = credit

    def undo_transfers_since(self, mark: int) -> None:
        """Undo, newest first, the transfers the log gained after its first `mark` entries."""
        log = self.log
        while len(log) > mark:
            stored = log.pop()
            flags = stored.flags
            key = stored.id.int
            del self.transfers[key]
            debit_key = stored.debit_account_id.int
            credit_key = stored.credit_account_id.int
            debit = self.books[debit_key]
            credit = self.books[credit_key]
            amount = stored.amount
            if flags & _PENDING:
                debit.debits_pending -= amount
                credit.credits_pending -= amount
                del self.status[key]
            elif flags & _RESOLVE:
                pending_key = stored.pending_id.int
                pending = self.transfers[pending_key]
                debit.debits_pending += pending.amount
                credit.credits_pending += pending.amount
                if flags & _POST:
                    debit.debits_posted -= amount
                    credit.credits_posted -= amount
                self.status[pending_key] = PENDING
                if pending.timeout:
                    expires_at = pending.timestamp + pending.timeout * NANOSECONDS
                    heapq.heappush(self.expiries, (expires_at, pending_key))
            else:
                debit.debits_posted -= amount
                credit.credits_posted -= amount
            self.dirty[debit_key] = debit
            self.dirty[credit_key] = credit

    def due_expiries(self, now: int) -> list[Transfer]:
        """The pending transfers still pending whose timeout has passed at `now`."""
        heap = self.expiries
        due: list[Transfer] = []
        seen: set[int] = set()
        while heap and heap[0][0] <= now:
            expires_at, key = heapq.heappop(heap)
            if key in seen or self.status.get(key) != PENDING:
                continue
            pending = self.transfers[key]
            if pending.timestamp + pending.timeout * NANOSECONDS != expires_at:
                continue  # left by a pending transfer undone since; its id was reused
            seen.add(key)
            due.append(pending)
        return due


def _overflow(debit: Book, credit: Book, amount: int, *, pending: bool) -> TransferResult:
    """Which balance a transfer would take past AMOUNT_MAX, in TigerBeetle's precedence."""
    if pending:
        if debit.debits_pending + amount > AMOUNT_MAX:
            return T.OVERFLOWS_DEBITS_PENDING
        if credit.credits_pending + amount > AMOUNT_MAX:
            return T.OVERFLOWS_CREDITS_PENDING
    else:
        if debit.debits_posted + amount > AMOUNT_MAX:
            return T.OVERFLOWS_DEBITS_POSTED
        if credit.credits_posted + amount > AMOUNT_MAX:
            return T.OVERFLOWS_CREDITS_POSTED
    if debit.debits_pending + debit.debits_posted + amount > AMOUNT_MAX:
        return T.OVERFLOWS_DEBITS
    return T.OVERFLOWS_CREDITS
