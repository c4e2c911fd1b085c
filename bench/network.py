"""The network benchmark: the Beckn protocol layer and the gateway's discover.

    .venv/bin/python bench/network.py [--quick] [--rounds N] [--items-per-seller N]

(1) Protocol layer, per message, in-process: verify (Ed25519 over BLAKE2b-512 of the exact
    bytes) + validate (v2.0 models) + counter-signed Ack, beside a bare handler that only parses
    the JSON, and each step alone. Target: ≤ 1 ms p99 for verify + validate + sign.
(2) Discover from a buyer app across 10 seller platforms holding 100,000 items in all (10,000
    each), over real HTTP and signatures: simulated signed sellers in five processes of their own
    (`--seller-processes`), the gateway a `comptoir serve` process, the buyer app in this one.
    Time to the merged results: from the buyer's POST to the last seller's on_discover relayed
    by the gateway. Then the same discover answered from the gateway's index after the sellers
    publish their catalogues.
    Target: p95 ≤ 250 ms.
(3) Orders confirmed per second end to end, through the reference buyer app and seller
    platforms: `bench/network_orders.py` (see `_orders`).

The run prints a table and writes bench/results/network.json. `--quick` (under a minute) uses
1,000 items per seller and a few rounds.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

import _support
import network_discover
import network_protocol
from _support import RESULTS_DIR, table

PROTOCOL_TARGET_P99_MS = 1.0
DISCOVER_TARGET_P95_MS = 250.0
SELLERS = 10


def main(argv: Sequence[str] | None = None) -> int:
    options = _parse(argv)
    started = time.perf_counter()
    output: Path = options.output
    output.parent.mkdir(parents=True, exist_ok=True)
    print("Network benchmark" + (" (quick)" if options.quick else ""))
    background = _support.background_busy_cores()
    machine = {**_support.machine_description(), "background_busy_cores_before_run": background}
    print(f"  {machine['cpus']} cores, {background} busy with other work before the run")

    print("\n(1) Protocol layer per message")
    protocol = network_protocol.run(300 if options.quick else 3_000)
    print(table(
        ["step", "message", "n", "p50 µs", "p99 µs", "mean µs", "batch p99 µs"],
        [[r.step, r.message, r.count, r.p50_us, r.p99_us, r.mean_us, r.batch_p99_median_us]
         for r in protocol],
    ))  # fmt: skip

    print("\n(2) Discover across 10 seller platforms")
    items = options.items_per_seller or (1_000 if options.quick else 10_000)
    rounds = options.rounds or (10 if options.quick else 60)
    discover = _discover(items, rounds, options.seller_processes)
    print(table(
        ["mode", "sellers", "items", "rounds", "answered", "p50 ms", "p95 ms", "max ms",
         "first p50 ms", "results"],
        [[d.mode, d.sellers, d.items, d.rounds, d.answered, d.p50_ms, d.p95_ms, d.max_ms,
          d.first_p50_ms, d.results_per_discover] for d in discover],
    ))  # fmt: skip

    print("\n(3) Orders confirmed per second end to end")
    orders = _orders(options.quick)
    print(f"  {orders}")

    full_steps = [r for r in protocol if r.step.startswith("verify + validate")]
    worst_protocol = max((r.p99_us or 0) for r in full_steps) / 1000
    worst_batch = max((r.batch_p99_median_us or 0) for r in full_steps) / 1000
    fan_out = [d for d in discover if d.mode.startswith("fan-out")]
    verdict = {
        "protocol_p99_ms": round(worst_protocol, 3),
        "protocol_target_met": worst_protocol <= PROTOCOL_TARGET_P99_MS,
        "protocol_batch_p99_median_ms": round(worst_batch, 3),
        "discover_p95_ms": fan_out[0].p95_ms if fan_out else None,
        "discover_target_met": bool(
            fan_out and fan_out[0].p95_ms is not None
            and fan_out[0].p95_ms <= DISCOVER_TARGET_P95_MS
        ),
    }  # fmt: skip
    print(f"\nVerdict: {verdict}")
    report = {
        "benchmark": "network",
        "when": datetime.now(UTC).isoformat(),
        "quick": options.quick,
        "machine": machine,
        "targets": {
            "protocol_p99_ms": PROTOCOL_TARGET_P99_MS,
            "discover_p95_ms": DISCOVER_TARGET_P95_MS,
        },
        "protocol": [asdict(r) for r in protocol],
        "discover": [asdict(d) for d in discover],
        "orders": orders,
        "verdict": verdict,
        "duration_s": round(time.perf_counter() - started, 1),
    }
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"JSON written to {output} ({report['duration_s']:.0f} s in all)")
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Beckn protocol cost and gateway discover.")
    parser.add_argument("--quick", action="store_true", help="a small run (< 60 s)")
    parser.add_argument("--rounds", type=int, help="discover rounds per mode (default 60)")
    parser.add_argument("--items-per-seller", type=int, help="default 10,000 (quick 1,000)")
    parser.add_argument(
        "--seller-processes", type=int, default=5, help="processes the 10 sellers run in"
    )
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "network.json")
    return parser.parse_args(argv)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _discover(
    items: int, rounds: int, seller_processes: int
) -> list[network_discover.DiscoverResult]:
    from comptoir.kernel.clock import system_clock
    from comptoir.kernel.db import Database, upgrade
    from comptoir.kernel.settings import load_settings
    from comptoir.network.node import ensure_gateway, identities
    from comptoir.network.registry import service

    workdir = Path(tempfile.mkdtemp(prefix="bench-network-"))
    node_port, buyer_port = _free_port(), _free_port()
    groups = [list(range(SELLERS))[n::seller_processes] for n in range(seller_processes)]
    ports = [_free_port() for _ in groups]
    seller_port = {
        number: port for group, port in zip(groups, ports, strict=True) for number in group
    }
    node_url = f"http://127.0.0.1:{node_port}"
    settings = load_settings(data_dir=workdir, base_url=node_url)
    names = identities(settings, system_clock)
    buyer = network_discover.Party(
        "buyer.bench.test", os.urandom(32), f"http://127.0.0.1:{buyer_port}/beckn"
    )
    sellers = [
        network_discover.Party(
            f"seller{n}.bench.test", os.urandom(32), f"http://127.0.0.1:{seller_port[n]}/s{n}/beckn"
        )
        for n in range(SELLERS)
    ]
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine)
    with database.transaction() as session:
        for party, type_ in [(buyer, "BAP"), *((seller, "BPP") for seller in sellers)]:
            service.add_subscriber(
                session, clock=system_clock, subscriber_id=party.subscriber_id, type_=type_,
                url=party.url, domain="retail", city="std:castries", country="LCA",
                key=service.NewKey("k1", party.identity.signing_public_key),
                actor="bench", status="SUBSCRIBED",
            )  # fmt: skip
    ensure_gateway(database, names, system_clock)
    database.dispose()
    gateway = names.gateway
    config = workdir / "sellers.json"
    config.write_text(json.dumps({
        "bap": buyer.as_json(),
        "gateway": {"id": gateway.subscriber_id, "ukid": gateway.unique_key_id,
                    "public": gateway.signing_public_key, "url": names.gateway_url},
        "sellers": [seller.as_json() for seller in sellers],
        "items_per_seller": items,
    }))  # fmt: skip
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
    node_env = {**env, "COMPTOIR_DATA_DIR": str(workdir), "COMPTOIR_BASE_URL": node_url,
                "COMPTOIR_BLOCKS": "home,network", "COMPTOIR_LOG_LEVEL": "warning"}  # fmt: skip
    comptoir = str(Path(sys.executable).parent / "comptoir")
    seller_processes_started = [
        network_discover.start_process(
            [sys.executable, str(Path(__file__).with_name("network_discover.py")), "serve",
             str(config), str(port), ",".join(map(str, group))],
            env, workdir / f"sellers{port}.log",
        )
        for group, port in zip(groups, ports, strict=True)
    ]  # fmt: skip
    node_process = network_discover.start_process(
        [comptoir, "serve", "--host", "127.0.0.1", "--port", str(node_port)], node_env,
        workdir / "node.log",
    )  # fmt: skip
    keys = [seller.key("BPP") for seller in sellers]
    keys.append(network_discover.SubscriberKey(
        gateway.subscriber_id, gateway.unique_key_id, gateway.signing_public_key, "BG",
        names.gateway_url,
    ))  # fmt: skip
    app = network_discover.Buyer(buyer, keys, buyer_port)
    results: list[network_discover.DiscoverResult] = []
    try:
        network_discover.wait_for(f"{node_url}/healthz", node_process, workdir / "node.log")
        for port, process in zip(ports, seller_processes_started, strict=True):
            network_discover.wait_for(f"http://127.0.0.1:{port}/", process,
                                      workdir / f"sellers{port}.log")  # fmt: skip
        app.start()
        total = items * SELLERS
        results.append(network_discover.measure(
            f"fan-out to 10 simulated sellers ({seller_processes} processes)", app,
            names.gateway_url, rounds, SELLERS, total, SELLERS,
        ))  # fmt: skip
        published = time.perf_counter()
        _publish(sellers, names.gateway_url, items)
        print(
            f"  published {total:,} items to the index in {time.perf_counter() - published:.1f} s"
        )
        results.append(network_discover.measure(
            "answered from the gateway's index", app, names.gateway_url, rounds, 1, total,
            SELLERS,
        ))  # fmt: skip
    finally:
        app.stop()
        network_discover.stop_process(node_process)
        for process in seller_processes_started:
            network_discover.stop_process(process)
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def _publish(sellers: list[Any], gateway_url: str, items: int) -> None:
    with httpx.Client(timeout=120) as client:
        for number, seller in enumerate(sellers):
            message = json.loads(network_discover.discover_body(seller, ""))
            context = message["context"]
            for name in ("bapId", "bapUri"):
                del context[name]
            context.update(action="catalog/publish", bppId=seller.subscriber_id, bppUri=seller.url)
            catalog = {
                "id": f"{seller.subscriber_id}-catalog", "bppId": seller.subscriber_id,
                "bppUri": seller.url, "descriptor": {"name": seller.subscriber_id},
                "provider": {"id": seller.subscriber_id,
                             "descriptor": {"name": seller.subscriber_id}},
                "resources": network_discover.seller_items(number, items),
            }  # fmt: skip
            body = json.dumps({"context": context, "message": {"catalogs": [catalog]}}).encode()
            headers = {
                "Content-Type": "application/json",
                "Authorization": seller.identity.sign(body),
            }
            response = client.post(f"{gateway_url}/catalog/publish", content=body, headers=headers)
            assert response.status_code == 200, response.text


# ---------------------------------------------------------------------------------------------
# (3) Orders confirmed per second end to end. bench/network_orders.py defines
# `run(quick: bool) -> dict[str, object]`, returning at least {"orders_per_second": float}; its
# dict goes into the JSON report under "orders" as it is.
# ---------------------------------------------------------------------------------------------
def _orders(quick: bool) -> dict[str, object]:
    module = importlib.import_module("network_orders")
    result: dict[str, object] = module.run(quick=quick)
    return result


if __name__ == "__main__":
    sys.exit(main())
