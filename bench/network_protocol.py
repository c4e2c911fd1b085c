"""Part (1) of the network benchmark: what the protocol layer costs per message.

One signed message at a time goes through `BecknReceiver.receive` (verify the Ed25519 signature
over the BLAKE2b-512 digest of the exact bytes, look the key up in an in-memory key source,
validate against the v2.0 models, counter-sign the Ack), beside a bare handler that only parses
the JSON, and beside each step alone. The sender's side (sign the bytes) is measured too.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from _support import percentile, rounded
from comptoir.kernel.beckn import (
    BecknIdentity,
    BecknReceiver,
    Inbound,
    StaticKeySource,
    SubscriberKey,
    signed_ack_body,
    validate_message,
)
from comptoir.kernel.crypto import verify_request

BAP = "buyer.bench.test"
BPP = "seller.bench.test"
BATCHES = 5


@dataclass(frozen=True)
class StepResult:
    step: str
    message: str
    count: int
    p50_us: float | None
    p99_us: float | None
    mean_us: float | None
    # Other work on a shared machine steals the CPU in bursts: the p99 of each of five equal
    # batches, of which the median is the figure least moved by them.
    batch_p99_median_us: float | None


def _select(lines: int) -> dict[str, Any]:
    resources = [{"id": f"item-{n}", "quantity": {"count": n + 1}} for n in range(lines)]
    return {
        "context": {
            "version": "2.0.0", "action": "select", "domain": "retail",
            "location": {"city": {"code": "std:castries"}, "country": {"code": "LCA"}},
            "bapId": BAP, "bapUri": "https://buyer.bench.test/beckn",
            "bppId": BPP, "bppUri": "https://seller.bench.test/beckn",
            "transactionId": str(uuid.uuid4()), "messageId": str(uuid.uuid4()),
            "timestamp": datetime.now(UTC).isoformat(), "ttl": "PT30S",
        },
        "message": {
            "contract": {
                "commitments": [
                    {
                        "status": {"descriptor": {"code": "DRAFT"}},
                        "resources": resources,
                        "offer": {"id": "offer-1", "resourceIds": [r["id"] for r in resources],
                                  "descriptor": {"name": "Market basket"}},
                    }
                ]
            }
        },
    }  # fmt: skip


def _discover() -> dict[str, Any]:
    message = _select(0)
    message["context"]["action"] = "discover"
    for name in ("bppId", "bppUri"):
        del message["context"][name]
    message["message"] = {"intent": {"textSearch": "julie mango"}}
    return message


def _time(count: int, work: Callable[[], Awaitable[object]]) -> list[float]:
    async def run() -> list[float]:
        spent: list[float] = []
        for _ in range(count):
            started = time.perf_counter_ns()
            await work()
            spent.append((time.perf_counter_ns() - started) / 1000)
        return spent

    return asyncio.run(run())


def _summary(step: str, message: str, spent: list[float]) -> StepResult:
    size = max(1, len(spent) // BATCHES)
    batches = sorted(percentile(spent[n : n + size], 0.99) for n in range(0, len(spent), size))
    return StepResult(
        step,
        message,
        len(spent),
        rounded(percentile(spent, 0.5)),
        rounded(percentile(spent, 0.99)),
        rounded(sum(spent) / len(spent)),
        rounded(batches[len(batches) // 2]),
    )


def run(count: int) -> list[StepResult]:
    bap = BecknIdentity(BAP, "k1", Ed25519PrivateKey.generate())
    bpp = BecknIdentity(BPP, "k1", Ed25519PrivateKey.generate())
    keys = StaticKeySource(
        [SubscriberKey(BAP, "k1", bap.signing_public_key, "BAP", "https://buyer.bench.test/beckn")]
    )
    receiver = BecknReceiver(identity=bpp, keys=keys)

    async def accept(inbound: Inbound) -> None:
        return None

    results: list[StepResult] = []
    for name, action, document in (
        ("discover", "discover", _discover()),
        ("select, 3 lines", "select", _select(3)),
        ("select, 50 lines", "select", _select(50)),
    ):
        body = json.dumps(document).encode()
        size = f"{name} ({len(body):,} bytes)"
        headers = {"authorization": bap.sign(body)}
        message_id = document["context"]["messageId"]

        async def full(action: str = action, body: bytes = body, headers: Any = headers) -> None:
            answer = await receiver.receive(action, headers, body, accept)
            assert answer.status_code == 200, answer.body

        async def bare(body: bytes = body) -> None:
            await accept(json.loads(body))  # type: ignore[arg-type]

        async def verify(body: bytes = body, headers: Any = headers) -> None:
            verify_request(headers["authorization"], body, keys._keys[BAP, "k1"].public_key)

        async def validate(action: str = action, body: bytes = body) -> None:
            validate_message(action, body)

        async def counter_sign(body: bytes = body, message_id: str = message_id) -> None:
            signed_ack_body(bpp, request_body=body, message_id=message_id)

        async def sign(body: bytes = body) -> None:
            bap.sign(body)

        _time(min(count, 200), full)  # warm up
        for step, work in (
            ("verify + validate + counter-sign (receiver)", full),
            ("bare handler (json.loads only)", bare),
            ("  verify signature", verify),
            ("  validate", validate),
            ("  counter-signed Ack", counter_sign),
            ("sign (sender)", sign),
        ):
            results.append(_summary(step, size, _time(count, work)))
    return results
