"""PostgreSQL's batch statements: native UUIDs, sets of ids and a batch's rows as arrays."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from comptoir.payments.domain import (
    ZERO_ID,
    Account,
    AccountBalance,
    Transfer,
    TransferResult,
)
from comptoir.payments.services.ledger_sql.base import LedgerSql, expires_at

_PG_STORED = (
    "SELECT id, debit_account_id, credit_account_id, amount, ledger, code, flags, pending_id, "
    "timeout, user_data_128, user_data_64, user_data_32, timestamp FROM "
    "payments_ledger_transfer WHERE id = ANY(%s)"
)
_PG_STORED_OR_RESOLVING = (
    "SELECT id, debit_account_id, credit_account_id, amount, ledger, code, flags, pending_id, "
    "timeout, user_data_128, user_data_64, user_data_32, timestamp FROM "
    "payments_ledger_transfer WHERE id = ANY(%s) UNION SELECT id, debit_account_id, "
    "credit_account_id, amount, ledger, code, flags, pending_id, timeout, user_data_128, "
    "user_data_64, user_data_32, timestamp FROM payments_ledger_transfer WHERE pending_id = "
    "ANY(%s)"
)
_PG_LOCK_ACCOUNTS = (
    "SELECT id, ledger, code, flags, debits_pending, debits_posted, credits_pending, "
    "credits_posted, user_data_128, user_data_64, user_data_32, timestamp FROM "
    "payments_ledger_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
)
_PG_INSERT_ACCOUNTS = (
    "INSERT INTO payments_ledger_account (id, ledger, code, flags, debits_pending, "
    "debits_posted, credits_pending, credits_posted, user_data_128, user_data_64, "
    "user_data_32, timestamp) SELECT * FROM unnest(%s::uuid[], %s::varchar[], %s::integer[], "
    "%s::integer[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::uuid[], "
    "%s::bigint[], %s::integer[], %s::bigint[])"
)
_PG_INSERT_TRANSFERS = (
    "INSERT INTO payments_ledger_transfer (id, debit_account_id, credit_account_id, amount, "
    "ledger, code, flags, pending_id, timeout, user_data_128, user_data_64, user_data_32, "
    "timestamp, expires_at) SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::uuid[], "
    "%s::bigint[], %s::varchar[], %s::integer[], %s::integer[], %s::uuid[], %s::integer[], "
    "%s::uuid[], %s::bigint[], %s::integer[], %s::bigint[], %s::bigint[])"
)
_PG_INSERT_NEW_TRANSFERS = (
    "INSERT INTO payments_ledger_transfer (id, debit_account_id, credit_account_id, amount, "
    "ledger, code, flags, pending_id, timeout, user_data_128, user_data_64, user_data_32, "
    "timestamp, expires_at) SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::uuid[], "
    "%s::bigint[], %s::varchar[], %s::integer[], %s::integer[], %s::uuid[], %s::integer[], "
    "%s::uuid[], %s::bigint[], %s::integer[], %s::bigint[], %s::bigint[]) "
    "ON CONFLICT (id) DO NOTHING"
)


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


class PostgresLedgerSql(LedgerSql):
    """PostgreSQL: native UUIDs, id sets as arrays, a batch's rows as one array per column.
    Rows are locked `FOR UPDATE` in id order, so two batches sharing accounts queue and never
    deadlock, while batches over other accounts go on in parallel."""

    def stored_transfers(
        self, ids: Collection[UUID], pending_ids: Collection[UUID]
    ) -> list[Transfer]:
        if pending_ids:
            self.cursor.execute(_PG_STORED_OR_RESOLVING, (list(ids), list(pending_ids)))
        else:
            self.cursor.execute(_PG_STORED, (list(ids),))
        return [
            Transfer._make((*row[:7], row[7] or ZERO_ID, *row[8:]))
            for row in self.cursor.fetchall()
        ]

    def lock_accounts(self, ids: Collection[UUID]) -> list[Account]:
        self.cursor.execute(_PG_LOCK_ACCOUNTS, (list(ids),))
        return [Account._make(row) for row in self.cursor.fetchall()]

    def failures(self, ids: Collection[UUID]) -> list[tuple[UUID, TransferResult]]:
        self.cursor.execute(
            "SELECT transfer_id, result FROM payments_ledger_failure WHERE transfer_id = ANY(%s)",
            (list(ids),),
        )
        return [(row[0], TransferResult(row[1])) for row in self.cursor.fetchall()]

    def insert_accounts(self, accounts: Sequence[Account]) -> None:
        self.cursor.execute(_PG_INSERT_ACCOUNTS, _columns(accounts, len(Account._fields)))

    def insert_transfers(self, transfers: Sequence[Transfer]) -> None:
        self.cursor.execute(_PG_INSERT_TRANSFERS, self._transfer_columns(transfers))

    def insert_new_transfers(self, transfers: Sequence[Transfer]) -> bool:
        cursor = self.cursor
        # A lone row goes in or writes nothing, so it needs no savepoint: the switch applies
        # its transfers one at a time, and a savepoint costs two round trips here.
        guarded = len(transfers) > 1
        if guarded:
            cursor.execute("SAVEPOINT ledger_new_transfers")
        # A row whose id is already stored, or is being stored by a transaction not yet
        # committed (which this insert then waits for), is skipped and not counted.
        cursor.execute(_PG_INSERT_NEW_TRANSFERS, self._transfer_columns(transfers))
        all_new: bool = cursor.rowcount == len(transfers)
        if guarded:
            if not all_new:
                cursor.execute("ROLLBACK TO SAVEPOINT ledger_new_transfers")
            cursor.execute("RELEASE SAVEPOINT ledger_new_transfers")
        return all_new

    @staticmethod
    def _transfer_columns(transfers: Sequence[Transfer]) -> list[list[Any]]:
        rows = [
            (
                *transfer[:7],
                None if transfer.pending_id == ZERO_ID else transfer.pending_id,
                *transfer[8:],
                expires_at(transfer),
            )
            for transfer in transfers
        ]
        return _columns(rows, len(Transfer._fields) + 1)

    def update_balances(self, balances: Sequence[AccountBalance]) -> None:
        self.cursor.execute(
            "UPDATE payments_ledger_account AS account SET debits_pending = moved.dp, "
            "debits_posted = moved.dd, credits_pending = moved.cp, credits_posted = moved.cd "
            "FROM unnest(%s::uuid[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[]) "
            "AS moved(id, dp, dd, cp, cd) WHERE account.id = moved.id",
            _columns(balances, 5),
        )

    def insert_failures(self, failures: Sequence[tuple[UUID, TransferResult]]) -> None:
        self.cursor.execute(
            "INSERT INTO payments_ledger_failure (transfer_id, result) "
            "SELECT * FROM unnest(%s::uuid[], %s::varchar[])",
            _columns([(transfer_id, result.value) for transfer_id, result in failures], 2),
        )
