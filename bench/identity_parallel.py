"""Complete sign-ins in-process on every core at once (see identity.py, part 5): one process per
core, each with its own node (the provider's app) and relying party on the one shared database,
doing "returning" flows side by side.

Part 1 measures what one core does for both sides of a flow; this part is the machine's: both
cores busy, each process holding one GIL, the database (SQLite's one writer at a time, or
PostgreSQL's rows) shared as a national deployment's workers share it. The flows are counted
over the window in which all the processes run: from a common start, released only when every
process is warmed up, to the end of the last one.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import identity_flows


def _worker(
    database_url: str, flows: int, start: Barrier, results: Any, worker_number: int
) -> None:
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as folder:
        node = identity_flows.build_node(database_url, Path(folder))
        # Each process enrols people of its own: phone numbers may not be shared.
        node.people = 100_000 * (worker_number + 1)
        try:
            shop = node.client(f"Bench shop {worker_number}")
            browser = node.signed_in_browser()
            for _ in range(10):  # warm up: caches, the first consent, compiled statements
                identity_flows.one_flow(shop, browser)
            start.wait()
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(flows):
                identity_flows.one_flow(shop, browser)
            results.put((started, time.perf_counter(), time.process_time() - cpu))
        finally:
            node.transport.close()
            node.database.dispose()


def measure(
    database: str, database_url: str, *, flows: int, processes: int
) -> identity_flows.FlowResult:
    """`processes` processes, each doing `flows` returning flows once all are ready; the
    result's kind names how many processes."""
    from comptoir.kernel.db import Database, upgrade

    migrated = Database.from_url(database_url)
    upgrade(migrated.engine)  # once, before the processes start, so that none races another
    migrated.dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(target=_worker, args=(database_url, flows, start, results, number))
        for number in range(processes)
    ]
    for worker in workers:
        worker.start()
    finished: list[tuple[float, float, float]] = []
    while len(finished) < processes:
        try:
            finished.append(results.get(timeout=2))
        except queue.Empty:
            failed = [worker.exitcode for worker in workers if worker.exitcode not in (None, 0)]
            if failed:
                start.abort()  # the others may be waiting for it at the start
                raise RuntimeError(f"a sign-in process ended with exit code {failed[0]}") from None
    for worker in workers:
        worker.join(timeout=60)
        if worker.exitcode != 0:
            raise RuntimeError(f"a sign-in process ended with exit code {worker.exitcode}")
    window = max(end for _, end, _ in finished) - min(begin for begin, _, _ in finished)
    result = identity_flows.FlowResult(
        database,
        f"returning, {processes} processes",
        flows * processes,
        window,
        sum(cpu for _, _, cpu in finished),
    )
    print(
        f"  {database:10} {result.kind} {result.flows:5} flows  "
        f"{result.per_second:7.1f}/s  {result.cpu_ms_per_flow:6.2f} ms CPU per flow"
    )
    return result


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
