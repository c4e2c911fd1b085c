"""This platform's side of the Beckn protocol: its keys, the envelopes it sends, and the
outbox handler that signs and posts them (over `comptoir.kernel.beckn`).

Out: `queue` writes a message's exact bytes in the caller's transaction (the transactional
outbox): a callback exists if and only if the change that caused it committed. `BecknOutbox`,
the outbox handler, signs those bytes with the platform's Ed25519 key and posts them; no answer
or a 5xx is retried by the relay, a NACK is logged (resending the same bytes would not help).
In: `Receivers` keeps one `BecknReceiver` per platform, which trusts the keys the network
registry publishes (looked up and cached by `RegistryKeySource`).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from pathlib import Path
from typing import Any, Final

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from comptoir.kernel.beckn.identity import BecknIdentity
from comptoir.kernel.beckn.receiver import BecknReceiver
from comptoir.kernel.beckn.registry_client import RegistryClient, RegistryKeySource
from comptoir.kernel.beckn.sender import BecknSender
from comptoir.kernel.clock import Clock, system_clock, utc_iso
from comptoir.kernel.crypto import generate_key_file, load_private_key, public_key_to_base64
from comptoir.kernel.outbox import OutboxEvent, declare, publish

TOPIC: Final = "seller.beckn.outgoing"
HANDLER: Final = "seller.beckn.sender"
declare(TOPIC, HANDLER)
VERSION: Final = "2.0.0"
DOMAIN: Final = "retail"
ATTRIBUTES_CONTEXT: Final = "https://comptoir.example/schema/retail/v1/context.jsonld"

logger = logging.getLogger(__name__)


def key_path(keys_dir: Path, platform_id: str) -> Path:
    return keys_dir / f"seller-{platform_id}.ed25519.pem"


def encryption_key_path(keys_dir: Path, platform_id: str) -> Path:
    return keys_dir / f"seller-{platform_id}.x25519.pem"


def create_keys(keys_dir: Path, platform_id: str) -> tuple[str, str]:
    """The platform's Ed25519 signing key and X25519 encryption key (existing ones are kept);
    their public halves, base64, as the registry takes them."""
    for path, kind in (
        (key_path(keys_dir, platform_id), "ed25519"),
        (encryption_key_path(keys_dir, platform_id), "x25519"),
    ):
        if not path.exists():
            generate_key_file(path, kind)  # type: ignore[arg-type]
    signing = public_key_to_base64(private_key(keys_dir, platform_id))
    encryption = load_private_key(
        encryption_key_path(keys_dir, platform_id), setting="seller key", kind="x25519"
    )
    return signing, public_key_to_base64(encryption)


def private_key(keys_dir: Path, platform_id: str) -> Ed25519PrivateKey:
    return load_private_key(key_path(keys_dir, platform_id), setting="seller key", kind="ed25519")


def body_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def context(
    *,
    action: str,
    bap_id: str,
    bap_uri: str,
    bpp_id: str,
    bpp_uri: str,
    transaction_id: str,
    message_id: str | None = None,
    clock: Clock = system_clock,
) -> dict[str, Any]:
    return {
        "domain": DOMAIN,
        "action": action,
        "version": VERSION,
        "bapId": bap_id,
        "bapUri": bap_uri,
        "bppId": bpp_id,
        "bppUri": bpp_uri,
        "transactionId": transaction_id,
        "messageId": message_id or str(uuid.uuid4()),
        "timestamp": utc_iso(clock.now()),
        "ttl": "PT30S",
    }


def queue(
    session: Session,
    *,
    platform_id: str,
    subscriber_id: str,
    unique_key_id: str,
    url: str,
    body: dict[str, Any],
    clock: Clock = system_clock,
) -> uuid.UUID:
    payload = {
        "platform": platform_id,
        "subscriber_id": subscriber_id,
        "unique_key_id": unique_key_id,
        "url": url,
        "body": body_bytes(body).decode("utf-8"),
    }
    return publish(session, topic=TOPIC, payload=payload, key=platform_id, clock=clock)


class DeliveryError(Exception):
    """The receiver could not take the message now; the relay tries again later."""


class BecknOutbox:
    """The outbox handler: sign the queued bytes with the platform's key and post them.

    One HTTP client, kept alive across messages and shared by the relay's threads (httpx's
    client is thread-safe), so a callback costs no new connection.
    """

    def __init__(
        self, *, keys_dir: Path, clock: Clock = system_clock, timeout: float = 10.0
    ) -> None:
        self.keys_dir = keys_dir
        self.clock = clock
        self.timeout = timeout
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def __call__(self, event: OutboxEvent) -> None:
        payload = event.payload
        identity = BecknIdentity(
            payload["subscriber_id"],
            payload["unique_key_id"],
            private_key(self.keys_dir, payload["platform"]),
            self.clock,
        )
        url, body = payload["url"], payload["body"].encode("utf-8")
        headers = {"Content-Type": "application/json", "Authorization": identity.sign(body)}
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as failure:
            raise DeliveryError(f"POST {url}: {failure}") from failure
        if response.status_code >= 500 or response.status_code in (408, 425, 429):
            raise DeliveryError(f"POST {url} answered {response.status_code}")
        if response.status_code != 200:
            # A NACK for good (a bad message): resending the same bytes would not help.
            logger.warning("%s refused a message: %s", url, response.content[:300])


class Receivers:
    """One receiver per platform, built on first use (platforms are few and rarely change)."""

    def __init__(self, *, keys_dir: Path, clock: Clock = system_clock) -> None:
        self.keys_dir = keys_dir
        self.clock = clock
        self._lock = threading.Lock()
        self._receivers: dict[str, BecknReceiver] = {}

    def get(
        self, platform_id: str, subscriber_id: str, unique_key_id: str, registry_url: str
    ) -> BecknReceiver:
        with self._lock:
            found = self._receivers.get(platform_id)
            if found is None:
                identity = BecknIdentity(
                    subscriber_id,
                    unique_key_id,
                    private_key(self.keys_dir, platform_id),
                    self.clock,
                )
                keys = RegistryKeySource(
                    RegistryClient(registry_url, BecknSender(identity)), clock=self.clock
                )
                found = self._receivers[platform_id] = BecknReceiver(identity=identity, keys=keys)
            return found
