"""Orders confirmed per second, end to end, across the open network.

    .venv/bin/python bench/network_orders.py [--quick]

Three `comptoir serve` processes on loopback, each with its own SQLite database, set up with
the `comptoir` commands as operators would: the network node (registry and gateway), a seller
platform (one business, items with ample stock) and the buyer app. Shoppers drive the buyer
app's own pages with httpx, as a browser would: each order is

    POST /shop/cart                  (the item from an earlier search)
    POST /shop/orders/{id}/select    → signed select, the seller's signed on_select back
    POST /shop/orders/{id}/init      → init / on_init
    POST /shop/orders/{id}/confirm   → confirm / on_confirm (stock taken), the page shows it

Every message is signed and verified against the registry's keys and validated against the
v2.0 models by its receiver; each page waits server-side for the seller's callback. The load is
closed-loop: `concurrency` shoppers each place an order and wait for its confirmation before
the next. An order counts when the buyer app shows it confirmed.

`bench/network.py` calls `run(quick)`; run alone, this prints a table and writes
bench/results/network_orders.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

import _support
from _support import RESULTS_DIR, percentile, rounded, table

if TYPE_CHECKING:
    from tests.support.servers import RunningServer


@dataclass(frozen=True)
class Level:
    concurrency: int
    orders: int


@dataclass(frozen=True)
class LevelResult:
    concurrency: int
    orders: int
    confirmed: int
    failed: int
    seconds: float
    orders_per_second: float
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None


def _run(node: RunningServer, data_dir: Path, *args: str) -> str:
    # The test suite's server helpers (_support put the repository on the path).
    from tests.support.servers import COMPTOIR

    clean = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    env = {**clean, "COMPTOIR_DATA_DIR": str(data_dir), "COMPTOIR_BASE_URL": node.url}
    done = subprocess.run(
        [COMPTOIR, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"comptoir {' '.join(args)}:\n{done.stdout}{done.stderr}")
    return done.stdout


def _fields(printed: str) -> dict[str, str]:
    return {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in printed.splitlines()
        if ":" in line
    }


def _register(network: RunningServer, network_dir: Path, printed: str, kind: str) -> None:
    found = _fields(printed)
    _run(
        network, network_dir, "network", "subscriber", "add", found["subscriber_id"],
        "--type", kind, "--url", found["url"], "--domain", "retail",
        "--unique-key-id", found["unique_key_id"],
        "--signing-public-key", found["signing_public_key"],
        "--encryption-public-key", found["encr_public_key"],
    )  # fmt: skip
    _run(network, network_dir, "network", "subscriber", "approve", found["subscriber_id"])


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if match is None:
        raise RuntimeError("the page has no form")
    return match.group(1)


class Shopper:
    """One person on the buyer app's pages: a search first, then orders, one at a time."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, follow_redirects=True, timeout=60.0)
        page = ""
        deadline = time.monotonic() + 30
        while 'name="result"' not in page and time.monotonic() < deadline:
            page = self.client.get("/shop/search", params={"words": "nutmeg"}).text
        found = re.search(r'name="result" value="([^"]+)"', page)
        if found is None:
            raise RuntimeError("the search found nothing")
        self.result, self.token = found.group(1), _token(page)

    def order(self) -> bool:
        data = {"csrf_token": self.token}
        cart = self.client.post("/shop/cart", data={**data, "result": self.result, "quantity": "1"})
        path = cart.url.path
        self.client.post(f"{path}/select", data={**data, "fulfilment": "PICKUP"})
        self.client.post(
            f"{path}/init",
            data={**data, "name": "Bench Shopper", "phone": "+17585550199", "payment": "COD"},
        )
        placed = self.client.post(f"{path}/confirm", data=data)
        return placed.status_code == 200 and "Ordered" in placed.text

    def close(self) -> None:
        self.client.close()


def _level(base_url: str, level: Level) -> LevelResult:
    shoppers = [Shopper(base_url) for _ in range(level.concurrency)]
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    remaining = [level.orders]

    def shop(shopper: Shopper) -> None:
        nonlocal failures
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                confirmed = shopper.order()
            except httpx.HTTPError:
                confirmed = False
            elapsed = time.perf_counter() - started
            with lock:
                if confirmed:
                    latencies.append(elapsed)
                else:
                    failures += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=level.concurrency) as pool:
        for done in [pool.submit(shop, shopper) for shopper in shoppers]:
            done.result()
    seconds = time.perf_counter() - started
    for shopper in shoppers:
        shopper.close()
    ms = [value * 1000 for value in latencies]
    return LevelResult(
        level.concurrency,
        level.orders,
        len(latencies),
        failures,
        round(seconds, 2),
        round(len(latencies) / seconds, 2) if seconds else 0.0,
        rounded(percentile(ms, 0.50)) if ms else None,
        rounded(percentile(ms, 0.95)) if ms else None,
        rounded(max(ms)) if ms else None,
    )


def _market(stack: ExitStack, root: Path) -> tuple[RunningServer, RunningServer, RunningServer]:
    from tests.support.servers import comptoir_server

    plan = [
        (root / "network", "home,network"),
        (root / "seller", "home,apps.seller"),
        (root / "buyer", "home,apps.buyer"),
    ]
    managers = [
        comptoir_server(
            folder,
            command="serve",
            extra_env={"COMPTOIR_BLOCKS": blocks, "COMPTOIR_OUTBOX_POLL_SECONDS": "0.05"},
        )
        for folder, blocks in plan
    ]
    with ThreadPoolExecutor(max_workers=len(managers)) as pool:
        futures = [pool.submit(manager.__enter__) for manager in managers]
    for manager, future in zip(managers, futures, strict=True):
        if future.exception() is None:
            stack.push(manager.__exit__)
    network, seller, buyer = (future.result() for future in futures)
    network_dir, seller_dir, buyer_dir = (folder for folder, _ in plan)
    printed = _run(
        seller, seller_dir, "seller", "platform", "add", "bench-market", "--name", "Bench Market",
        "--subscriber-id", "bench-market.example", "--registry-url", f"{network.url}/registry",
        "--gateway-url", f"{network.url}/gateway", "--service-fee", "1.00",
    )  # fmt: skip
    _register(network, network_dir, printed, "BPP")
    _run(
        seller, seller_dir, "seller", "business", "add", "bench-market", "spices",
        "--name", "Bench Spices", "--phone", "+17585550999", "--delivery-fee", "5.00",
    )  # fmt: skip
    catalogue = seller_dir / "items.json"
    catalogue.write_text(
        json.dumps([{"name": "Nutmeg", "category": "spices", "price": "8.00", "stock": 1000000}]),
        encoding="utf-8",
    )
    _run(
        seller, seller_dir, "seller", "business", "stock", "bench-market", "spices", str(catalogue)
    )
    printed = _run(
        buyer, buyer_dir, "buyer", "setup", "bench-shop", "--name", "Bench Shop",
        "--subscriber-id", "bench-shop.example", "--registry-url", f"{network.url}/registry",
        "--gateway-url", f"{network.url}/gateway",
    )  # fmt: skip
    _register(network, network_dir, printed, "BAP")
    return network, seller, buyer


def run(quick: bool) -> dict[str, object]:
    """Measure; returns {"orders_per_second": best level's rate, "levels": [...], ...}."""
    levels = [Level(1, 10), Level(4, 20)] if quick else [Level(1, 30), Level(4, 60), Level(8, 80)]
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-orders-")))
        started = time.perf_counter()
        _, _, buyer = _market(stack, root)
        setup_seconds = time.perf_counter() - started
        _level(buyer.url, Level(1, 2))  # warm-up: key caches, connections
        results = [_level(buyer.url, level) for level in levels]
    best = max(results, key=lambda result: result.orders_per_second)
    return {
        "orders_per_second": best.orders_per_second,
        "database": "sqlite (one per process)",
        "messages_per_order": 6,
        "setup_seconds": round(setup_seconds, 1),
        "levels": [asdict(result) for result in results],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute)")
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR / "network_orders.json", help="JSON report"
    )
    options = parser.parse_args(argv)
    print("Orders confirmed per second, end to end" + (" (quick)" if options.quick else ""))
    background = _support.background_busy_cores()
    print(f"  {os.cpu_count()} cores, {background} busy with other work before the run")
    found = run(options.quick)
    levels = found["levels"]
    assert isinstance(levels, list)
    print(table(
        ["shoppers", "orders", "confirmed", "failed", "seconds", "orders/s", "p50 ms", "p95 ms",
         "max ms"],
        [[r["concurrency"], r["orders"], r["confirmed"], r["failed"], r["seconds"],
          r["orders_per_second"], r["p50_ms"], r["p95_ms"], r["max_ms"]] for r in levels],
    ))  # fmt: skip
    report = {
        "benchmark": "network_orders",
        "when": datetime.now(UTC).isoformat(),
        "quick": options.quick,
        "machine": {**_support.machine_description(), "background_busy_cores": background},
        **found,
    }
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
