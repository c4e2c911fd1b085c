"""A participant's signing identity: its subscriber id, the registry's key id, its private key."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto.beckn import (
    DEFAULT_TTL_SECONDS,
    sign_counter_signature,
    sign_request,
)
from comptoir.kernel.crypto.keys import public_key_to_base64


@dataclass(frozen=True)
class BecknIdentity:
    """Who signs: `keyId="{subscriber_id}|{unique_key_id}|ed25519"`."""

    subscriber_id: str
    unique_key_id: str
    private_key: Ed25519PrivateKey = field(repr=False)
    clock: Clock = field(default=system_clock, repr=False, compare=False)

    @property
    def signing_public_key(self) -> str:
        """Base64 of the raw public key, as the registry publishes it."""
        return public_key_to_base64(self.private_key)

    def sign(self, body: bytes, *, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> str:
        """The `Authorization` (or `X-Gateway-Authorization`) value for these exact bytes."""
        return sign_request(
            body,
            subscriber_id=self.subscriber_id,
            unique_key_id=self.unique_key_id,
            private_key=self.private_key,
            clock=self.clock,
            ttl_seconds=ttl_seconds,
        )

    def counter_sign(
        self,
        ack_body: bytes,
        *,
        request_body: bytes,
        message_id: str,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
    ) -> str:
        return sign_counter_signature(
            ack_body,
            request_body=request_body,
            message_id=message_id,
            subscriber_id=self.subscriber_id,
            unique_key_id=self.unique_key_id,
            private_key=self.private_key,
            clock=self.clock,
            ttl_seconds=ttl_seconds,
        )
