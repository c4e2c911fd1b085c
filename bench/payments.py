"""The payments benchmark: the ledger core and the FSPIOP switch end to end, in one run.

    .venv/bin/python bench/payments.py [--quick] [--skip-postgres] [--profile]
    .venv/bin/python bench/payments.py --only e2e --database sqlite --in-flight 8 --seconds 8

(1) Ledger core: durable transfers per second in-process. Batches of 1, 100, 1,000 and 8,190
    single-phase transfers go through `LedgerStore.create_transfers` inside
    `Database.transaction()`, one commit per batch, on SQLite and on PostgreSQL; beside them, the
    floor (a raw `executemany` INSERT of the same rows into the same schema, committed the same
    way) and the pure in-memory `Ledger.create_transfers`, for context. Two shapes of ledger:
    the switch's own (150 accounts: 50 DFSPs with a position, a liquidity and a net-debit-cap
    account each) and TigerBeetle's benchmark (10,000 accounts), where a batch touches and
    rewrites nearly as many accounts as it has transfers.
(2) End to end: complete FSPIOP transfers per second (prepare → fulfil → commit, with the
    callbacks) between two simulated DFSPs and a `comptoir serve` process over loopback HTTP,
    with p50/p99 latency from the payer's POST to its PUT COMMITTED callback, at a few
    concurrency levels, on SQLite and on PostgreSQL.
(3) The floor of end to end (`payments_ceiling`): what the transfer's HTTP messages alone cost
    on this stack, with a bare server that does no work, as transfers per second.

Targets on 2 cores (issue 3): ledger core ≥ 100,000 transfers/s; end to end ≥ 2,000 transfers/s
with p99 ≤ 100 ms. The run prints a table and writes bench/results/payments.json; it is bounded
in count and in time (about five minutes; `--quick`, under a minute, is for CI).

PostgreSQL: the server named by --postgres-url, COMPTOIR_BENCH_POSTGRES_URL or
COMPTOIR_TEST_POSTGRES_URL, else postgresql://postgres@127.0.0.1:5432/postgres; each part works
in a scratch schema that it drops afterwards. An unreachable server is skipped, with the reason.

`--only e2e` runs part (2) alone, on the databases named by `--database` (both by default) and
at the levels named by `--in-flight` (1, 8 and 32 by default), each level stopped by `--seconds`;
it prints that part's table and writes its own JSON (bench/results/payments-e2e.json by default),
so that two commits can be compared back to back in a minute rather than in five.

`--profile` writes, next to the JSON, pyinstrument profiles of the ledger-store path (smallest
and largest batch) and, when py-spy is installed (`--py-spy PATH` or on PATH), a py-spy
recording of the switch process during the busiest level, with a summary of its hottest
functions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _support
import payments_ceiling
import payments_e2e
import payments_ledger
from _support import RESULTS_DIR, table

LEDGER_TARGET = 100_000
E2E_TARGET = 2_000
E2E_P99_TARGET_MS = 100.0

FULL_LEDGER = [
    payments_ledger.Plan(1, 2_000, 5.0),
    payments_ledger.Plan(100, 20_000, 5.0),
    payments_ledger.Plan(1_000, 50_000, 5.0),
    payments_ledger.Plan(8_190, 81_900, 5.0),
]
QUICK_LEDGER = [
    payments_ledger.Plan(1, 200, 0.5),
    payments_ledger.Plan(100, 2_000, 0.5),
    payments_ledger.Plan(8_190, 8_190, 1.0),
]
FULL_E2E = [
    payments_e2e.Level(1, 300),
    payments_e2e.Level(8, 2_000),
    payments_e2e.Level(32, 3_000),
]
QUICK_E2E = [payments_e2e.Level(8, 60)]
E2E_ONLY_TRANSFERS = 1_000_000  # --only e2e: a level is stopped by its time cap, not its count
QUICK_ACCOUNTS = 1_000


def main(argv: Sequence[str] | None = None) -> int:
    options = _parse(argv)
    if options.only == "e2e":
        return _main_e2e_only(options)
    started = time.perf_counter()
    output: Path = options.output or RESULTS_DIR / "payments.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    profile_dir = output.parent if options.profile else None
    py_spy = payments_e2e.find_py_spy(options.py_spy)

    print("Payments benchmark" + (" (quick)" if options.quick else ""))
    background = _support.background_busy_cores()
    speed = _support.python_speed_ms()
    machine = {
        **_support.machine_description(),
        "background_busy_cores_before_run": background,
        "python_loop_ms": speed,
    }
    print(
        f"  {machine['cpus']} cores ({machine['cpu_model']}), Python {machine['python']}, "
        f"SQLite {machine['sqlite']}; pure-Python loop {speed} ms; "
        f"{background} cores busy with other work before the run"
    )
    if background > 0.3:
        print(
            "  note: other processes keep this machine busy; the figures below share its cores "
            "with them (see machine_busy_cores in the JSON)"
        )

    skipped: list[dict[str, str]] = []
    postgres_url: str | None = None
    postgres: dict[str, str] | None = None
    if options.skip_postgres:
        skipped.append({"what": "postgresql", "reason": "--skip-postgres"})
    else:
        candidate = _support.postgres_server_url(options.postgres_url)
        reason = _support.postgres_unreachable(candidate)
        if reason is None:
            postgres_url = candidate
            info = _support.postgres_info(candidate)
            postgres = {
                "version": info.version,
                "synchronous_commit": info.synchronous_commit,
                "fsync": info.fsync,
            }
        else:
            skipped.append({"what": "postgresql", "reason": reason})
            print(f"  PostgreSQL skipped: {reason}")

    print("\n(1) Ledger core")
    section = time.perf_counter()
    ledger_plans = QUICK_LEDGER if options.quick else FULL_LEDGER
    shapes = (
        [options.accounts]
        if options.accounts
        else [
            payments_ledger.SWITCH_ACCOUNTS,
            QUICK_ACCOUNTS if options.quick else payments_ledger.ACCOUNTS,
        ]
    )
    ledger_results: list[payments_ledger.LedgerResult] = []
    for accounts in shapes:
        ledger_results += payments_ledger.run_sqlite(
            ledger_plans, accounts=accounts, profile_dir=profile_dir
        )
        if postgres_url is not None:
            ledger_results += payments_ledger.run_postgres(
                postgres_url, ledger_plans, accounts=accounts, profile_dir=profile_dir
            )
    print(f"  ({time.perf_counter() - section:.0f} s)")

    print("\n(2) End to end")
    section = time.perf_counter()
    levels = QUICK_E2E if options.quick else FULL_E2E
    seconds = options.seconds or (4.0 if options.quick else 25.0)
    warm_up = 5 if options.quick else 100
    profiling = None
    if options.profile:
        if py_spy is None:
            print("  py-spy not found: the switch is not profiled (pip install py-spy)")
        else:
            profiling = payments_e2e.Profiling(
                py_spy,
                output.parent,
                max(level.concurrency for level in levels),
                waits=options.profile_waits,
            )
    e2e_results: list[payments_e2e.E2EResult] = []
    for database in ["sqlite"] + (["postgresql"] if postgres_url else []):
        e2e_results += payments_e2e.run(
            database,
            levels,
            postgres_url=postgres_url,
            warm_up=warm_up,
            seconds_per_level=seconds,
            profiling=profiling,
            py_spy=py_spy,
        )
    print(f"  ({time.perf_counter() - section:.0f} s)")
    if profiling is not None:
        for database in ("sqlite", "postgresql"):
            recording = profiling.recording(database)
            if recording.exists():
                summary = recording.with_suffix(".summary.txt")
                summary.write_text(_support.summarise_py_spy(recording))
                print(f"  py-spy recording of the switch on {database}: {summary}")

    print("\n(3) The floor of end to end: bare HTTP messages, no work")
    http_floor = payments_ceiling.measure(1.0 if options.quick else 3.0)
    print(
        f"  server {http_floor.server_ms_per_message:.3f} ms + client "
        f"{http_floor.client_ms_per_message:.3f} ms a message; RS256 signature "
        f"{http_floor.rs256_signature_ms:.3f} ms"
    )

    report = _report(
        options,
        machine,
        postgres,
        skipped,
        ledger_plans,
        ledger_results,
        shapes,
        levels,
        seconds,
        warm_up,
        e2e_results,
        http_floor,
        time.perf_counter() - started,
    )
    print()
    print(_tables(ledger_results, e2e_results, http_floor, report["verdict"]))
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nJSON written to {output} ({report['duration_s']:.0f} s in all)")
    return 0


def _main_e2e_only(options: argparse.Namespace) -> int:
    """Part (2) alone: one or both databases, the asked in-flight levels, each for `seconds`."""
    started = time.perf_counter()
    output: Path = options.output or RESULTS_DIR / "payments-e2e.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    py_spy = payments_e2e.find_py_spy(options.py_spy)
    databases: list[str] = options.database or ["sqlite", "postgresql"]
    postgres_url: str | None = None
    if "postgresql" in databases:
        candidate = _support.postgres_server_url(options.postgres_url)
        reason = _support.postgres_unreachable(candidate)
        if reason is not None:
            print(f"  PostgreSQL skipped: {reason}")
            databases = [database for database in databases if database != "postgresql"]
        else:
            postgres_url = candidate
    background = _support.background_busy_cores()
    print(f"End to end only; {background} cores busy with other work before the run")
    in_flight: list[int] = options.in_flight or [level.concurrency for level in FULL_E2E]
    levels = [payments_e2e.Level(concurrency, E2E_ONLY_TRANSFERS) for concurrency in in_flight]
    seconds = options.seconds or 8.0
    warm_up = 100
    profiling = None
    if options.profile and py_spy is not None:
        profiling = payments_e2e.Profiling(
            py_spy, output.parent, max(in_flight), waits=options.profile_waits
        )
    results: list[payments_e2e.E2EResult] = []
    for database in databases:
        results += payments_e2e.run(
            database,
            levels,
            postgres_url=postgres_url,
            warm_up=warm_up,
            seconds_per_level=seconds,
            profiling=profiling,
            py_spy=py_spy,
        )
    report = {
        "benchmark": "payments-e2e",
        "schema_version": 1,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 1),
        "machine": {
            **_support.machine_description(),
            "background_busy_cores_before_run": background,
        },
        "seconds_per_level": seconds,
        "warm_up_transfers": warm_up,
        "results": [result.as_json() for result in results],
    }
    print()
    print(_e2e_table(results))
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nJSON written to {output} ({report['duration_s']:.0f} s in all)")
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ledger core and end-to-end FSPIOP transfers per second."
    )
    parser.add_argument("--quick", action="store_true", help="a small run (< 60 s) for CI")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--postgres-url", help="the PostgreSQL server (a scratch schema is used)")
    parser.add_argument(
        "--seconds", type=float, help="time cap of each end-to-end level (default 25, quick 4)"
    )
    parser.add_argument(
        "--accounts",
        type=int,
        help="ledger accounts the transfers pick from (default: 150, then 10,000)",
    )
    parser.add_argument(
        "--only",
        choices=["e2e"],
        help="run one part alone: e2e is the end-to-end part (2), for comparing two commits",
    )
    parser.add_argument(
        "--database",
        action="append",
        choices=["sqlite", "postgresql"],
        help="with --only e2e: the database (repeatable; default both)",
    )
    parser.add_argument(
        "--in-flight",
        type=int,
        action="append",
        help="with --only e2e: transfers in flight at a level (repeatable; default 1, 8, 32)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="the JSON report (default bench/results/payments.json, "
        "or payments-e2e.json with --only e2e)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile the ledger store and (py-spy) the switch"
    )
    parser.add_argument(
        "--profile-waits",
        action="store_true",
        help="sample the switch's wall time (waits included) rather than its GIL holder",
    )
    parser.add_argument("--py-spy", help="the py-spy program, if not on PATH")
    return parser.parse_args(argv)


# -- the report -----------------------------------------------------------------------------------


def _report(
    options: argparse.Namespace,
    machine: dict[str, object],
    postgres: dict[str, str] | None,
    skipped: list[dict[str, str]],
    ledger_plans: Sequence[payments_ledger.Plan],
    ledger_results: Sequence[payments_ledger.LedgerResult],
    shapes: Sequence[int],
    levels: Sequence[payments_e2e.Level],
    seconds: float,
    warm_up: int,
    e2e_results: Sequence[payments_e2e.E2EResult],
    http_floor: payments_ceiling.Ceiling,
    duration: float,
) -> dict[str, Any]:
    return {
        "benchmark": "payments",
        "schema_version": 1,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": options.quick,
        "duration_s": round(duration, 1),
        "machine": machine,
        "postgresql": postgres,
        "skipped": skipped,
        "targets": {
            "ledger_core_transfers_per_s": LEDGER_TARGET,
            "end_to_end_transfers_per_s": E2E_TARGET,
            "end_to_end_p99_ms": E2E_P99_TARGET_MS,
            "cores": 2,
        },
        "ledger_core": {
            "workload": {
                "accounts": list(shapes),
                "transfers": "single-phase, random debit and credit accounts, none failing",
                "commit": "one transaction per batch (Database.transaction)",
                "sqlite": "file in a temporary folder; WAL, synchronous=NORMAL, BEGIN IMMEDIATE",
                "floor": "raw executemany INSERT of the same rows into the same migrated schema "
                "(indexes and foreign keys included), one transaction per batch",
                "timed": "the transactions only; building the batches is not counted",
            },
            "plans": [
                {
                    "batch_size": plan.batch_size,
                    "max_transfers": plan.transfers,
                    "max_seconds": plan.seconds,
                }
                for plan in ledger_plans
            ],
            "results": [result.as_json() for result in ledger_results],
        },
        "end_to_end": {
            "workload": {
                "switch": "comptoir serve (1 process, default settings) on loopback",
                "dfsps": "2 simulated DFSPs in the benchmark process (asyncio; httpx client, "
                "minimal HTTP/1.1 callback servers); messages signed (RS256) before each level",
                "transfer": "POST /transfers → payee gets POST → payee PUTs the fulfilment at "
                "once (COMMITTED) → payer gets PUT COMMITTED (latency ends here); a payee that "
                "answered COMMITTED asked for no PATCH (API Definition 6.7.2.6)",
                "load": "closed loop: `concurrency` payers, each waiting for its callback",
                "amount": payments_e2e.AMOUNT,
                "warm_up_transfers": warm_up,
                "seconds_per_level": seconds,
            },
            "levels": [
                {"concurrency": level.concurrency, "max_transfers": level.transfers}
                for level in levels
            ],
            "results": [result.as_json() for result in e2e_results],
        },
        "end_to_end_floor": {
            "workload": {
                "what": "the least any switch on this stack spends on a transfer's "
                f"{payments_ceiling.MESSAGES_PER_TRANSFER} HTTP messages: uvicorn serving a "
                "bare ASGI app (answers 202, does nothing), http.client on one keep-alive "
                "connection, a signed POST /transfers as the body",
                "transfers_per_s": "the cores divided by that CPU per transfer",
            },
            "result": http_floor.as_json(),
        },
        "verdict": _verdict(ledger_results, e2e_results),
    }


def _verdict(
    ledger_results: Sequence[payments_ledger.LedgerResult],
    e2e_results: Sequence[payments_e2e.E2EResult],
) -> dict[str, Any]:
    stores = [result for result in ledger_results if result.path == "LedgerStore"]
    by_shape: dict[int, payments_ledger.LedgerResult] = {}
    for result in stores:
        best = by_shape.get(result.accounts)
        if best is None or result.transfers_per_s > best.transfers_per_s:
            by_shape[result.accounts] = result
    best_e2e = max(e2e_results, key=lambda result: result.transfers_per_s, default=None)
    within_p99 = [
        result for result in e2e_results if result.completed and result.p99_ms <= E2E_P99_TARGET_MS
    ]
    best_within = max(within_p99, key=lambda result: result.transfers_per_s, default=None)
    return {
        # One verdict per shape of ledger: the switch's own, and TigerBeetle's benchmark.
        "ledger_core": [
            {
                "accounts": accounts,
                "best_transfers_per_s": round(best.transfers_per_s),
                "engine": best.engine,
                "batch_size": best.batch_size,
                "met": best.transfers_per_s >= LEDGER_TARGET,
            }
            for accounts, best in by_shape.items()
        ],
        "end_to_end": None
        if best_e2e is None
        else {
            "best_transfers_per_s": round(best_e2e.transfers_per_s, 1),
            "database": best_e2e.database,
            "concurrency": best_e2e.concurrency,
            "p99_ms": _support.rounded(best_e2e.p99_ms),
            "best_within_p99_target": None
            if best_within is None
            else {
                "transfers_per_s": round(best_within.transfers_per_s, 1),
                "database": best_within.database,
                "concurrency": best_within.concurrency,
                "p99_ms": _support.rounded(best_within.p99_ms),
            },
            "met": best_within is not None and best_within.transfers_per_s >= E2E_TARGET,
        },
    }


def _tables(
    ledger_results: Sequence[payments_ledger.LedgerResult],
    e2e_results: Sequence[payments_e2e.E2EResult],
    http_floor: payments_ceiling.Ceiling,
    verdict: dict[str, Any],
) -> str:
    by_key = {
        (result.engine, result.path, result.accounts, result.batch_size): result
        for result in ledger_results
    }
    rows: list[list[object]] = []
    for result in ledger_results:
        if result.path != "LedgerStore":
            continue
        floor = by_key.get(
            (result.engine, "raw executemany (floor)", result.accounts, result.batch_size)
        )
        memory = (
            by_key.get(("memory", "Ledger (in memory)", result.accounts, result.batch_size))
            if result.engine == "sqlite"
            else None
        )
        rows.append(
            [
                result.engine,
                result.accounts,
                result.batch_size,
                result.transfers,
                result.transfers_per_s,
                floor.transfers_per_s if floor else None,
                f"{100 * result.transfers_per_s / floor.transfers_per_s:.0f}%"
                if floor and floor.transfers_per_s
                else "-",
                result.ms_per_batch,
                memory.transfers_per_s if memory else None,
            ]
        )
    ledger = table(
        [
            "database",
            "accounts",
            "batch",
            "transfers",
            "LedgerStore/s",
            "raw insert/s (floor)",
            "of floor",
            "ms/batch",
            "in-memory Ledger/s",
        ],
        rows,
    )
    phases = table(
        [
            "database",
            "accounts",
            "batch",
            *(f"{name} %" for name in payments_ledger.StoreTarget.PHASES),
        ],
        [
            [
                result.engine,
                result.accounts,
                result.batch_size,
                *(result.phase_shares().get(name) for name in payments_ledger.StoreTarget.PHASES),
            ]
            for result in ledger_results
            if result.path == "LedgerStore" and result.phases_ms_per_batch
        ],
    )
    e2e = _e2e_table(e2e_results)
    lines = [
        "Ledger core: durable transfers/s in-process (one commit per batch)",
        ledger,
        "",
        "Where a LedgerStore batch spends its time",
        phases,
        "",
        "End to end: complete FSPIOP transfers/s, 2 DFSPs over loopback HTTP "
        "(* = stopped by the time cap)",
        e2e,
        f"floor on this stack (bare HTTP, no work; {http_floor.ms_per_transfer:.2f} ms of CPU "
        f"a transfer): {http_floor.transfers_per_s:,.0f} transfers/s",
        "",
        "Targets (2 cores):",
    ]
    for core in verdict["ledger_core"]:
        lines.append(
            f"  ledger core ≥ {LEDGER_TARGET:,}/s, {core['accounts']:,} accounts: best "
            f"{core['best_transfers_per_s']:,}/s ({core['engine']}, batch "
            f"{core['batch_size']:,}) - " + ("met" if core["met"] else "NOT met")
        )
    end = verdict["end_to_end"]
    if end is not None:
        lines.append(
            f"  end to end ≥ {E2E_TARGET:,}/s with p99 ≤ {E2E_P99_TARGET_MS:.0f} ms: best "
            f"{end['best_transfers_per_s']:,}/s ({end['database']}, concurrency "
            f"{end['concurrency']}, p99 {end['p99_ms']} ms) - "
            + ("met" if end["met"] else "NOT met")
        )
    return "\n".join(lines)


def _e2e_table(results: Sequence[payments_e2e.E2EResult]) -> str:
    return table(
        [
            "database",
            "concurrency",
            "committed",
            "transfers/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "switch CPU ms/transfer",
            "outbox queue max",
            "busy cores",
        ],
        [
            [
                result.database,
                result.concurrency,
                f"{result.completed:,}{'*' if result.time_capped else ''}"
                + (f" ({result.failed} failed)" if result.failed else ""),
                result.transfers_per_s,
                result.p50_ms,
                result.p99_ms,
                result.max_ms,
                result.as_json()["cpu_ms_per_transfer"].get("switch"),
                result.outbox_backlog.get("max"),
                result.machine_busy_cores,
            ]
            for result in results
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
