"""The ledger on the database: batches applied inside the caller's transaction.

The database is the ledger's authority, so any number of processes may write to it: a batch
locks the account rows it touches (in id order, so two batches never deadlock), loads them with
the stored transfers it may meet, lets the pure `Ledger` apply the rules, and writes back what
changed. SQLite serialises writers anyway (BEGIN IMMEDIATE); PostgreSQL serialises only batches
that share an account, so unrelated payments proceed in parallel.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from comptoir.payments.domain import (
    ZERO_ID,
    Account,
    AccountResult,
    Ledger,
    LedgerChanges,
    Transfer,
    TransferFlags,
    TransferResult,
)
from comptoir.payments.models import LedgerAccountRow, LedgerFailureRow, LedgerTransferRow

NANOSECONDS = 1_000_000_000
_RESOLVE = int(TransferFlags.POST_PENDING_TRANSFER | TransferFlags.VOID_PENDING_TRANSFER)
_ACCOUNT_FIELDS = Account._fields
_TRANSFER_FIELDS = Transfer._fields


# The hot path reads and writes plain rows through SQLAlchemy Core: building ORM objects for
# thousands of rows a batch cost more than the database's own work (bench/payments.py).
ACCOUNTS = cast(Table, LedgerAccountRow.__table__)
TRANSFERS = cast(Table, LedgerTransferRow.__table__)
_ACCOUNT_COLUMNS = [ACCOUNTS.c[name] for name in _ACCOUNT_FIELDS]
_TRANSFER_COLUMNS = [TRANSFERS.c[name] for name in _TRANSFER_FIELDS]
_PENDING_ID_INDEX = _TRANSFER_FIELDS.index("pending_id")
FAILURES = cast(Table, LedgerFailureRow.__table__)

# The reads of every batch, built once: a statement object is reused with new values for its
# expanding parameters, so SQLAlchemy neither rebuilds it nor computes its cache key again.
_STORED = select(*_TRANSFER_COLUMNS).where(TRANSFERS.c.id.in_(bindparam("ids", expanding=True)))
_STORED_OR_RESOLVING = select(*_TRANSFER_COLUMNS).where(
    or_(
        TRANSFERS.c.id.in_(bindparam("ids", expanding=True)),
        TRANSFERS.c.pending_id.in_(bindparam("pending_ids", expanding=True)),
    )
)
# Locking in id order means two batches that share accounts queue, never deadlock.
_LOCK_ACCOUNTS = (
    select(*_ACCOUNT_COLUMNS)
    .where(ACCOUNTS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(ACCOUNTS.c.id)
    .with_for_update()
)
_FAILED = select(FAILURES.c.transfer_id, FAILURES.c.result).where(
    FAILURES.c.transfer_id.in_(bindparam("ids", expanding=True))
)
_LAST_TIMESTAMP = select(
    select(func.max(TRANSFERS.c.timestamp)).scalar_subquery(),
    select(func.max(ACCOUNTS.c.timestamp)).scalar_subquery(),
)


def _account(row: Sequence[Any]) -> Account:
    return Account(*row)


def _transfer(row: Sequence[Any]) -> Transfer:
    values = list(row)
    values[_PENDING_ID_INDEX] = values[_PENDING_ID_INDEX] or ZERO_ID
    return Transfer(*values)


def _transfer_values(transfer: Transfer) -> dict[str, Any]:
    values = transfer._asdict()
    values["pending_id"] = None if transfer.pending_id == ZERO_ID else transfer.pending_id
    is_timed_pending = transfer.flags & TransferFlags.PENDING and transfer.timeout
    values["expires_at"] = (
        transfer.timestamp + transfer.timeout * NANOSECONDS if is_timed_pending else None
    )
    return values


class LedgerStore:
    """Applies ledger batches to the database in the caller's session (and transaction)."""

    def __init__(self, clock: Callable[[], int]) -> None:
        self._clock = clock

    def now(self) -> int:
        """The ledger's clock: nanoseconds since the epoch."""
        return self._clock()

    def create_accounts(
        self, session: Session, accounts: Sequence[Account]
    ) -> list[tuple[int, AccountResult]]:
        existing = self._lock_accounts(session, {account.id for account in accounts})
        ledger = Ledger.from_snapshot(
            existing, last_timestamp=self._last_timestamp(session), clock=self._clock
        )
        failures = ledger.create_accounts(accounts)
        self._write(session, ledger.take_changes())
        return failures

    def create_transfers(
        self, session: Session, transfers: Sequence[Transfer]
    ) -> list[tuple[int, TransferResult]]:
        ledger = self._ledger_for(session, transfers)
        failures = ledger.create_transfers(transfers)
        self._write(session, ledger.take_changes())
        return failures

    def expire_due(self, session: Session, *, now: int, limit: int = 500) -> list[Transfer]:
        """Void every pending transfer whose timeout has passed (the ledger's expiry records)."""
        resolved = select(LedgerTransferRow.pending_id).where(
            LedgerTransferRow.pending_id.is_not(None)
        )
        due_ids = session.scalars(
            select(LedgerTransferRow.id)
            .where(
                LedgerTransferRow.expires_at.is_not(None),
                LedgerTransferRow.expires_at <= now,
                LedgerTransferRow.id.not_in(resolved),
            )
            .order_by(LedgerTransferRow.expires_at)
            .limit(limit)
        ).all()
        if not due_ids:
            return []
        probes = [Transfer(id=uuid.uuid4(), pending_id=pending_id) for pending_id in due_ids]
        ledger = self._ledger_for(session, probes, include_batch_ids=False)
        voids = ledger.expire_pending(now)
        self._write(session, ledger.take_changes())
        return voids

    def accounts(self, session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Account]:
        rows = session.execute(select(*_ACCOUNT_COLUMNS).where(ACCOUNTS.c.id.in_(set(ids))))
        accounts = [_account(row) for row in rows]
        return {account.id: account for account in accounts}

    def transfer(self, session: Session, transfer_id: uuid.UUID) -> Transfer | None:
        row = session.execute(
            select(*_TRANSFER_COLUMNS).where(TRANSFERS.c.id == transfer_id)
        ).first()
        return None if row is None else _transfer(row)

    # -- loading and writing ----------------------------------------------------------------

    def _ledger_for(
        self, session: Session, transfers: Sequence[Transfer], *, include_batch_ids: bool = True
    ) -> Ledger:
        batch_ids = {transfer.id for transfer in transfers} if include_batch_ids else set()
        pending_ids = {
            transfer.pending_id for transfer in transfers if transfer.pending_id != ZERO_ID
        }
        wanted = batch_ids | pending_ids
        stored_rows = (
            session.execute(
                _STORED_OR_RESOLVING if pending_ids else _STORED,
                {"ids": list(wanted), "pending_ids": list(pending_ids)}
                if pending_ids
                else {"ids": list(wanted)},
            ).all()
            if wanted
            else []
        )
        stored = [_transfer(row) for row in stored_rows]
        account_ids = {transfer.debit_account_id for transfer in transfers}
        account_ids |= {transfer.credit_account_id for transfer in transfers}
        account_ids |= {transfer.debit_account_id for transfer in stored}
        account_ids |= {transfer.credit_account_id for transfer in stored}
        account_ids.discard(ZERO_ID)
        accounts = self._lock_accounts(session, account_ids)
        failures = (
            [
                (transfer_id, TransferResult(result))
                for transfer_id, result in session.execute(_FAILED, {"ids": list(batch_ids)})
            ]
            if batch_ids
            else []
        )
        return Ledger.from_snapshot(
            accounts,
            stored,
            failures,
            last_timestamp=self._last_timestamp(session),
            clock=self._clock,
        )

    @staticmethod
    def _last_timestamp(session: Session) -> int:
        """The newest timestamp given so far: the ledger's timestamps never repeat or go back."""
        newest = session.execute(_LAST_TIMESTAMP).one()
        return max(newest[0] or 0, newest[1] or 0)

    def _lock_accounts(self, session: Session, ids: set[uuid.UUID]) -> list[Account]:
        if not ids:
            return []
        rows = session.execute(_LOCK_ACCOUNTS, {"ids": list(ids)})
        return [_account(row) for row in rows]

    def _write(self, session: Session, changes: LedgerChanges) -> None:
        if changes.accounts:
            session.execute(insert(ACCOUNTS), [account._asdict() for account in changes.accounts])
        if changes.transfers:
            session.execute(
                insert(TRANSFERS), [_transfer_values(transfer) for transfer in changes.transfers]
            )
        created = {account.id for account in changes.accounts}
        touched = [
            {
                "account_id": balance.account_id,
                "debits_pending": balance.debits_pending,
                "debits_posted": balance.debits_posted,
                "credits_pending": balance.credits_pending,
                "credits_posted": balance.credits_posted,
            }
            for balance in changes.balances
            if balance.account_id not in created
        ]
        if touched:
            # One executemany for the whole batch, by primary key.
            session.execute(
                update(ACCOUNTS)
                .where(ACCOUNTS.c.id == bindparam("account_id"))
                .values(
                    debits_pending=bindparam("debits_pending"),
                    debits_posted=bindparam("debits_posted"),
                    credits_pending=bindparam("credits_pending"),
                    credits_posted=bindparam("credits_posted"),
                ),
                touched,
            )
        if changes.failures:
            session.execute(
                insert(FAILURES),
                [
                    {"transfer_id": transfer_id, "result": result.value}
                    for transfer_id, result in changes.failures
                ],
            )
