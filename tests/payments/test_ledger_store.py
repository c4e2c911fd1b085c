"""The ledger on a real database (SQLite and PostgreSQL) behaves exactly like the in-memory
ledger: same answers to every batch, same balances, same log."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from comptoir.kernel.db import Database
from comptoir.kernel.ids import new_id
from comptoir.payments.domain import (
    Account,
    AccountCode,
    AccountFlags,
    Ledger,
    Transfer,
    TransferCode,
    TransferFlags,
    TransferResult,
)
from comptoir.payments.models import LedgerTransferRow
from comptoir.payments.services.ledger_sql import postgres as postgres_sql
from comptoir.payments.services.ledger_sql import sqlite as sqlite_sql
from comptoir.payments.services.ledger_store import LedgerStore

SECOND = 1_000_000_000


class Twin:
    """The same ledger twice: in memory, and on the database through the store."""

    def __init__(self, database: Database) -> None:
        self.database = database
        with database.transaction() as session:
            latest = session.scalar(select(func.max(LedgerTransferRow.timestamp))) or 0
        # Start after anything earlier examples stored, so both sides stamp alike.
        self.now = max(latest, 1_767_225_600 * SECOND) + 3600 * SECOND
        clock: Callable[[], int] = lambda: self.now  # noqa: E731
        self.memory = Ledger(clock=clock)
        self.store = LedgerStore(clock)
        self.accounts: list[UUID] = []
        self.pendings: list[Transfer] = []
        self.sent: list[Transfer] = []
        ndc = self.open(AccountCode.NDC)
        payer = self.open(AccountCode.POSITION, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
        self.open(AccountCode.POSITION)
        self.open(AccountCode.POSITION)
        self.apply([self.payment(ndc, payer, 5_000)])

    def open(self, code: int, flags: int = 0) -> UUID:
        account = Account(id=new_id(), ledger="XCD", code=code, flags=flags)
        assert self.memory.create_accounts([account]) == []
        with self.database.transaction() as session:
            assert self.store.create_accounts(session, [account]) == []
        self.accounts.append(account.id)
        return account.id

    def payment(self, debit: UUID, credit: UUID, amount: int, flags: int = 0) -> Transfer:
        return Transfer(
            id=new_id(),
            debit_account_id=debit,
            credit_account_id=credit,
            amount=amount,
            ledger="XCD",
            code=TransferCode.PAYMENT,
            flags=flags,
            timeout=30 if flags & TransferFlags.PENDING else 0,
        )

    def apply(self, batch: list[Transfer]) -> list[tuple[int, TransferResult]]:
        expected = self.memory.create_transfers(batch)
        with self.database.transaction() as session:
            actual = self.store.create_transfers(session, batch)
        assert actual == expected
        self.memory.take_changes()
        self.sent.extend(batch)
        return actual

    def expire(self) -> None:
        self.now += 31 * SECOND
        expected = {void.pending_id for void in self.memory.expire_pending(self.now)}
        self.memory.take_changes()
        with self.database.transaction() as session:
            voids = self.store.expire_due(session, now=self.now)
        mine = {transfer.id for transfer in self.sent}
        assert {void.pending_id for void in voids if void.pending_id in mine} == expected

    def step(self, rng: random.Random) -> None:
        kind = rng.choice(
            ["pay", "pending", "post", "void", "retry", "modified", "chain", "mixed", "wait"]
        )
        debit, credit = rng.sample(self.accounts[1:], 2)
        amount = rng.choice([1, 7, 250, 999, 4_000, 6_000])
        if kind == "pay":
            self.apply([self.payment(debit, credit, amount)])
        elif kind == "pending":
            pending = self.payment(debit, credit, amount, TransferFlags.PENDING)
            if self.apply([pending]) == []:
                self.pendings.append(pending)
        elif kind in ("post", "void") and self.pendings:
            pending = rng.choice(self.pendings)
            flag = (
                TransferFlags.POST_PENDING_TRANSFER
                if kind == "post"
                else TransferFlags.VOID_PENDING_TRANSFER
            )
            self.apply([Transfer(id=new_id(), pending_id=pending.id, flags=flag)])
        elif kind == "retry" and self.sent:
            self.apply([rng.choice(self.sent)])
        elif kind == "modified" and self.sent:
            original = rng.choice(self.sent)
            self.apply([original._replace(amount=original.amount + 1)])
        elif kind == "chain":
            first = self.payment(debit, credit, amount, TransferFlags.LINKED)
            second = self.payment(credit, debit, rng.choice([1, 10_000]))
            self.apply([first, second])
        elif kind == "mixed" and self.sent:
            # New transfers around a resent one, or the same new one twice: the store first
            # applies a batch as if all its ids were new, and must notice when they are not.
            fresh = self.payment(debit, credit, amount)
            again = rng.choice([rng.choice(self.sent), fresh])
            self.apply([fresh, again, self.payment(credit, debit, 1)])
        elif kind == "wait":
            self.expire()

    def assert_same_books(self) -> None:
        with self.database.transaction() as session:
            stored = self.store.accounts(session, self.accounts)
            for account_id in self.accounts:
                assert stored[account_id] == self.memory.lookup_account(account_id)
            # A failed transfer uses up a timestamp in memory but leaves no row to remember it
            # by, so stamps may differ; what they must agree on is the order of the log.
            # Expiry voids get ids of the ledger's own making; `expire` compared them already.
            log = [t for t in self.memory.transfers() if not t.flags & TransferFlags.EXPIRY]
            stored_log = [self.store.transfer(session, t.id) for t in log]
            assert [t and t._replace(timestamp=0) for t in stored_log] == [
                t._replace(timestamp=0) for t in log
            ]
            stamps = [t.timestamp for t in stored_log if t is not None]
            assert stamps == sorted(stamps)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32), steps=st.integers(5, 40))
def test_the_database_ledger_answers_and_balances_exactly_like_the_in_memory_one(
    database: Database, seed: int, steps: int
) -> None:
    twin = Twin(database)
    rng = random.Random(seed)
    for _ in range(steps):
        twin.step(rng)
    twin.assert_same_books()


def test_a_refused_prepare_moves_nothing_and_a_resend_is_refused_the_same_way(
    database: Database,
) -> None:
    twin = Twin(database)
    payer, payee = twin.accounts[1], twin.accounts[2]
    too_much = twin.payment(payer, payee, 5_001, TransferFlags.PENDING)
    assert twin.apply([too_much]) == [(0, TransferResult.EXCEEDS_CREDITS)]
    assert twin.apply([too_much]) == [(0, TransferResult.ID_ALREADY_FAILED)]
    twin.assert_same_books()


def test_every_batch_statement_names_the_columns_in_the_order_its_rows_are_built() -> None:
    columns = {
        "payments_ledger_transfer": ", ".join(Transfer._fields),
        "payments_ledger_account": ", ".join(Account._fields),
    }
    statements = {
        name: value
        for module in (sqlite_sql, postgres_sql)
        for name, value in vars(module).items()
        if name.startswith(("_SQLITE_", "_PG_")) and isinstance(value, str)
    }
    assert len(statements) >= 10
    for name, sql in statements.items():
        for table, listed in columns.items():
            if sql.startswith("SELECT") and f"FROM {table}" in sql:
                assert sql.startswith(f"SELECT {listed} FROM {table}"), name
                if " UNION " in sql:
                    assert f" UNION SELECT {listed} FROM {table}" in sql, name
            if sql.startswith(f"INSERT INTO {table} ("):
                assert sql.startswith(f"INSERT INTO {table} ({listed}"), name


def test_the_pending_id_and_expiry_indexes_are_partial_and_the_lookups_still_use_them(
    database: Database,
) -> None:
    with database.transaction() as session:
        connection = session.connection()
        sqlite = connection.dialect.name == "sqlite"
        definitions = {
            column: connection.exec_driver_sql(
                f"SELECT sql FROM sqlite_master WHERE name = 'ix_payments_ledger_transfer_{column}'"
                if sqlite
                else "SELECT indexdef FROM pg_indexes WHERE indexname = "
                f"'ix_payments_ledger_transfer_{column}' AND schemaname = current_schema()"
            ).scalar_one()
            for column in ("pending_id", "expires_at")
        }
        plans = (
            {
                column: " ".join(
                    str(row[-1])
                    for row in connection.exec_driver_sql(
                        f"EXPLAIN QUERY PLAN {query}", ("[]",) * query.count("?")
                    )
                )
                for column, query in (
                    ("pending_id", sqlite_sql._SQLITE_STORED_OR_RESOLVING),
                    (
                        "expires_at",
                        "SELECT id FROM payments_ledger_transfer WHERE expires_at IS NOT NULL "
                        "AND expires_at <= 0 ORDER BY expires_at",
                    ),
                )
            }
            if sqlite
            else {}
        )
    for column, definition in definitions.items():
        # A plain transfer, most of the log, has neither key: it costs these indexes nothing.
        assert "WHERE" in definition, definition
        assert f"{column} IS NOT NULL" in definition, definition
    for column, plan in plans.items():
        assert f"ix_payments_ledger_transfer_{column}" in plan, plan


def test_each_sqlite_lookup_of_a_set_of_ids_probes_an_index_once_per_id(database: Database) -> None:
    lookups = {
        "_SQLITE_STORED": "sqlite_autoindex_payments_ledger_transfer_1",
        "_SQLITE_STORED_OR_RESOLVING": "ix_payments_ledger_transfer_pending_id",
        "_SQLITE_ACCOUNTS": "sqlite_autoindex_payments_ledger_account_1",
        "_SQLITE_FAILURES": "sqlite_autoindex_payments_ledger_failure_1",
    }
    with database.transaction() as session:
        connection = session.connection()
        if connection.dialect.name != "sqlite":
            return  # PostgreSQL's `= ANY(array)` has no such choice of plan to check
        for name, index in lookups.items():
            query = getattr(sqlite_sql, name)
            plan = [
                str(row[-1])
                for row in connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {query}", ("[]",) * query.count("?")
                )
            ]
            # A temporary index built over the whole array of ids cost several times the
            # probes; the union of two lookups may still merge its halves in one.
            assert not any("LIST SUBQUERY" in step or "AUTOMATIC" in step for step in plan), plan
            assert any(step.startswith("SCAN json_each") for step in plan), (name, plan)
            assert any(step.startswith("SEARCH") and index in step for step in plan), (name, plan)


def test_the_same_new_transfer_sent_twice_at_once_is_applied_once_and_answered_exists_after(
    database: Database,
) -> None:
    twin = Twin(database)
    transfer = twin.payment(twin.accounts[1], twin.accounts[2], 10)
    first_open = threading.Event()
    answers: dict[str, object] = {}

    def second() -> None:
        first_open.wait(10)
        try:
            with database.transaction() as session:
                answers["second"] = twin.store.create_transfers(session, [transfer])
        except Exception as error:
            answers["second"] = error

    thread = threading.Thread(target=second)
    thread.start()
    with database.transaction() as session:
        answers["first"] = twin.store.create_transfers(session, [transfer])
        first_open.set()
        # The second waits for this transaction: on its account rows on PostgreSQL (and then
        # its insert would have met this one's row), on the write lock on SQLite.
        time.sleep(0.3)
    thread.join(20)

    assert answers == {"first": [], "second": [(0, TransferResult.EXISTS)]}
    with database.transaction() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(LedgerTransferRow)
                .where(LedgerTransferRow.id == transfer.id)
            )
            == 1
        )
