"""What the ledger store asks of each dialect's batch statements (see the package's doc)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy.orm import Session

from comptoir.payments.domain import (
    Account,
    AccountBalance,
    Transfer,
    TransferFlags,
    TransferResult,
)

NANOSECONDS = 1_000_000_000
PENDING_FLAG = int(TransferFlags.PENDING)

# The columns, in `Account._fields` and `Transfer._fields` order, are spelled out in each
# statement so that the SQL reads whole; a test checks them against those fields.
_LAST_TIMESTAMP = (
    "SELECT (SELECT max(timestamp) FROM payments_ledger_transfer), "
    "(SELECT max(timestamp) FROM payments_ledger_account)"
)


def expires_at(transfer: Transfer) -> int | None:
    """When a pending transfer with a timeout lapses (ns), else None: the expiry index's key."""
    if transfer.flags & PENDING_FLAG and transfer.timeout:
        return transfer.timestamp + transfer.timeout * NANOSECONDS
    return None


class LedgerSql(ABC):
    """One dialect's batch statements over a session's connection (see the package's doc)."""

    def __init__(self, session: Session) -> None:
        # The session's own connection, so every statement runs in the caller's transaction;
        # flushing first keeps the order of writes the ORM would have given.
        session.flush()
        driver_connection = cast(Any, session.connection().connection).driver_connection
        self.cursor: Any = driver_connection.cursor()

    def last_timestamp(self) -> int:
        """The newest timestamp given so far: the ledger's timestamps never repeat or go back."""
        self.cursor.execute(_LAST_TIMESTAMP)
        transfers, accounts = self.cursor.fetchone()
        return max(transfers or 0, accounts or 0)

    @abstractmethod
    def stored_transfers(
        self, ids: Collection[UUID], pending_ids: Collection[UUID]
    ) -> list[Transfer]:
        """The stored transfers with one of `ids`, or resolving one of `pending_ids`."""

    @abstractmethod
    def lock_accounts(self, ids: Collection[UUID]) -> list[Account]:
        """Load the accounts with these ids, locking their rows for this transaction."""

    @abstractmethod
    def failures(self, ids: Collection[UUID]) -> list[tuple[UUID, TransferResult]]:
        """The ids among these that failed for good, with their results."""

    @abstractmethod
    def insert_accounts(self, accounts: Sequence[Account]) -> None:
        """Insert new accounts."""

    @abstractmethod
    def insert_transfers(self, transfers: Sequence[Transfer]) -> None:
        """Append transfers to the log, with the expiry key of timed pending ones."""

    @abstractmethod
    def insert_new_transfers(self, transfers: Sequence[Transfer]) -> bool:
        """Append transfers as `insert_transfers` does if none of their ids is stored yet, and
        answer True; if one is, write nothing and answer False."""

    @abstractmethod
    def update_balances(self, balances: Sequence[AccountBalance]) -> None:
        """Write the four balances of existing accounts."""

    @abstractmethod
    def insert_failures(self, failures: Sequence[tuple[UUID, TransferResult]]) -> None:
        """Remember ids that failed for good (a resend answers `ID_ALREADY_FAILED`)."""

    def close(self) -> None:
        self.cursor.close()
