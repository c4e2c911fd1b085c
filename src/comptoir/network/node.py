"""This node on the network: its identities (the gateway, the registry), which sign with the
node's Ed25519 key (`COMPTOIR_SIGNING_KEY_FILE`), and a key source over the registry's tables.

The gateway registers itself as a BG subscriber on first use (idempotent; `ensure_gateway`), so
a fresh node's registry already lists it and buyer apps can verify what it signs.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from comptoir.kernel.beckn import BecknIdentity, SubscriberKey
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import generate_key_file, load_private_key, public_key_to_base64
from comptoir.kernel.db import Database
from comptoir.kernel.settings import Settings
from comptoir.network.models import Subscriber
from comptoir.network.registry import queries, service

KEY_SETTING: Final = "COMPTOIR_SIGNING_KEY_FILE"
ACTOR: Final = "node:network"
GATEWAY_DOMAIN: Final = "*"  # the gateway serves every domain
# How long a key read from the tables is trusted before reading it again: a revocation made by
# another process (the command line) takes effect within this delay.
KEY_CACHE_SECONDS: Final = 2.0


def node_key(settings: Settings) -> Ed25519PrivateKey:
    path = settings.signing_key_path
    if not path.exists():
        generate_key_file(path, "ed25519", setting=KEY_SETTING)
    return load_private_key(path, setting=KEY_SETTING, kind="ed25519")


def unique_key_id(key: Ed25519PrivateKey) -> str:
    """A stable key id derived from the public key: a new key file gets a new id."""
    digest = hashlib.sha256(public_key_to_base64(key).encode()).hexdigest()
    return f"ed25519-{digest[:16]}"


@dataclass(frozen=True)
class NodeIdentities:
    gateway: BecknIdentity
    registry: BecknIdentity
    gateway_url: str
    registry_url: str


def identities(settings: Settings, clock: Clock) -> NodeIdentities:
    key = node_key(settings)
    host = urlsplit(settings.base_url).netloc or "localhost"
    base = settings.base_url.rstrip("/")
    key_id = unique_key_id(key)
    return NodeIdentities(
        gateway=BecknIdentity(f"{host}/gateway", key_id, key, clock),
        registry=BecknIdentity(f"{host}/registry", key_id, key, clock),
        gateway_url=f"{base}/gateway",
        registry_url=f"{base}/registry",
    )


def ensure_gateway(database: Database, node: NodeIdentities, clock: Clock) -> None:
    """Register the gateway as a SUBSCRIBED BG with the node's key, once."""
    gateway = node.gateway
    key = service.NewKey(gateway.unique_key_id, gateway.signing_public_key)
    try:
        with database.transaction() as session:
            registered = queries.find_key(session, gateway.subscriber_id, gateway.unique_key_id)
            if registered is not None:
                row = session.get(Subscriber, gateway.subscriber_id)
                if row is not None and row.url != node.gateway_url:
                    row.url = node.gateway_url  # the node moved (COMPTOIR_BASE_URL changed)
                    row.updated_at = clock.now()
                return
            if session.get(Subscriber, gateway.subscriber_id) is None:
                service.add_subscriber(
                    session,
                    clock=clock,
                    subscriber_id=gateway.subscriber_id,
                    type_="BG",
                    url=node.gateway_url,
                    domain=GATEWAY_DOMAIN,
                    key=key,
                    actor=ACTOR,
                    status="SUBSCRIBED",
                    proven=True,
                )
            else:
                # The node's key file changed: the new key takes over at once.
                service.add_key(
                    session,
                    clock=clock,
                    subscriber_id=gateway.subscriber_id,
                    key=key,
                    actor=ACTOR,
                    proven=True,
                )
    except IntegrityError:
        # Another worker registered it at the same moment.
        return


class DatabaseKeySource:
    """The registry's own tables as a `KeySource`, with a short cache of what it found."""

    def __init__(self, database: Database, *, cache_seconds: float = KEY_CACHE_SECONDS) -> None:
        self.database = database
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], tuple[SubscriberKey | None, float]] = {}

    def forget(self) -> None:
        self._cache.clear()

    async def signing_key(self, subscriber_id: str, unique_key_id: str) -> SubscriberKey | None:
        entry = (subscriber_id, unique_key_id)
        cached = self._cache.get(entry)
        now = time.monotonic()
        if cached is not None and now - cached[1] < self.cache_seconds:
            return cached[0]
        key = await run_in_threadpool(self.read, subscriber_id, unique_key_id)
        self._cache[entry] = (key, now)
        return key

    def read(self, subscriber_id: str, unique_key_id: str) -> SubscriberKey | None:
        with self.database.reading() as session:
            return queries.find_key(session, subscriber_id, unique_key_id)
