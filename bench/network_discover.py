"""Part (2) of the network benchmark: discover from a buyer app across ten seller platforms.

Everything crosses real HTTP and real signatures:

- the gateway is a `comptoir serve` process (SQLite, blocks home and network) with the ten
  sellers and the buyer app registered and SUBSCRIBED in its registry;
- the ten sellers are simulated, signed seller platforms (each its own Ed25519 key, its own
  items, searched in memory), served by a few separate processes (`python
  bench/network_discover.py serve CONFIG PORT 0,1,2`), each seller under its own path; each
  answers on_discover through the gateway, which relays it to the buyer app;
- the buyer app is served from the benchmark's process and verifies every callback.

"Time to merged results" runs from the buyer's POST of discover to the arrival of the last of
the ten sellers' on_discover. Then the sellers publish their catalogues to the gateway's index
(catalog/publish) and the same discover is answered from the index, in one on_discover.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from _support import percentile, rounded
from comptoir.kernel.beckn import (
    BecknIdentity,
    BecknReceiver,
    BecknSender,
    Inbound,
    StaticKeySource,
    SubscriberKey,
    action_url,
)
from comptoir.kernel.beckn.models import BecknMessage, OnDiscoverAction
from comptoir.kernel.crypto import ed25519_key_from_seed

PRODUCTS = (
    "mango", "banana", "breadfruit", "cassava", "soursop", "plantain", "coconut", "nutmeg",
    "cocoa", "coffee", "guava", "papaya", "pumpkin", "yam", "dasheen", "callaloo", "pepper",
    "ginger", "cinnamon", "honey", "rum cake", "hot sauce", "jam", "juice", "soap", "basket",
    "hat", "sandals", "bag", "mat", "bowl", "spoon", "candle", "t-shirt", "postcard", "print",
    "charger", "phone case", "radio", "lamp", "fish", "chicken", "bread", "rice", "flour",
    "sugar", "salt", "oil", "milk", "cheese",
)  # fmt: skip
ADJECTIVES = ("fresh", "ripe", "local", "organic", "small", "large", "dried", "spiced")
PAGE = 50
QUERY = "mango"


def seller_items(seller: int, count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"s{seller}-item-{n}",
            "descriptor": {
                "name": f"{ADJECTIVES[n % len(ADJECTIVES)]} "
                f"{PRODUCTS[(n * 7 + seller) % len(PRODUCTS)]}",
                "shortDesc": f"Lot {n} from seller {seller}",
            },
        }
        for n in range(count)
    ]


@dataclass
class Party:
    subscriber_id: str
    seed: bytes
    url: str

    @property
    def identity(self) -> BecknIdentity:
        return BecknIdentity(self.subscriber_id, "k1", ed25519_key_from_seed(self.seed))

    def key(self, type_: str) -> SubscriberKey:
        return SubscriberKey(
            self.subscriber_id,
            "k1",
            self.identity.signing_public_key,
            type_,
            self.url,  # type: ignore[arg-type]
        )

    def as_json(self) -> dict[str, str]:
        return {
            "id": self.subscriber_id,
            "seed": base64.b64encode(self.seed).decode(),
            "url": self.url,
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Party:
        return cls(data["id"], base64.b64decode(data["seed"]), data["url"])


# -- the sellers' process ---------------------------------------------------------------------


def serve_sellers(config_path: str, port: int, numbers: list[int]) -> None:
    config = json.loads(Path(config_path).read_text())
    bap = Party.from_json(config["bap"])
    gateway_key = SubscriberKey(
        config["gateway"]["id"], config["gateway"]["ukid"], config["gateway"]["public"], "BG",
        config["gateway"]["url"],
    )  # fmt: skip
    routes = []
    for number in numbers:
        seller = Party.from_json(config["sellers"][number])
        items = seller_items(number, config["items_per_seller"])
        searchable = [(item["descriptor"]["name"].lower(), item) for item in items]
        receiver = BecknReceiver(
            identity=seller.identity, keys=StaticKeySource([bap.key("BAP"), gateway_key])
        )
        sender = BecknSender(seller.identity)
        routes += receiver.routes(
            {
                "discover": _seller_discover(seller, searchable, sender),
                "catalog/on_publish": _accept,
            },
            prefix=f"/s{number}/beckn",
        )
    uvicorn.run(
        Starlette(routes=routes), host="127.0.0.1", port=port, log_level="warning", ws="none"
    )


async def _accept(inbound: Inbound) -> None:
    return None


def _seller_discover(
    seller: Party, searchable: list[tuple[str, dict[str, Any]]], sender: BecknSender
) -> Any:
    async def discover(inbound: Inbound) -> Any:
        context = inbound.message.context
        words = (inbound.message.message.intent.text_search or "").lower().split()
        found = [item for text, item in searchable if all(word in text for word in words)][:PAGE]
        catalog = {
            "id": f"{seller.subscriber_id}-catalog", "bppId": seller.subscriber_id,
            "bppUri": seller.url, "descriptor": {"name": seller.subscriber_id},
            "provider": {"id": seller.subscriber_id, "descriptor": {"name": seller.subscriber_id}},
            "resources": found,
        }  # fmt: skip
        answer = BecknMessage[OnDiscoverAction](
            context=context.model_copy(
                update={"action": "on_discover", "bpp_id": seller.subscriber_id,
                        "bpp_uri": seller.url, "timestamp": datetime.now(UTC)}
            ),
            message=OnDiscoverAction.model_validate({"catalogs": [catalog]}),
        )  # fmt: skip
        target = inbound.gateway.url if inbound.gateway is not None else context.bap_uri

        async def reply() -> None:
            assert target is not None
            await sender.send(action_url(target, "on_discover"), answer)

        return reply

    return discover


# -- the benchmark's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class DiscoverResult:
    mode: str
    sellers: int
    items: int
    rounds: int
    answered: int
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    first_p50_ms: float | None  # to the first seller's answer
    results_per_discover: float | None


class Buyer:
    """The buyer app: receives on_discover, verified, and notes when each arrives."""

    def __init__(self, party: Party, keys: list[SubscriberKey], port: int) -> None:
        self.party = party
        self.arrivals: dict[str, list[tuple[float, int]]] = defaultdict(list)
        self.changed = threading.Condition()
        receiver = BecknReceiver(identity=party.identity, keys=StaticKeySource(keys))
        app = Starlette(routes=receiver.routes({"on_discover": self._on_discover}, prefix="/beckn"))
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def _on_discover(self, inbound: Inbound) -> None:
        count = sum(len(c.resources or []) for c in inbound.message.message.catalogs)
        with self.changed:
            self.arrivals[inbound.message.context.transaction_id].append(
                (time.perf_counter(), count)
            )
            self.changed.notify_all()

    def start(self) -> None:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def wait(self, transaction_id: str, count: int, timeout: float) -> list[tuple[float, int]]:
        deadline = time.perf_counter() + timeout
        with self.changed:
            while len(self.arrivals[transaction_id]) < count:
                left = deadline - time.perf_counter()
                if left <= 0:
                    break
                self.changed.wait(left)
            return list(self.arrivals[transaction_id])


def discover_body(buyer: Party, text: str) -> bytes:
    return json.dumps(
        {
            "context": {
                "version": "2.0.0", "action": "discover", "domain": "retail",
                "location": {"city": {"code": "std:castries"}, "country": {"code": "LCA"}},
                "bapId": buyer.subscriber_id, "bapUri": buyer.url,
                "transactionId": str(uuid.uuid4()), "messageId": str(uuid.uuid4()),
                "timestamp": datetime.now(UTC).isoformat(), "ttl": "PT5S",
            },
            "message": {"intent": {"textSearch": text}},
        }
    ).encode()  # fmt: skip


def measure(
    mode: str, buyer: Buyer, gateway_url: str, rounds: int, expected: int, items: int, sellers: int
) -> DiscoverResult:
    spent: list[float] = []
    first: list[float] = []
    results: list[int] = []
    with httpx.Client(timeout=10) as client:
        for round_number in range(rounds + 3):
            body = discover_body(buyer.party, QUERY)
            transaction_id = json.loads(body)["context"]["transactionId"]
            headers = {
                "Content-Type": "application/json",
                "Authorization": buyer.party.identity.sign(body),
            }
            started = time.perf_counter()
            response = client.post(f"{gateway_url}/discover", content=body, headers=headers)
            assert response.status_code == 200, response.text
            arrived = buyer.wait(transaction_id, expected, timeout=5.0)
            if round_number < 3:
                continue  # warm-up
            if len(arrived) >= expected:
                spent.append((max(at for at, _ in arrived) - started) * 1000)
                first.append((min(at for at, _ in arrived) - started) * 1000)
                results.append(sum(count for _, count in arrived))
    return DiscoverResult(
        mode, sellers, items, rounds, len(spent),
        rounded(percentile(spent, 0.5)), rounded(percentile(spent, 0.95)),
        rounded(max(spent)) if spent else None,
        rounded(percentile(first, 0.5)),
        rounded(sum(results) / len(results)) if results else None,
    )  # fmt: skip


def start_process(arguments: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            arguments, stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start") from None
            time.sleep(0.1)


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "serve":
    serve_sellers(sys.argv[2], int(sys.argv[3]), [int(n) for n in sys.argv[4].split(",")])
