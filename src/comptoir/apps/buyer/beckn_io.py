"""The buyer app's side of the Beckn protocol: its keys, the context of what it sends, the
signed sender, and the receiver of callbacks (over `comptoir.kernel.beckn`)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any, Final

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from comptoir.kernel.beckn.identity import BecknIdentity
from comptoir.kernel.beckn.receiver import BecknReceiver
from comptoir.kernel.beckn.registry_client import RegistryClient, RegistryKeySource
from comptoir.kernel.beckn.sender import BecknSender, Delivery
from comptoir.kernel.clock import Clock, system_clock, utc_iso
from comptoir.kernel.crypto import generate_key_file, load_private_key, public_key_to_base64

VERSION: Final = "2.0.0"
DOMAIN: Final = "retail"
ATTRIBUTES_CONTEXT: Final = "https://comptoir.example/schema/retail/v1/context.jsonld"
CALLBACKS: Final = frozenset(
    {
        "on_discover",
        "on_select",
        "on_init",
        "on_confirm",
        "on_status",
        "on_track",
        "on_update",
        "on_cancel",
        "on_rate",
        "on_support",
    }
)


def key_path(keys_dir: Path, app_id: str) -> Path:
    return keys_dir / f"buyer-{app_id}.ed25519.pem"


def encryption_key_path(keys_dir: Path, app_id: str) -> Path:
    return keys_dir / f"buyer-{app_id}.x25519.pem"


def create_keys(keys_dir: Path, app_id: str) -> tuple[str, str]:
    for path, kind in (
        (key_path(keys_dir, app_id), "ed25519"),
        (encryption_key_path(keys_dir, app_id), "x25519"),
    ):
        if not path.exists():
            generate_key_file(path, kind)  # type: ignore[arg-type]
    encryption = load_private_key(
        encryption_key_path(keys_dir, app_id), setting="buyer key", kind="x25519"
    )
    return public_key_to_base64(private_key(keys_dir, app_id)), public_key_to_base64(encryption)


def private_key(keys_dir: Path, app_id: str) -> Ed25519PrivateKey:
    return load_private_key(key_path(keys_dir, app_id), setting="buyer key", kind="ed25519")


def body_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def attributes(kind: str, **values: Any) -> dict[str, Any]:
    return {"@context": ATTRIBUTES_CONTEXT, "@type": kind, **values}


def context(
    *,
    action: str,
    bap_id: str,
    bap_uri: str,
    transaction_id: str,
    message_id: str,
    bpp_id: str | None = None,
    bpp_uri: str | None = None,
    ttl: str = "PT30S",
    clock: Clock = system_clock,
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "domain": DOMAIN,
        "action": action,
        "version": VERSION,
        "bapId": bap_id,
        "bapUri": bap_uri,
        "transactionId": transaction_id,
        "messageId": message_id,
        "timestamp": utc_iso(clock.now()),
        "ttl": ttl,
    }
    if bpp_id is not None:
        found["bppId"] = bpp_id
        found["bppUri"] = bpp_uri
    return found


def new_message_id() -> str:
    return str(uuid.uuid4())


class Protocol:
    """The app's identity, its sender and its receiver, built once when first needed."""

    def __init__(self, *, keys_dir: Path, clock: Clock = system_clock) -> None:
        self.keys_dir = keys_dir
        self.clock = clock
        self._built: tuple[BecknIdentity, BecknSender, BecknReceiver] | None = None
        self._http: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None

    def parts(
        self, app_id: str, subscriber_id: str, unique_key_id: str, registry_url: str
    ) -> tuple[BecknIdentity, BecknSender, BecknReceiver]:
        if self._built is None or self._built[0].subscriber_id != subscriber_id:
            identity = BecknIdentity(
                subscriber_id, unique_key_id, private_key(self.keys_dir, app_id), self.clock
            )
            sender = BecknSender(identity)
            keys = RegistryKeySource(RegistryClient(registry_url, sender), clock=self.clock)
            self._built = (identity, sender, BecknReceiver(identity=identity, keys=keys))
        return self._built

    async def send(  # noqa: PLR0917 (the app's four identifiers, then where and what)
        self,
        app_id: str,
        subscriber_id: str,
        unique_key_id: str,
        registry_url: str,
        url: str,
        body: dict[str, Any],
    ) -> Delivery:
        identity = self.parts(app_id, subscriber_id, unique_key_id, registry_url)[0]
        return await BecknSender(identity, client=self._client()).send(url, body_bytes(body))

    def _client(self) -> httpx.AsyncClient:
        """One client per event loop, kept alive across messages (a client belongs to the
        loop it was made in)."""
        loop = asyncio.get_running_loop()
        if self._http is None or self._http[0] is not loop:
            self._http = (loop, httpx.AsyncClient(timeout=10.0))
        return self._http[1]
