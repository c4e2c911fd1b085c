"""SQLite's batch statements: ids as 32 hex digits, sets of ids as JSON arrays."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.orm import Session

from comptoir.payments.domain import (
    ZERO_ID,
    Account,
    AccountBalance,
    Transfer,
    TransferResult,
)
from comptoir.payments.services.ledger_sql.base import NANOSECONDS, PENDING_FLAG, LedgerSql


class _HexDigits(dict[int, str]):
    """`UUID.int` to the 32 hex digits SQLite stores, each worked out once per batch: a batch
    names its 150-odd accounts thousands of times, and `UUID.hex` costs five dict lookups."""

    def __missing__(self, key: int) -> str:
        digits = self[key] = "%032x" % key  # noqa: UP031 (the fastest spelling)
        return digits


class _Ids:
    """Hex digits back to the `UUID` objects a batch already holds; parses only what it lacks."""

    def __init__(self) -> None:
        self.by_hex = {ZERO_ID.hex: ZERO_ID}
        self.hex = _HexDigits()

    def array(self, values: Iterable[UUID]) -> str:
        """The JSON array of these ids' hex digits, remembering each id by its digits."""
        by_hex = self.by_hex
        hex_digits = self.hex
        digits = []
        for value in values:
            key = value.int
            # Worked out here rather than through the memo's __missing__: most are new.
            text = hex_digits[key] = "%032x" % key  # noqa: UP031
            by_hex[text] = value
            digits.append(text)
        return json.dumps(digits)

    def __call__(self, digits: str | None) -> UUID:
        if digits is None:
            return ZERO_ID
        found = self.by_hex.get(digits)
        if found is None:
            found = self.by_hex[digits] = UUID(hex=digits)
        return found


# A set of ids is read as `table JOIN (SELECT value AS wanted FROM json_each(?)) ON key =
# wanted`: SQLite walks the array and probes the table's index once per id. Spelled `key IN
# (SELECT value FROM json_each(?))`, it first built a temporary index of the whole array, which
# cost 3 to 4 ms a batch of 8,190 ids, several times the probes themselves. (The subquery names
# the array's column: json_each has an `id` column of its own.) An array holds each id once, so
# each row comes back once.
_SQLITE_STORED = (
    "SELECT id, debit_account_id, credit_account_id, amount, ledger, code, flags, pending_id, "
    "timeout, user_data_128, user_data_64, user_data_32, timestamp FROM "
    "payments_ledger_transfer JOIN (SELECT value AS wanted FROM json_each(?)) ON id = wanted"
)
_SQLITE_STORED_OR_RESOLVING = (
    "SELECT id, debit_account_id, credit_account_id, amount, ledger, code, flags, pending_id, "
    "timeout, user_data_128, user_data_64, user_data_32, timestamp FROM "
    "payments_ledger_transfer JOIN (SELECT value AS wanted FROM json_each(?)) ON id = wanted "
    "UNION SELECT id, debit_account_id, credit_account_id, amount, ledger, code, flags, "
    "pending_id, timeout, user_data_128, user_data_64, user_data_32, timestamp FROM "
    "payments_ledger_transfer JOIN (SELECT value AS wanted FROM json_each(?)) ON "
    "pending_id = wanted"
)
_SQLITE_ACCOUNTS = (
    "SELECT id, ledger, code, flags, debits_pending, debits_posted, credits_pending, "
    "credits_posted, user_data_128, user_data_64, user_data_32, timestamp FROM "
    "payments_ledger_account JOIN (SELECT value AS wanted FROM json_each(?)) ON id = wanted"
)
_SQLITE_FAILURES = (
    "SELECT transfer_id, result FROM payments_ledger_failure JOIN (SELECT value AS wanted "
    "FROM json_each(?)) ON transfer_id = wanted"
)
_SQLITE_INSERT_ACCOUNTS = (
    "INSERT INTO payments_ledger_account (id, ledger, code, flags, debits_pending, "
    "debits_posted, credits_pending, credits_posted, user_data_128, user_data_64, "
    "user_data_32, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_INSERT_TRANSFERS = (
    "INSERT INTO payments_ledger_transfer (id, debit_account_id, credit_account_id, amount, "
    "ledger, code, flags, pending_id, timeout, user_data_128, user_data_64, user_data_32, "
    "timestamp, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_INSERT_NEW_TRANSFERS = (
    "INSERT INTO payments_ledger_transfer (id, debit_account_id, credit_account_id, amount, "
    "ledger, code, flags, pending_id, timeout, user_data_128, user_data_64, user_data_32, "
    "timestamp, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO NOTHING"
)


class SqliteLedgerSql(LedgerSql):
    """SQLite: ids as 32 hex digits, id sets as JSON arrays. BEGIN IMMEDIATE (see
    `comptoir.kernel.db`) already holds the database's write lock, so no row lock is needed."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.ids = _Ids()
        # The batch's ids as JSON, kept for the failures' read, which asks for the same set.
        self._batch: tuple[Collection[UUID], str] | None = None

    def stored_transfers(
        self, ids: Collection[UUID], pending_ids: Collection[UUID]
    ) -> list[Transfer]:
        batch = self.ids.array(ids)
        self._batch = (ids, batch)
        if pending_ids:
            self.cursor.execute(_SQLITE_STORED_OR_RESOLVING, (batch, self.ids.array(pending_ids)))
        else:
            self.cursor.execute(_SQLITE_STORED, (batch,))
        return [self._transfer(row) for row in self.cursor.fetchall()]

    def _transfer(self, row: Sequence[Any]) -> Transfer:
        ids = self.ids
        return Transfer(
            ids(row[0]),
            ids(row[1]),
            ids(row[2]),
            row[3],
            row[4],
            row[5],
            row[6],
            ids(row[7]),
            row[8],
            ids(row[9]),
            row[10],
            row[11],
            row[12],
        )

    def lock_accounts(self, ids: Collection[UUID]) -> list[Account]:
        known = self.ids
        self.cursor.execute(_SQLITE_ACCOUNTS, (known.array(ids),))
        return [
            Account._make((known(row[0]), *row[1:8], known(row[8]), *row[9:]))
            for row in self.cursor.fetchall()
        ]

    def failures(self, ids: Collection[UUID]) -> list[tuple[UUID, TransferResult]]:
        batch = self._batch
        ids_json = batch[1] if batch is not None and batch[0] is ids else self.ids.array(ids)
        self.cursor.execute(_SQLITE_FAILURES, (ids_json,))
        return [(self.ids(row[0]), TransferResult(row[1])) for row in self.cursor.fetchall()]

    def insert_accounts(self, accounts: Sequence[Account]) -> None:
        self.cursor.executemany(
            _SQLITE_INSERT_ACCOUNTS,
            [
                (account.id.hex, *account[1:8], account.user_data_128.hex, *account[9:])
                for account in accounts
            ],
        )

    def insert_transfers(self, transfers: Sequence[Transfer]) -> None:
        self.cursor.executemany(_SQLITE_INSERT_TRANSFERS, self._transfer_rows(transfers))

    def insert_new_transfers(self, transfers: Sequence[Transfer]) -> bool:
        rows = self._transfer_rows(transfers)
        cursor = self.cursor
        guarded = len(rows) > 1  # a lone row goes in or writes nothing
        if guarded:
            cursor.execute("SAVEPOINT ledger_new_transfers")
        # Each row an id already holds is skipped; executemany sums the rows it inserted.
        cursor.executemany(_SQLITE_INSERT_NEW_TRANSFERS, rows)
        all_new: bool = cursor.rowcount == len(rows)
        if guarded:
            if not all_new:
                cursor.execute("ROLLBACK TO ledger_new_transfers")
            cursor.execute("RELEASE ledger_new_transfers")
        return all_new

    def _transfer_rows(self, transfers: Sequence[Transfer]) -> list[tuple[Any, ...]]:
        hex_digits = self.ids.hex
        rows = []
        for (transfer_id, debit_id, credit_id, amount, ledger, code, flags, pending_id, timeout,
             user_data_128, user_data_64, user_data_32, timestamp) in transfers:  # fmt: skip
            pending_key = pending_id.int
            rows.append((
                hex_digits[transfer_id.int],
                hex_digits[debit_id.int],
                hex_digits[credit_id.int],
                amount,
                ledger,
                code,
                flags,
                hex_digits[pending_key] if pending_key else None,
                timeout,
                hex_digits[user_data_128.int],
                user_data_64,
                user_data_32,
                timestamp,
                # expires_at(), inline: this loop runs for every transfer of every batch.
                timestamp + timeout * NANOSECONDS if flags & PENDING_FLAG and timeout else None,
            ))  # fmt: skip
        return rows

    def update_balances(self, balances: Sequence[AccountBalance]) -> None:
        self.cursor.executemany(
            "UPDATE payments_ledger_account SET debits_pending = ?, debits_posted = ?, "
            "credits_pending = ?, credits_posted = ? WHERE id = ?",
            [(*balance[1:], balance.account_id.hex) for balance in balances],
        )

    def insert_failures(self, failures: Sequence[tuple[UUID, TransferResult]]) -> None:
        self.cursor.executemany(
            "INSERT INTO payments_ledger_failure (transfer_id, result) VALUES (?, ?)",
            [(transfer_id.hex, result.value) for transfer_id, result in failures],
        )
