"""Where a receiver finds a sender's public key: the `KeySource` protocol and a static one.

A key is usable only while its subscriber is SUBSCRIBED, the key itself is not revoked, and
the moment of checking falls inside its validity window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal, Protocol, TypeAlias

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from comptoir.kernel.crypto.keys import ed25519_public_key_from_base64

SubscriberType: TypeAlias = Literal["BAP", "BPP", "BG"]
SUBSCRIBER_TYPES: Final[tuple[SubscriberType, ...]] = ("BAP", "BPP", "BG")
# The Beckn registry API's statuses. A revoked subscriber is UNSUBSCRIBED; INVALID_SSL is the
# registry's to set when it checks TLS certificates, which Comptoir leaves to the proxy.
SubscriberStatus: TypeAlias = Literal[
    "INITIATED", "UNDER_SUBSCRIPTION", "SUBSCRIBED", "EXPIRED", "UNSUBSCRIBED", "INVALID_SSL"
]
SUBSCRIBER_STATUSES: Final[tuple[SubscriberStatus, ...]] = (
    "INITIATED",
    "UNDER_SUBSCRIPTION",
    "SUBSCRIBED",
    "EXPIRED",
    "UNSUBSCRIBED",
    "INVALID_SSL",
)


@dataclass(frozen=True)
class SubscriberKey:
    """One signing key of one subscriber, with what a receiver needs to judge it."""

    subscriber_id: str
    unique_key_id: str
    signing_public_key: str
    type: SubscriberType
    url: str = ""
    status: SubscriberStatus = "SUBSCRIBED"
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    encryption_public_key: str | None = None
    domain: str | None = None
    city: str | None = None
    country: str | None = None
    public_key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Parsed once here, so that verifying a message costs no base64 or key decoding.
        object.__setattr__(
            self, "public_key", ed25519_public_key_from_base64(self.signing_public_key)
        )

    def refusal(self, now: datetime) -> str | None:
        """Why this key cannot sign at `now`, or None when it can."""
        if self.status != "SUBSCRIBED":
            return f"the subscriber {self.subscriber_id} is {self.status}, not SUBSCRIBED"
        if self.valid_from is not None and now < self.valid_from:
            return f"the key {self.unique_key_id} is not valid yet"
        if self.valid_until is not None and now >= self.valid_until:
            return f"the key {self.unique_key_id} is no longer valid"
        return None


class KeySource(Protocol):
    """Finds the key a `keyId` names; None when no such subscriber or key is known."""

    async def signing_key(self, subscriber_id: str, unique_key_id: str) -> SubscriberKey | None:
        """The key, whatever its status or window: the receiver judges those."""


class StaticKeySource:
    """Keys held in memory: tests, and a participant that pins its peers' keys."""

    def __init__(self, keys: Iterable[SubscriberKey] = ()) -> None:
        self._keys: dict[tuple[str, str], SubscriberKey] = {}
        for key in keys:
            self.add(key)

    def add(self, key: SubscriberKey) -> None:
        self._keys[key.subscriber_id, key.unique_key_id] = key

    def remove(self, subscriber_id: str, unique_key_id: str) -> None:
        self._keys.pop((subscriber_id, unique_key_id), None)

    async def signing_key(self, subscriber_id: str, unique_key_id: str) -> SubscriberKey | None:
        return self._keys.get((subscriber_id, unique_key_id))
