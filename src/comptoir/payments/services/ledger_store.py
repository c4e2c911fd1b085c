"""The ledger on the database: batches applied inside the caller's transaction.

The database is the ledger's authority, so any number of processes may write to it: a batch
locks the account rows it touches (in id order, so two batches never deadlock), loads them with
the stored transfers it may meet, lets the pure `Ledger` apply the rules, and writes back what
changed. SQLite serialises writers anyway (BEGIN IMMEDIATE); PostgreSQL serialises only batches
that share an account, so unrelated payments proceed in parallel. The batch statements speak to
the driver directly (`ledger_sql`); the occasional reads here go through SQLAlchemy.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.payments.domain import (
    ZERO_ID,
    Account,
    AccountResult,
    Ledger,
    LedgerChanges,
    Transfer,
    TransferResult,
)
from comptoir.payments.models import LedgerAccountRow, LedgerTransferRow
from comptoir.payments.services.ledger_sql import LedgerSql, ledger_sql_for

_TRANSFER_COLUMNS = [getattr(LedgerTransferRow, name) for name in Transfer._fields]
_ACCOUNT_COLUMNS = [getattr(LedgerAccountRow, name) for name in Account._fields]


def _transfer(row: Sequence[Any]) -> Transfer:
    return Transfer._make((*row[:7], row[7] or ZERO_ID, *row[8:]))


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
        sql = ledger_sql_for(session)
        try:
            existing = sql.lock_accounts({account.id for account in accounts})
            ledger = Ledger.from_snapshot(
                existing, last_timestamp=sql.last_timestamp(), clock=self._clock
            )
            failures = ledger.create_accounts(accounts)
            self._write(sql, ledger.take_changes())
        finally:
            sql.close()
        return failures

    def create_transfers(
        self, session: Session, transfers: Sequence[Transfer]
    ) -> list[tuple[int, TransferResult]]:
        if not transfers:
            return []
        sql = ledger_sql_for(session)
        try:
            failures = self._apply_as_new(sql, transfers)
            if failures is None:
                ledger = self._ledger_for(sql, transfers)
                failures = ledger.create_transfers(transfers)
                self._write(sql, ledger.take_changes())
        finally:
            sql.close()
        return failures

    def _apply_as_new(
        self, sql: LedgerSql, transfers: Sequence[Transfer]
    ) -> list[tuple[int, TransferResult]] | None:
        """Apply a batch as if none of its ids were stored (the common case: new transfers),
        without the read that would find them, nearly half of a batch's reading and locking
        (bench/payments.py). Kept only if every transfer succeeds and the insert finds none of
        their ids stored; otherwise write nothing and answer None, and the batch is applied
        again knowing what is stored. The answers are the same: a resent id, or one of these
        transfers failing, is what the second pass reads the store for, and a batch with
        neither met nothing stored under its ids."""
        ledger = self._ledger_for(sql, transfers, read_batch_transfers=False)
        if ledger.create_transfers(transfers):
            return None
        return [] if self._write(sql, ledger.take_changes(), as_new=True) else None

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
        sql = ledger_sql_for(session)
        try:
            ledger = self._ledger_for(
                sql, probes, read_batch_transfers=False, read_batch_failures=False
            )
            voids = ledger.expire_pending(now)
            self._write(sql, ledger.take_changes())
        finally:
            sql.close()
        return voids

    def accounts(self, session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Account]:
        rows = session.execute(select(*_ACCOUNT_COLUMNS).where(LedgerAccountRow.id.in_(set(ids))))
        accounts = [Account(*row) for row in rows]
        return {account.id: account for account in accounts}

    def transfer(self, session: Session, transfer_id: uuid.UUID) -> Transfer | None:
        row = session.execute(
            select(*_TRANSFER_COLUMNS).where(LedgerTransferRow.id == transfer_id)
        ).first()
        return None if row is None else _transfer(row)

    # -- loading and writing ----------------------------------------------------------------

    def _ledger_for(
        self,
        sql: LedgerSql,
        transfers: Sequence[Transfer],
        *,
        read_batch_transfers: bool = True,
        read_batch_failures: bool = True,
    ) -> Ledger:
        """A ledger over the accounts these transfers touch, with the stored transfers they may
        meet: those they post or void, the ones that resolved those already and (unless told
        not to) those with the batch's own ids; and the batch's ids that failed for good."""
        # Ids are deduplicated by `.int`, not put in sets: UUID's __eq__ and __hash__ are Python
        # code, and a batch of 8,190 transfers names its accounts 16,380 times.
        batch = {transfer.id.int: transfer.id for transfer in transfers}
        pending = {
            transfer.pending_id.int: transfer.pending_id
            for transfer in transfers
            if transfer.pending_id.int
        }
        batch_ids = batch.values()
        wanted: Collection[UUID]
        if not read_batch_transfers:
            wanted = pending.values()
        elif pending:
            wanted = {**batch, **pending}.values()
        else:
            wanted = batch_ids  # the same object: the SQLite statements reuse its JSON
        stored = sql.stored_transfers(wanted, pending.values()) if wanted else []
        account_ids = {
            transfer.debit_account_id.int: transfer.debit_account_id for transfer in transfers
        }
        account_ids.update(
            {transfer.credit_account_id.int: transfer.credit_account_id for transfer in transfers}
        )
        for transfer in stored:
            account_ids[transfer.debit_account_id.int] = transfer.debit_account_id
            account_ids[transfer.credit_account_id.int] = transfer.credit_account_id
        account_ids.pop(0, None)
        accounts = sql.lock_accounts(account_ids.values()) if account_ids else []
        failures = sql.failures(batch_ids) if read_batch_failures and batch else []
        return Ledger.from_snapshot(
            accounts,
            stored,
            failures,
            last_timestamp=sql.last_timestamp(),
            clock=self._clock,
        )

    @staticmethod
    def _write(sql: LedgerSql, changes: LedgerChanges, *, as_new: bool = False) -> bool:
        """Write what a batch changed. `as_new`: only if none of its transfers' ids is stored
        yet; answer False, having written nothing, if one is."""
        if as_new and not sql.insert_new_transfers(changes.transfers):
            return False
        if changes.accounts:
            sql.insert_accounts(changes.accounts)
        if changes.transfers and not as_new:
            sql.insert_transfers(changes.transfers)
        created = {account.id for account in changes.accounts}
        touched = [balance for balance in changes.balances if balance.account_id not in created]
        if touched:
            sql.update_balances(touched)
        if changes.failures:
            sql.insert_failures(changes.failures)
        return True
