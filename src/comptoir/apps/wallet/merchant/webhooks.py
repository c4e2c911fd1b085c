"""The outbox handler that posts a merchant's webhook, signed with its key's secret.

The body bytes are fixed by the event (so a retry sends the same bytes and the same signature);
the signature is HMAC-SHA256 of those bytes with the key's webhook secret, in the
`Comptoir-Signature` header as "sha256=<hex>". A 2xx answer ends it; anything else (or no
answer) is raised, so the relay retries with backoff until the delivery is dead.
"""

from __future__ import annotations

import json
import uuid
from typing import Final

import httpx

from comptoir.apps.wallet.merchant.service import sign, webhook_secret
from comptoir.apps.wallet.service.context import Wallet
from comptoir.kernel.outbox import OutboxEvent

SIGNATURE_HEADER: Final = "Comptoir-Signature"
EVENT_HEADER: Final = "Comptoir-Event-Id"


class WebhookError(Exception):
    """The merchant's server did not take the webhook; the relay tries again later."""


def body_bytes(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")


class WebhookSender:
    """`transport` is httpx's: None for real HTTP, or a test's."""

    def __init__(
        self,
        wallet: Wallet,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.wallet = wallet
        self.transport = transport
        self.timeout = timeout

    def __call__(self, event: OutboxEvent) -> None:
        payload = event.payload
        secret = webhook_secret(self.wallet, uuid.UUID(payload["key_id"]))
        if secret is None:
            return  # the key is gone: nobody to tell
        content = body_bytes(payload["body"])
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, content),
            EVENT_HEADER: str(event.id),
        }
        with httpx.Client(transport=self.transport, timeout=self.timeout) as client:
            try:
                response = client.post(payload["url"], content=content, headers=headers)
            except httpx.HTTPError as failure:
                raise WebhookError(f"POST {payload['url']}: {failure}") from failure
        if response.status_code >= 300:
            raise WebhookError(f"POST {payload['url']} answered {response.status_code}")
