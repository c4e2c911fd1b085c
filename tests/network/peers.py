"""Small signed Beckn participants for the network's tests: buyer apps and seller platforms
served by uvicorn in a thread, built only on the kernel's protocol layer (as any outside
participant would be), since the real seller and buyer apps are separate work.

A seller answers discover from its own items; it can be made slow (it holds the discover for
`delay` seconds before acknowledging) to show that the gateway's fan-out does not wait for it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from starlette.applications import Starlette
from starlette.routing import Route

from comptoir.kernel.beckn import (
    AfterAck,
    BecknIdentity,
    BecknReceiver,
    BecknSender,
    Inbound,
    KeySource,
    RegistryClient,
    RegistryKeySource,
    SubscribeRequest,
    SubscriberType,
    action_url,
    on_subscribe_endpoint,
)
from comptoir.kernel.beckn.models import ACTIONS, BecknMessage, OnDiscoverAction
from comptoir.kernel.crypto import public_key_to_base64

Result = TypeVar("Result")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    inbound: Inbound
    at: float


@dataclass
class Peer:
    """One participant: its keys, its address, what it received."""

    subscriber_id: str
    type: SubscriberType
    registry_url: str
    port: int = field(default_factory=free_port)
    domain: str = "retail"
    city: str | None = "std:castries"
    items: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    keys: KeySource | None = None
    signing_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    encryption_key: X25519PrivateKey = field(default_factory=X25519PrivateKey.generate)
    unique_key_id: str = "k1"
    received: list[Received] = field(default_factory=list)
    _server: uvicorn.Server | None = None
    _lookups: BecknSender | None = None
    _replies: BecknSender = field(init=False)
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/beckn"

    @property
    def identity(self) -> BecknIdentity:
        return BecknIdentity(self.subscriber_id, self.unique_key_id, self.signing_key)

    def key_source(self) -> KeySource:
        if self.keys is None:
            self._lookups = BecknSender(self.identity)
            client = RegistryClient(self.registry_url, self._lookups)
            self.keys = RegistryKeySource(client, cache_seconds=60, miss_pause_seconds=0)
        return self.keys

    def registry(self, work: Callable[[RegistryClient], Awaitable[Result]]) -> Result:
        """Run one registry call from the test's thread, signed by this peer."""

        async def call() -> Result:
            sender = BecknSender(self.identity)
            try:
                return await work(RegistryClient(self.registry_url, sender))
            finally:
                await sender.aclose()

        return asyncio.run(call())

    def subscribe_request(self, **changes: Any) -> SubscribeRequest:
        values: dict[str, Any] = {
            "subscriber_id": self.subscriber_id,
            "url": self.url,
            "type": self.type,
            "domain": self.domain,
            "city": self.city,
            "country": "LCA",
            "signing_public_key": public_key_to_base64(self.signing_key),
            "encr_public_key": public_key_to_base64(self.encryption_key),
            "unique_key_id": self.unique_key_id,
            "nonce": str(uuid.uuid4()),
        }
        values.update(changes)
        return SubscribeRequest(**values)

    # --- serving ---------------------------------------------------------------------------

    def app(self) -> Starlette:
        receiver = BecknReceiver(identity=self.identity, keys=self.key_source())
        handlers: dict[str, Callable[[Inbound], Any]] = {}
        if self.type == "BAP":
            for action in ACTIONS:
                if action.startswith("on_"):
                    handlers[action] = self._record
        else:
            handlers["discover"] = self._discover
            handlers["catalog/on_publish"] = self._record
            handlers["select"] = self._record
        routes = receiver.routes(handlers, prefix="/beckn")
        routes.append(
            Route(
                "/beckn/on_subscribe", on_subscribe_endpoint(self.encryption_key), methods=["POST"]
            )
        )

        @asynccontextmanager
        async def lifespan(_app: Starlette) -> AsyncIterator[None]:
            yield
            await self._replies.aclose()
            if self._lookups is not None:
                await self._lookups.aclose()

        self._replies = BecknSender(self.identity)
        return Starlette(routes=routes, lifespan=lifespan)

    def start(self) -> Peer:
        config = uvicorn.Config(
            self.app(), host="127.0.0.1", port=self.port, log_level="warning", ws="none",
            lifespan="on",
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.subscriber_id} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    async def _record(self, inbound: Inbound) -> AfterAck | None:
        self.received.append(Received(inbound, time.monotonic()))
        return None

    async def _discover(self, inbound: Inbound) -> AfterAck | None:
        self.received.append(Received(inbound, time.monotonic()))
        if self.delay:
            await asyncio.sleep(self.delay)
        context = inbound.message.context
        text = (inbound.message.message.intent.text_search or "").lower()
        resources = [item for item in self.items if text in item["descriptor"]["name"].lower()]
        # Through a gateway, answer through it; otherwise straight to the buyer app.
        target = context.bap_uri
        if inbound.gateway is not None:
            target = inbound.gateway.url
        answer = BecknMessage[OnDiscoverAction](
            context=context.model_copy(
                update={"action": "on_discover", "bpp_id": self.subscriber_id,
                        "bpp_uri": self.url, "timestamp": datetime.now(UTC)}
            ),
            message=OnDiscoverAction.model_validate(
                {"catalogs": [self.catalog(resources)]} if resources else {"catalogs": []}
            ),
        )  # fmt: skip

        async def answer_later() -> None:
            assert target is not None
            await self._replies.send(action_url(target, "on_discover"), answer)

        return answer_later

    def catalog(self, resources: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {
            "id": f"{self.subscriber_id}-catalog",
            "bppId": self.subscriber_id,
            "bppUri": self.url,
            "descriptor": {"name": f"Catalogue of {self.subscriber_id}"},
            "provider": {"id": self.subscriber_id, "descriptor": {"name": self.subscriber_id}},
            "resources": self.items if resources is None else resources,
        }


def items(names: list[str]) -> list[dict[str, Any]]:
    return [
        {"id": f"item-{index}", "descriptor": {"name": name, "shortDesc": f"Fresh {name}"}}
        for index, name in enumerate(names)
    ]


def discover_message(bap: Peer, text: str, *, ttl: str = "PT5S") -> dict[str, Any]:
    return {
        "context": {
            "version": "2.0.0",
            "action": "discover",
            "domain": "retail",
            "location": {"city": {"code": "std:castries"}, "country": {"code": "LCA"}},
            "bapId": bap.subscriber_id,
            "bapUri": bap.url,
            "transactionId": str(uuid.uuid4()),
            "messageId": str(uuid.uuid4()),
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "ttl": ttl,
        },
        "message": {"intent": {"textSearch": text}},
    }
