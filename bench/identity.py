"""The identity benchmark: complete OpenID Connect sign-ins per second, and token checks.

    .venv/bin/python bench/identity.py [--quick] [--skip-postgres] [--flows N] [--profile]

(1) Sign-ins, in-process ASGI: a relying party (the kernel's `RelyingParty`) and a person's
    browser call the node's ASGI app directly, on one event loop in this process (no sockets;
    the app's own thread pool is used as in production). A flow is what a shop does to sign a
    customer in under FAPI 2.0: PAR with private_key_jwt → the authorization endpoint → the
    code exchange with private_key_jwt and a DPoP proof → verification of the ID token →
    userinfo with a DPoP proof → verification of the signed userinfo answer. Two kinds:
      - "returning": the person is signed in at the provider and their consent is on file, so
        the authorization endpoint answers at once with the code (the everyday case);
      - "first": a person seen for the first time by this client: the consent screen is shown
        and answered (one more request, one consent written).
    Both the client's and the provider's work run in this one process, so the figure is what
    one core (one GIL) does for both sides; CPU milliseconds per flow are reported beside it.
    On SQLite (a file under a temporary folder) and PostgreSQL (a scratch schema) when
    reachable.
(2) Sign-ins over loopback HTTP: a `comptoir serve --workers 2` process and client
    threads in this process, each a relying party with a signed-in person of its own, doing
    "returning" flows side by side; the server's CPU (all its workers) is measured apart from
    the clients'. Both share the machine's 2 cores.
(3) Token checks per second on one core: an ID token (ES256, iss/aud/exp/nonce) as a relying
    party checks it; an access token with its DPoP proof as a resource server checks them.
(4) Instructions per in-process sign-in, counted by callgrind (identity_instructions.py): the
    figure to compare before and after a change, as it does not move with the machine's load.
(5) Sign-ins in-process on every core (identity_parallel.py): one process per core, each with
    its own provider app and relying party on the one shared database, doing "returning" flows
    at the same time; both sides of every flow are still counted. The machine's figure where
    (1) is one core's.

Target on 2 cores (issue): ≥ 300 complete flows/s. The run prints a table and writes
bench/results/identity.json. It is short (about a minute; --quick a few seconds).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import _support
import identity_checks
import identity_flows
import identity_instructions
import identity_loopback
import identity_parallel
from _support import RESULTS_DIR, table

TARGET_FLOWS = 300


def main(argv: Sequence[str] | None = None) -> int:
    options = _parse(argv)
    started = time.perf_counter()
    output: Path = options.output
    output.parent.mkdir(parents=True, exist_ok=True)
    print("Identity benchmark" + (" (quick)" if options.quick else ""))
    background = _support.background_busy_cores()
    speed = _support.python_speed_ms()
    machine = {
        **_support.machine_description(),
        "background_busy_cores_before_run": background,
        "python_loop_ms": speed,
    }
    print(
        f"  {machine['cpus']} cores ({machine['cpu_model']}), Python {machine['python']}; "
        f"pure-Python loop {speed} ms; {background} cores busy with other work before the run"
    )
    flows = options.flows or (40 if options.quick else 300)
    skipped: list[dict[str, str]] = []
    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    if options.skip_postgres:
        skipped.append({"what": "postgresql", "reason": "--skip-postgres"})
    else:
        candidate = _support.postgres_server_url(options.postgres_url)
        reason = _support.postgres_unreachable(candidate)
        if reason is None:
            databases.append(("postgresql", candidate))
        else:
            skipped.append({"what": "postgresql", "reason": reason})
            print(f"  PostgreSQL skipped: {reason}")

    print("\n(1) Complete sign-ins, in-process ASGI (client and provider in one process)")
    profile_dir = output.parent if options.profile else None
    flow_results: list[identity_flows.FlowResult] = []
    for database, server_url in databases:
        if server_url is None:
            with tempfile.TemporaryDirectory(prefix="identity-bench-db-") as folder:
                url = f"sqlite:///{Path(folder) / 'comptoir.db'}"
                flow_results += identity_flows.measure(
                    database, url, flows=flows, profile_dir=profile_dir
                )
        else:
            with _support.postgres_scratch_schema(server_url, prefix="bench_identity") as url:
                flow_results += identity_flows.measure(
                    database, url, flows=flows, profile_dir=profile_dir
                )

    print("\n(2) Complete sign-ins over loopback HTTP (comptoir serve --workers 2)")
    loopback_results = []
    for database, server_url in databases:
        for concurrency in (4,) if options.quick else (4, 8):
            if server_url is None:
                loopback_results.append(
                    identity_loopback.loopback(
                        database_name=database,
                        database_url=None,
                        workers=2,
                        concurrency=concurrency,
                        flows=flows,
                    )
                )
                continue
            with _support.postgres_scratch_schema(server_url, prefix="bench_identity") as url:
                loopback_results.append(
                    identity_loopback.loopback(
                        database_name=database,
                        database_url=url,
                        workers=2,
                        concurrency=concurrency,
                        flows=flows,
                    )
                )

    print("\n(3) Token checks on one core")
    checks = identity_checks.token_checks(0.5 if options.quick else 2.0)

    instructions: float | None = None
    if not options.quick:
        print("\n(4) Instructions per sign-in (callgrind; steady whatever else the machine runs)")
        instructions = identity_instructions.instructions_per_flow()
        print(
            "  valgrind not found: not counted"
            if instructions is None
            else f"  sqlite     returning: {instructions:.2f} million instructions per flow "
            f"(client and provider, {identity_instructions.FLOWS} flows)"
        )

    processes = identity_parallel.cores()
    print(f"\n(5) Complete sign-ins in-process, {processes} processes side by side")
    parallel_results: list[identity_flows.FlowResult] = []
    for database, server_url in databases:
        if server_url is None:
            with tempfile.TemporaryDirectory(prefix="identity-bench-db-") as folder:
                url = f"sqlite:///{Path(folder) / 'comptoir.db'}"
                parallel_results.append(
                    identity_parallel.measure(database, url, flows=flows, processes=processes)
                )
        else:
            with _support.postgres_scratch_schema(server_url, prefix="bench_identity") as url:
                parallel_results.append(
                    identity_parallel.measure(database, url, flows=flows, processes=processes)
                )

    best = max(
        [r.per_second for r in flow_results if r.kind == "returning"]
        + [r.flows / r.seconds for r in loopback_results]
        + [r.per_second for r in parallel_results],
        default=0.0,
    )
    verdict = {
        "target_flows_per_second": TARGET_FLOWS,
        "best_returning_flows_per_second": round(best, 1),
        "met": best >= TARGET_FLOWS,
    }
    report = {
        "benchmark": "identity",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": options.quick,
        "machine": machine,
        "harness": (
            "in-process ASGI: the relying party and the browser call the app on one event "
            "loop in the benchmark's own process; one core does both sides"
        ),
        "skipped": skipped,
        "flows": [result.to_json() for result in flow_results],
        "loopback": [result.to_json() for result in loopback_results],
        "in_process_every_core": [result.to_json() for result in parallel_results],
        "token_checks": checks,
        "instructions_per_flow_millions": (
            None if instructions is None else round(instructions, 2)
        ),
        "verdict": verdict,
        "duration_s": round(time.perf_counter() - started, 1),
    }
    print()
    print(
        table(
            ["database", "flow", "flows", "flows/s", "CPU ms/flow"],
            [
                [r.database, r.kind, r.flows, round(r.per_second, 1), round(r.cpu_ms_per_flow, 2)]
                for r in flow_results
            ],
        )
    )
    print()
    print(
        table(
            ["loopback", "in flight", "flows", "flows/s", "server CPU ms/flow", "errors"],
            [
                [
                    f"{r.database}, {r.workers} workers",
                    r.concurrency,
                    r.flows,
                    round(r.flows / r.seconds, 1),
                    round(1000 * r.server_cpu_seconds / r.flows, 2),
                    r.errors,
                ]
                for r in loopback_results
            ],
        )
    )
    print()
    print(
        table(
            ["in process, every core", "flow", "flows", "flows/s", "CPU ms/flow"],
            [
                [r.database, r.kind, r.flows, round(r.per_second, 1), round(r.cpu_ms_per_flow, 2)]
                for r in parallel_results
            ],
        )
    )
    print()
    print(
        table(
            ["check", "per second", "CPU µs each"],
            [[c["check"], c["per_second"], c["cpu_us_each"]] for c in checks],
        )
    )
    if instructions is not None:
        print(f"\nInstructions per in-process sign-in (SQLite): {instructions:.2f} million")
    print(
        f"\nTarget ≥ {TARGET_FLOWS} complete flows/s on 2 cores: best {best:.0f}/s "
        f"({'met' if verdict['met'] else 'not met'})"
    )
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"JSON written to {output} ({report['duration_s']:.0f} s in all)")
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="OpenID Connect sign-ins and token checks.")
    parser.add_argument("--quick", action="store_true", help="a small run (seconds) for CI")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--postgres-url", help="the PostgreSQL server (a scratch schema is used)")
    parser.add_argument("--flows", type=int, help="returning flows per database (default 300)")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profiles to a file")
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR / "identity.json", help="the JSON report"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
