"""Ledger core: durable transfers per second in-process, beside the floor of a raw insert.

For each batch size, the same batches of single-phase transfers (random debit and credit
accounts among `SWITCH_ACCOUNTS`, the switch's own shape, or `ACCOUNTS`, TigerBeetle's, so none
fails) go through:
- `Ledger.create_transfers` + `take_changes`, in memory (no durability, for context);
- `LedgerStore.create_transfers` inside `Database.transaction()`, one commit per batch, on
  SQLite (a file in a temporary folder, WAL, as `comptoir.kernel.db` sets it up) and on
  PostgreSQL (a scratch schema);
- the floor: the rows the store would insert for those transfers, inserted with a raw
  `executemany` in one transaction per batch, on a second database with the same migrated
  schema and the same accounts (sqlite3 with the same pragmas and BEGIN IMMEDIATE; psycopg).

Only the time inside the transactions is counted; building the batches is not.
Not a benchmark on its own: `bench/payments.py` runs it (`make bench` runs this as a script,
and it does nothing).
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from _support import postgres_scratch_schema
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.ids import new_id
from comptoir.payments.domain import (
    Account,
    AccountCode,
    Ledger,
    Transfer,
    TransferCode,
)
from comptoir.payments.services.ledger_store import LedgerStore

ACCOUNTS = 10_000  # as TigerBeetle's own benchmark
# The switch's own ledger: a position, a liquidity and a net-debit-cap account per DFSP and
# currency, so even a large national switch of 50 DFSPs holds about 150 accounts.
SWITCH_ACCOUNTS = 150
CURRENCY = "XCD"
TRANSFER_COLUMNS = (
    "id",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "ledger",
    "code",
    "flags",
    "pending_id",
    "timeout",
    "user_data_128",
    "user_data_64",
    "user_data_32",
    "timestamp",
    "expires_at",
)
INSERT_SQL = (
    f"INSERT INTO payments_ledger_transfer ({', '.join(TRANSFER_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in TRANSFER_COLUMNS)})"
)
PG_INSERT_SQL = INSERT_SQL.replace("?", "%s")


@dataclass(frozen=True)
class Plan:
    """How much to run for one batch size: at most `transfers`, at most `seconds` of commits."""

    batch_size: int
    transfers: int
    seconds: float


@dataclass
class LedgerResult:
    engine: str  # memory, sqlite, postgresql
    path: str  # "Ledger (in memory)", "LedgerStore", "raw executemany (floor)"
    accounts: int  # how many accounts the transfers pick from
    batch_size: int
    transfers: int
    batches: int
    seconds: float
    transfers_per_s: float
    ms_per_batch: float
    phases_ms_per_batch: dict[str, float] | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 4)
        data["transfers_per_s"] = round(self.transfers_per_s)
        data["ms_per_batch"] = round(self.ms_per_batch, 3)
        return data

    def phase_shares(self) -> dict[str, float]:
        """Each phase's share of the batch time, in percent."""
        phases = self.phases_ms_per_batch or {}
        total = sum(phases.values())
        return {name: 100 * value / total for name, value in phases.items()} if total else {}


def _result(
    engine: str, path: str, accounts: int, batch_size: int, batches: int, seconds: float
) -> LedgerResult:
    transfers = batches * batch_size
    return LedgerResult(
        engine=engine,
        path=path,
        accounts=accounts,
        batch_size=batch_size,
        transfers=transfers,
        batches=batches,
        seconds=seconds,
        transfers_per_s=transfers / seconds if seconds else 0.0,
        ms_per_batch=1000 * seconds / batches if batches else 0.0,
    )


# -- the workload ---------------------------------------------------------------------------------


def make_accounts(count: int = ACCOUNTS) -> list[Account]:
    return [
        Account(id=new_id(), ledger=CURRENCY, code=int(AccountCode.POSITION)) for _ in range(count)
    ]


def make_batch(rng: random.Random, accounts: Sequence[Account], size: int) -> list[Transfer]:
    ids = [account.id for account in accounts]
    batch = []
    for _ in range(size):
        debit, credit = rng.sample(ids, 2)
        batch.append(
            Transfer(
                id=new_id(),
                debit_account_id=debit,
                credit_account_id=credit,
                amount=rng.randint(1, 10_000),
                ledger=CURRENCY,
                code=int(TransferCode.PAYMENT),
            )
        )
    return batch


class Counter:
    """A clock for the ledger and for the floor's rows: nanoseconds, never repeating."""

    def __init__(self) -> None:
        self.last = 0

    def __call__(self) -> int:
        self.last = max(time.time_ns(), self.last + 1)
        return self.last


# -- the three paths ------------------------------------------------------------------------------


class StoreTarget:
    """`LedgerStore.create_transfers` in `Database.transaction()`: the durable path.

    It also notes where each batch's time goes: BEGIN, loading and locking what the batch
    touches (`_ledger_for`), the ledger's rules, writing the changes (`_write`), COMMIT. The
    two store steps are timed by wrapping them on this instance (skipped if they are renamed).
    """

    PHASES = ("begin", "load_and_lock", "rules", "write", "commit")

    def __init__(self, url: str, accounts: Sequence[Account]) -> None:
        self.database = Database.from_url(url)
        upgrade(self.database.engine)
        self.store = LedgerStore(time.time_ns)
        for start in range(0, len(accounts), 1_000):
            with self.database.transaction() as session:
                failures = self.store.create_accounts(session, accounts[start : start + 1_000])
            if failures:
                raise RuntimeError(f"the store refused benchmark accounts: {failures[:3]}")
        self.phases = dict.fromkeys(self.PHASES, 0.0)
        self._step = {"load_and_lock": 0.0, "write": 0.0}
        self._wrap("_ledger_for", "load_and_lock")
        self._wrap("_write", "write")

    def _wrap(self, method: str, phase: str) -> None:
        original = getattr(self.store, method, None)
        if original is None:
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._step[phase] += time.perf_counter() - started

        setattr(self.store, method, timed)

    def reset_phases(self) -> None:
        self.phases = dict.fromkeys(self.PHASES, 0.0)

    def apply(self, batch: Sequence[Transfer]) -> float:
        self._step = {"load_and_lock": 0.0, "write": 0.0}
        started = time.perf_counter()
        with self.database.transaction() as session:
            # The session begins lazily: take its connection (and so BEGIN) on its own.
            session.connection()
            connected = time.perf_counter()
            failures = self.store.create_transfers(session, batch)
            applied = time.perf_counter()
        finished = time.perf_counter()
        if failures:
            raise RuntimeError(f"the store refused benchmark transfers: {failures[:3]}")
        body = applied - connected
        self.phases["begin"] += connected - started
        self.phases["load_and_lock"] += self._step["load_and_lock"]
        self.phases["write"] += self._step["write"]
        self.phases["rules"] += body - self._step["load_and_lock"] - self._step["write"]
        self.phases["commit"] += finished - applied
        return finished - started

    def close(self) -> None:
        self.database.dispose()


class MemoryTarget:
    """The pure ledger, for context: what the rules cost without any database."""

    def __init__(self, accounts: Sequence[Account]) -> None:
        self.ledger = Ledger(clock=time.time_ns)
        if self.ledger.create_accounts(accounts):
            raise RuntimeError("the in-memory ledger refused benchmark accounts")
        self.ledger.take_changes()

    def apply(self, batch: Sequence[Transfer]) -> float:
        started = time.perf_counter()
        failures = self.ledger.create_transfers(batch)
        self.ledger.take_changes()
        elapsed = time.perf_counter() - started
        if failures:
            raise RuntimeError(f"the ledger refused benchmark transfers: {failures[:3]}")
        return elapsed

    def close(self) -> None:
        pass


class SqliteFloor:
    """A raw sqlite3 `executemany` of the same rows into the same schema, one commit a batch."""

    def __init__(self, path: Path, accounts: Sequence[Account]) -> None:
        StoreTarget(f"sqlite:///{path}", accounts).close()  # same schema, same accounts
        self.clock = Counter()
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # As comptoir.kernel.db sets up every SQLite connection.
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=10000",
        ):
            self.connection.execute(pragma)

    def rows(self, batch: Sequence[Transfer]) -> list[tuple[object, ...]]:
        # SQLAlchemy's Uuid binds a 32-digit hex string on SQLite: the same here.
        return [
            (
                transfer.id.hex,
                transfer.debit_account_id.hex,
                transfer.credit_account_id.hex,
                transfer.amount,
                transfer.ledger,
                transfer.code,
                transfer.flags,
                None,
                transfer.timeout,
                transfer.user_data_128.hex,
                transfer.user_data_64,
                transfer.user_data_32,
                self.clock(),
                None,
            )
            for transfer in batch
        ]

    def apply(self, batch: Sequence[Transfer]) -> float:
        rows = self.rows(batch)
        started = time.perf_counter()
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.executemany(INSERT_SQL, rows)
        self.connection.execute("COMMIT")
        return time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()


class PostgresFloor:
    """A raw psycopg `executemany` of the same rows into the same schema, one commit a batch."""

    def __init__(self, url: str, accounts: Sequence[Account]) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        StoreTarget(url, accounts).close()  # same schema, same accounts
        self.clock = Counter()
        parsed = make_url(url)
        self.connection = psycopg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            dbname=parsed.database,
            options=str(parsed.query.get("options", "")),
        )

    def rows(self, batch: Sequence[Transfer]) -> list[tuple[object, ...]]:
        return [
            (
                transfer.id,
                transfer.debit_account_id,
                transfer.credit_account_id,
                transfer.amount,
                transfer.ledger,
                transfer.code,
                transfer.flags,
                None,
                transfer.timeout,
                transfer.user_data_128,
                transfer.user_data_64,
                transfer.user_data_32,
                self.clock(),
                None,
            )
            for transfer in batch
        ]

    def apply(self, batch: Sequence[Transfer]) -> float:
        rows = self.rows(batch)
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            cursor.executemany(PG_INSERT_SQL, rows)
        self.connection.commit()
        return time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()


# -- running --------------------------------------------------------------------------------------


@contextmanager
def _closing(target: Any) -> Iterator[Any]:
    try:
        yield target
    finally:
        target.close()


def _measure(
    apply: Callable[[Sequence[Transfer]], float], batches: Sequence[Sequence[Transfer]]
) -> float:
    return sum(apply(batch) for batch in batches)


def run_engine(
    engine: str,
    store_url: str,
    floor: Callable[[Sequence[Account]], Any],
    plans: Sequence[Plan],
    *,
    seed: int = 7,
    accounts_count: int = ACCOUNTS,
    with_memory: bool = False,
    log: Callable[[str], None] = print,
    profile_dir: Path | None = None,
) -> list[LedgerResult]:
    """Run every plan on one engine: the store (time-capped), then the floor on as many of the
    same batches, then (with_memory) the in-memory ledger on them too."""
    rng = random.Random(seed)
    accounts = make_accounts(accounts_count)
    results: list[LedgerResult] = []
    with (
        _closing(StoreTarget(store_url, accounts)) as store,
        _closing(floor(accounts)) as raw,
        _closing(MemoryTarget(accounts)) as memory,
    ):
        for plan in plans:
            warm_up = make_batch(rng, accounts, plan.batch_size)
            store.apply(warm_up)
            raw.apply(warm_up)
            memory.apply(warm_up)
            store.reset_phases()
            batches: list[list[Transfer]] = []
            spent = 0.0
            while len(batches) * plan.batch_size < plan.transfers and spent < plan.seconds:
                batch = make_batch(rng, accounts, plan.batch_size)
                spent += store.apply(batch)
                batches.append(batch)
            measured = _result(
                engine, "LedgerStore", accounts_count, plan.batch_size, len(batches), spent
            )
            if batches:
                measured.phases_ms_per_batch = {
                    name: round(1000 * seconds / len(batches), 3)
                    for name, seconds in store.phases.items()
                }
            results.append(measured)
            results.append(
                _result(
                    engine,
                    "raw executemany (floor)",
                    accounts_count,
                    plan.batch_size,
                    len(batches),
                    _measure(raw.apply, batches),
                )
            )
            if with_memory:
                results.append(
                    _result(
                        "memory",
                        "Ledger (in memory)",
                        accounts_count,
                        plan.batch_size,
                        len(batches),
                        _measure(memory.apply, batches),
                    )
                )
            store_result, floor_result = results[-2 - with_memory], results[-1 - with_memory]
            log(
                f"  {engine:<10} {accounts_count:>6,} accounts, batch {plan.batch_size:>5}: store "
                f"{store_result.transfers_per_s:>9,.0f}/s, floor "
                f"{floor_result.transfers_per_s:>9,.0f}/s ({store_result.transfers:,} transfers)"
            )
            if profile_dir is not None and plan.batch_size in _profiled_sizes(plans):
                path = (
                    profile_dir
                    / f"payments-ledger-{engine}-accounts{accounts_count}-batch{plan.batch_size}"
                    ".pyinstrument.txt"
                )
                _profile_store(store, rng, accounts, plan, path)
                log(f"  pyinstrument profile of the store path: {path}")
    return results


def _profile_store(
    store: StoreTarget, rng: random.Random, accounts: Sequence[Account], plan: Plan, path: Path
) -> None:
    from pyinstrument import Profiler

    batches = [
        make_batch(rng, accounts, plan.batch_size)
        for _ in range(max(1, min(20_000 // plan.batch_size, 300)))
    ]
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for batch in batches:
        store.apply(batch)
    profiler.stop()
    path.write_text(profiler.output_text(unicode=False, color=False))


def run_sqlite(
    plans: Sequence[Plan],
    *,
    accounts: int = ACCOUNTS,
    log: Callable[[str], None] = print,
    profile_dir: Path | None = None,
) -> list[LedgerResult]:
    with tempfile.TemporaryDirectory(prefix="comptoir-bench-ledger-") as folder:
        base = Path(folder)
        return run_engine(
            "sqlite",
            f"sqlite:///{base / 'store.db'}",
            lambda accounts: SqliteFloor(base / "floor.db", accounts),
            plans,
            accounts_count=accounts,
            with_memory=True,
            log=log,
            profile_dir=profile_dir,
        )


def run_postgres(
    server_url: str,
    plans: Sequence[Plan],
    *,
    accounts: int = ACCOUNTS,
    log: Callable[[str], None] = print,
    profile_dir: Path | None = None,
) -> list[LedgerResult]:
    with (
        postgres_scratch_schema(server_url, "bench_ledger") as store_url,
        postgres_scratch_schema(server_url, "bench_floor") as floor_url,
    ):
        return run_engine(
            "postgresql",
            store_url,
            lambda accounts: PostgresFloor(floor_url, accounts),
            plans,
            accounts_count=accounts,
            log=log,
            profile_dir=profile_dir,
        )


def _profiled_sizes(plans: Sequence[Plan]) -> set[int]:
    # The smallest and the largest batch show the two regimes: per-statement and per-row costs.
    sizes = sorted(plan.batch_size for plan in plans)
    return {sizes[0], sizes[-1]}


if __name__ == "__main__":
    print("bench/payments_ledger.py is part of bench/payments.py; run that.")
