"""The ledger: double-entry, append-only, with TigerBeetle's semantics, in memory.

`create_accounts` and `create_transfers` take batches and answer only the failures. Transfers
are appended to a log and never changed; the only state updated in place is each account's
four balances, which the log determines (`check` rebuilds them from it and compares). What a
batch changed is handed to the store with `take_changes`, to be written in one transaction.

The hot path works on ints: accounts and transfers are keyed by `UUID.int`, flags are plain
ints, and each transfer costs one stored tuple, so a batch of thousands runs in milliseconds.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from uuid import UUID

from comptoir.kernel.clock import Clock
from comptoir.kernel.ids import new_id
from comptoir.payments.domain.accounts import Account, AccountBalance
from comptoir.payments.domain.batches import run_batch
from comptoir.payments.domain.books import Book
from comptoir.payments.domain.checks import CorruptLogError, Discrepancy, check_balances
from comptoir.payments.domain.results import AccountResult, TransferResult
from comptoir.payments.domain.state import NANOSECONDS, LedgerState
from comptoir.payments.domain.transfers import PendingStatus, Transfer, TransferFlags

__all__ = ["Ledger", "LedgerChanges", "nanosecond_clock"]

_EXPIRY_VOID: Final = int(TransferFlags.VOID_PENDING_TRANSFER | TransferFlags.EXPIRY)
_RESOLVE: Final = int(TransferFlags.POST_PENDING_TRANSFER | TransferFlags.VOID_PENDING_TRANSFER)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def nanosecond_clock(clock: Clock) -> Callable[[], int]:
    """Adapt a kernel `Clock` to the ledger's clock: exact integer nanoseconds since the epoch."""

    def now() -> int:
        elapsed = clock.now() - _EPOCH
        seconds = elapsed.days * 86_400 + elapsed.seconds
        return seconds * NANOSECONDS + elapsed.microseconds * 1_000

    return now


@dataclass(frozen=True, slots=True)
class LedgerChanges:
    """Everything that changed since the last `take_changes`: one transaction's worth of rows.

    Insert `accounts` and `transfers` (append-only; transfers in timestamp order), write
    `balances` over the touched accounts' balances, and insert `failures` (the ids that failed
    for good, see `TransferResult.ID_ALREADY_FAILED`). Nothing else in the ledger ever changes.
    """

    accounts: list[Account]
    transfers: list[Transfer]
    balances: list[AccountBalance]
    failures: list[tuple[UUID, TransferResult]]

    def __bool__(self) -> bool:
        return bool(self.accounts or self.transfers or self.balances or self.failures)


class Ledger:
    """An in-memory ledger. Not thread-safe: one writer owns it (the switch batches into it)."""

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        """`clock` gives nanoseconds since the Unix epoch (see `nanosecond_clock`); timestamps
        follow it but never repeat or go back, even if it does."""
        self._clock = clock
        self._state = LedgerState()
        self._last_timestamp = 0
        self._taken: LedgerChanges | None = None

    @classmethod
    def restore(
        cls,
        accounts: Iterable[Account],
        transfers: Iterable[Transfer],
        failures: Iterable[tuple[UUID, TransferResult]] = (),
        *,
        clock: Callable[[], int] = time.time_ns,
    ) -> Ledger:
        """Rebuild a ledger from what a store holds: its accounts, its transfer log and the
        ids that failed for good. Balances are recomputed from the log (the accounts' own are
        ignored: compare them first with `check_balances` to detect a store gone wrong).
        Raises CorruptLogError for a log that moves money on a missing account or resolves
        something that is not pending."""
        ledger = cls(clock)
        state = ledger._state
        last = 0
        for account in sorted(accounts, key=lambda account: account.timestamp):
            state.books[account.id.int] = Book(
                account._replace(
                    debits_pending=0, debits_posted=0, credits_pending=0, credits_posted=0
                )
            )
            last = max(last, account.timestamp)
        for transfer in sorted(transfers, key=lambda transfer: transfer.timestamp):
            resolves = transfer.flags & _RESOLVE
            if resolves and state.status.get(transfer.pending_id.int) != PendingStatus.PENDING:
                raise CorruptLogError(
                    f"transfer {transfer.id} resolves {transfer.pending_id}, which is not a "
                    "pending transfer still pending before it"
                )
            try:
                state.replay(transfer)
            except KeyError as missing:
                raise CorruptLogError(
                    f"transfer {transfer.id} moves money on an account not in the store"
                ) from missing
            last = max(last, transfer.timestamp)
        for transfer_id, result in failures:
            state.failed[transfer_id.int] = result
        state.dirty.clear()
        state.log_mark = len(state.log)
        ledger._last_timestamp = last
        return ledger

    @classmethod
    def from_snapshot(
        cls,
        accounts: Iterable[Account],
        transfers: Iterable[Transfer] = (),
        failures: Iterable[tuple[UUID, TransferResult]] = (),
        *,
        last_timestamp: int = 0,
        clock: Callable[[], int] = time.time_ns,
    ) -> Ledger:
        """A ledger over part of a store, for one batch: the accounts it touches, with their
        stored balances trusted as they are, and the stored transfers it may meet (ids it may
        retry, pending transfers it may post or void, and the transfers that already resolved
        those). Unlike `restore`, nothing is replayed, so `check` means nothing here; what the
        batch changes comes out of `take_changes` as usual.

        This is how a store shared by several processes applies a batch: inside a transaction
        that locks the touched account rows, load them, apply, write the changes, commit."""
        ledger = cls(clock)
        state = ledger._state
        for account in accounts:
            state.books[account.id.int] = Book(account)
        for transfer in sorted(transfers, key=lambda transfer: transfer.timestamp):
            key = transfer.id.int
            state.transfers[key] = transfer
            flags = transfer.flags
            if flags & TransferFlags.PENDING:
                state.status.setdefault(key, int(PendingStatus.PENDING))
                if transfer.timeout:
                    expires_at = transfer.timestamp + transfer.timeout * NANOSECONDS
                    heapq.heappush(state.expiries, (expires_at, key))
            elif flags & _RESOLVE:
                if flags & TransferFlags.POST_PENDING_TRANSFER:
                    status = PendingStatus.POSTED
                elif flags & TransferFlags.EXPIRY:
                    status = PendingStatus.EXPIRED
                else:
                    status = PendingStatus.VOIDED
                state.status[transfer.pending_id.int] = int(status)
        for transfer_id, result in failures:
            state.failed[transfer_id.int] = result
        ledger._last_timestamp = last_timestamp
        return ledger

    # -- writing ----------------------------------------------------------------------------

    def create_accounts(self, batch: Sequence[Account]) -> list[tuple[int, AccountResult]]:
        """Create accounts; answer the failures as (index in batch, result), in index order."""
        if not batch:
            return []
        state = self._state
        return run_batch(
            batch,
            self._reserve_timestamps(len(batch)),
            create=state.create_account,
            mark=lambda: len(state.new_accounts),
            roll_back=state.drop_accounts_since,
            ok=AccountResult.OK,
            linked_event_failed=AccountResult.LINKED_EVENT_FAILED,
            linked_event_chain_open=AccountResult.LINKED_EVENT_CHAIN_OPEN,
        )

    def create_transfers(self, batch: Sequence[Transfer]) -> list[tuple[int, TransferResult]]:
        """Create transfers; answer the failures as (index in batch, result), in index order."""
        if not batch:
            return []
        state = self._state
        return run_batch(
            batch,
            self._reserve_timestamps(len(batch)),
            create=state.create_transfer,
            mark=lambda: len(state.log),
            roll_back=state.undo_transfers_since,
            ok=TransferResult.OK,
            linked_event_failed=TransferResult.LINKED_EVENT_FAILED,
            linked_event_chain_open=TransferResult.LINKED_EVENT_CHAIN_OPEN,
        )

    def expire_pending(self, now: int | None = None) -> list[Transfer]:
        """Void every pending transfer whose timeout has passed at `now` (nanoseconds; the
        clock's time if None), appending one expiry void for each; answer those voids."""
        if now is None:
            now = self._clock()
        state = self._state
        due = state.due_expiries(now)
        if not due:
            return []
        timestamp = self._reserve_timestamps(len(due), floor=now)
        voids: list[Transfer] = []
        for offset, pending in enumerate(due):
            void = Transfer(
                new_id(),
                pending.debit_account_id,
                pending.credit_account_id,
                pending.amount,
                pending.ledger,
                pending.code,
                _EXPIRY_VOID,
                pending.id,
                0,
                pending.user_data_128,
                pending.user_data_64,
                pending.user_data_32,
                timestamp + offset,
            )
            state.replay(void)
            voids.append(void)
        return voids

    def _reserve_timestamps(self, count: int, floor: int = 0) -> int:
        first = max(self._clock(), floor, self._last_timestamp + 1)
        self._last_timestamp = first + count - 1
        return first

    # -- handing changes to the store -------------------------------------------------------

    def take_changes(self) -> LedgerChanges:
        """What changed since the last call, for the store to write in one transaction."""
        state = self._state
        changes = LedgerChanges(
            accounts=state.new_accounts,
            transfers=state.log[state.log_mark :],
            balances=[book.balance() for book in state.dirty.values()],
            failures=state.new_failures,
        )
        state.new_accounts = []
        state.new_failures = []
        state.dirty.clear()
        state.log_mark = len(state.log)
        self._taken = changes
        return changes

    def revert(self, changes: LedgerChanges) -> None:
        """Undo the changes just taken, because the store could not write them.

        Only the latest `take_changes` can be reverted, and only before anything else changed.
        """
        state = self._state
        if changes is not self._taken or state.has_open_changes():
            raise RuntimeError("only the changes just taken can be reverted, before any other")
        state.log_mark -= len(changes.transfers)
        state.undo_transfers_since(state.log_mark)
        for account in reversed(changes.accounts):
            del state.books[account.id.int]
        for transfer_id, _result in changes.failures:
            del state.failed[transfer_id.int]
        state.dirty.clear()
        self._taken = None

    # -- reading ----------------------------------------------------------------------------

    def lookup_account(self, account_id: UUID) -> Account | None:
        book = self._state.books.get(account_id.int)
        return None if book is None else book.snapshot()

    def lookup_transfer(self, transfer_id: UUID) -> Transfer | None:
        return self._state.transfers.get(transfer_id.int)

    def lookup_failure(self, transfer_id: UUID) -> TransferResult | None:
        """The transient result a transfer id failed with for good, if it did."""
        return self._state.failed.get(transfer_id.int)

    def pending_status(self, transfer_id: UUID) -> PendingStatus | None:
        """Where a pending transfer stands; None if `transfer_id` is not a pending transfer."""
        status = self._state.status.get(transfer_id.int)
        return None if status is None else PendingStatus(status)

    def accounts(self) -> list[Account]:
        """Every account with its current balances, in creation order."""
        return [book.snapshot() for book in self._state.books.values()]

    def transfers(self) -> list[Transfer]:
        """The whole log, in timestamp order."""
        return list(self._state.log)

    def check(self) -> list[Discrepancy]:
        """Rebuild every balance from the log and list the accounts whose balance differs."""
        return check_balances(self.accounts(), self._state.log)
