"""The Beckn registry API, client side: `lookup`, `subscribe`, and a key cache for receivers.

Wire shapes follow the Beckn registry API (beckn/protocol-specifications, api/registry) with
ONDC's names for the two members the v1 spec leaves vague: `url` (the subscriber's Beckn base
URL) and `ukId` (the unique key id that appears in `keyId`). Every call is signed like any Beckn
message; `lookup` answers a JSON array of `Subscription`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from comptoir.kernel.beckn.keys import SubscriberKey, SubscriberStatus, SubscriberType
from comptoir.kernel.beckn.sender import BecknSender
from comptoir.kernel.clock import Clock, system_clock

# A fresh entry is trusted this long before the registry is asked again.
DEFAULT_CACHE_SECONDS: Final = 300.0
# An unknown key is asked for again only after this pause, so a flood of messages signed with
# made-up keys cannot turn into a flood of lookups.
DEFAULT_MISS_PAUSE_SECONDS: Final = 1.0


class _RegistryModel(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_by_name=True, serialize_by_alias=True)


class Subscription(_RegistryModel):
    """One entry of the registry: one key of one subscriber, in one domain."""

    subscriber_id: str
    url: str
    type: SubscriberType
    domain: str | None = None
    city: str | None = None
    country: str | None = None
    signing_public_key: str
    encr_public_key: str | None = None
    unique_key_id: str = Field(alias="ukId")
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    status: SubscriberStatus
    created: datetime | None = None
    updated: datetime | None = None

    def key(self) -> SubscriberKey:
        return SubscriberKey(
            subscriber_id=self.subscriber_id,
            unique_key_id=self.unique_key_id,
            signing_public_key=self.signing_public_key,
            type=self.type,
            url=self.url,
            status=self.status,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            encryption_public_key=self.encr_public_key,
            domain=self.domain,
            city=self.city,
            country=self.country,
        )


SUBSCRIPTIONS: Final = TypeAdapter(list[Subscription])


class LookupRequest(_RegistryModel):
    """What to look up; absent members match anything. `status` defaults to SUBSCRIBED."""

    subscriber_id: str | None = None
    type: SubscriberType | None = None
    domain: str | None = None
    city: str | None = None
    country: str | None = None
    unique_key_id: str | None = Field(default=None, alias="ukId")
    status: SubscriberStatus | None = None


class SubscribeRequest(_RegistryModel):
    """A participant's request to join, or to register a new key (rotation).

    It is signed with the key it registers (proof of the signing key); a rotation is signed
    with the subscriber's current key instead, which vouches for the new one.
    """

    subscriber_id: str
    url: str
    type: SubscriberType
    domain: str
    city: str | None = None
    country: str | None = None
    signing_public_key: str
    encr_public_key: str
    unique_key_id: str = Field(alias="ukId")
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    nonce: str | None = None


class SubscribeResponse(_RegistryModel):
    status: SubscriberStatus


class OnSubscribeRequest(_RegistryModel):
    """What the registry posts to `{url}/on_subscribe`: a challenge sealed to the subscriber's
    encryption key (see `comptoir.kernel.beckn.challenge`)."""

    subscriber_id: str
    status: SubscriberStatus | None = None
    challenge: str


class OnSubscribeResponse(_RegistryModel):
    answer: str


class RegistryError(Exception):
    """The registry refused a call or could not be reached."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(f"{status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


class RegistryClient:
    """Calls a registry at `registry_url` (e.g. `https://node.example/registry`)."""

    def __init__(self, registry_url: str, sender: BecknSender) -> None:
        self.registry_url = registry_url.rstrip("/")
        self.sender = sender

    async def lookup(self, request: LookupRequest) -> list[Subscription]:
        body = request.model_dump_json(exclude_none=True, by_alias=True).encode()
        delivery = await self.sender.send(f"{self.registry_url}/lookup", body)
        if delivery.status_code != 200:
            raise RegistryError(delivery.status_code, delivery.body.decode(errors="replace"))
        return SUBSCRIPTIONS.validate_json(delivery.body)

    async def subscribe(self, request: SubscribeRequest) -> SubscribeResponse:
        body = request.model_dump_json(exclude_none=True, by_alias=True).encode()
        delivery = await self.sender.send(
            f"{self.registry_url}/subscribe", body, timeout_seconds=30
        )
        if delivery.status_code != 200:
            raise RegistryError(delivery.status_code, delivery.body.decode(errors="replace"))
        return SubscribeResponse.model_validate_json(delivery.body)


class RegistryKeySource:
    """A `KeySource` that asks the registry and caches its answers.

    A key found in the cache is used while fresh and inside its validity window; a miss (or a
    key the cache holds but cannot use now) asks the registry again, so a rotated-in key works
    at once and a revoked one stops working within `cache_seconds`.
    """

    def __init__(
        self,
        client: RegistryClient,
        *,
        clock: Clock = system_clock,
        cache_seconds: float = DEFAULT_CACHE_SECONDS,
        miss_pause_seconds: float = DEFAULT_MISS_PAUSE_SECONDS,
    ) -> None:
        self.client = client
        self.clock = clock
        self.cache_seconds = cache_seconds
        self.miss_pause_seconds = miss_pause_seconds
        self._keys: dict[tuple[str, str], tuple[SubscriberKey | None, float]] = {}

    def forget(self, subscriber_id: str | None = None) -> None:
        if subscriber_id is None:
            self._keys.clear()
            return
        for cached in [entry for entry in self._keys if entry[0] == subscriber_id]:
            del self._keys[cached]

    async def signing_key(self, subscriber_id: str, unique_key_id: str) -> SubscriberKey | None:
        entry = (subscriber_id, unique_key_id)
        cached = self._keys.get(entry)
        now = time.monotonic()
        if cached is not None:
            key, fetched = cached
            if key is None and now - fetched < self.miss_pause_seconds:
                return None
            if (
                key is not None
                and now - fetched < self.cache_seconds
                and key.refusal(self.clock.now()) is None
            ):
                return key
        found = await self.client.lookup(
            LookupRequest(subscriber_id=subscriber_id, unique_key_id=unique_key_id)
        )
        key = _matching(found, subscriber_id, unique_key_id)
        self._keys[entry] = (key, now)
        return key


def _matching(
    found: Sequence[Subscription], subscriber_id: str, unique_key_id: str
) -> SubscriberKey | None:
    for subscription in found:
        if (
            subscription.subscriber_id == subscriber_id
            and subscription.unique_key_id == unique_key_id
        ):
            return subscription.key()
    return None
