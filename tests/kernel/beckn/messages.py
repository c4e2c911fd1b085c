"""Builders of Beckn v2.0 messages and signing identities for the protocol-layer tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from comptoir.kernel.beckn import BecknIdentity, SubscriberKey, SubscriberType
from comptoir.kernel.clock import Clock, system_clock

BAP_ID = "bap.example.test"
BAP_URI = "http://bap.example.test/beckn"
BPP_ID = "bpp.example.test"
BPP_URI = "http://bpp.example.test/beckn"


def identity(
    subscriber_id: str, unique_key_id: str = "k1", clock: Clock = system_clock
) -> BecknIdentity:
    return BecknIdentity(subscriber_id, unique_key_id, Ed25519PrivateKey.generate(), clock)


def key_of(
    who: BecknIdentity, type_: SubscriberType, url: str = "", **changes: Any
) -> SubscriberKey:
    return SubscriberKey(
        subscriber_id=who.subscriber_id,
        unique_key_id=who.unique_key_id,
        signing_public_key=who.signing_public_key,
        type=type_,
        url=url,
        **changes,
    )


def context(action: str, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "version": "2.0.0",
        "action": action,
        "domain": "retail",
        "location": {"city": {"code": "std:castries"}, "country": {"code": "LCA"}},
        "bapId": BAP_ID,
        "bapUri": BAP_URI,
        "bppId": BPP_ID,
        "bppUri": BPP_URI,
        "transactionId": str(uuid.uuid4()),
        "messageId": str(uuid.uuid4()),
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "ttl": "PT30S",
    }
    document.update(changes)
    return {name: value for name, value in document.items() if value is not None}


def catalog(bpp_id: str = BPP_ID, bpp_uri: str = BPP_URI) -> dict[str, Any]:
    return {
        "id": "catalog-1",
        "bppId": bpp_id,
        "bppUri": bpp_uri,
        "descriptor": {"name": "Market stall"},
        "provider": {"id": "stall-1", "descriptor": {"name": "Marie's stall"}},
        "resources": [
            {"id": "mango", "descriptor": {"name": "Julie mango", "shortDesc": "Ripe, sweet"}}
        ],
        "offers": [{"id": "offer-mango", "resourceIds": ["mango"]}],
    }


def contract(*, with_id: bool = True) -> dict[str, Any]:
    document: dict[str, Any] = {
        "commitments": [
            {
                "status": {"descriptor": {"code": "DRAFT"}},
                "resources": [{"id": "mango", "quantity": {"count": 2}}],
                "offer": {"id": "offer-mango", "resourceIds": ["mango"]},
            }
        ]
    }
    if with_id:
        document["id"] = str(uuid.uuid4())
    return document


def message_payload(action: str) -> dict[str, Any]:
    """A minimal valid `message` for each action."""
    if action == "discover":
        return {"intent": {"textSearch": "mango"}}
    if action == "on_discover":
        return {"catalogs": [catalog()]}
    if action in {"track", "on_track"}:
        return {"tracking": {"url": "http://bpp.example.test/track/1", "status": "ACTIVE"}}
    if action == "rate":
        return {"ratingInputs": [{"target": {"id": "order-1"}, "range": {"min": 1, "max": 5}}]}
    if action == "on_rate":
        return {"ratings": [{"target": {"id": "order-1"}, "range": {"min": 1, "max": 5}}]}
    if action in {"support", "on_support"}:
        return {"support": {"orderId": "order-1", "descriptor": {"name": "Late delivery"}}}
    if action == "catalog/publish":
        return {"catalogs": [catalog()]}
    if action == "catalog/on_publish":
        return {"results": [{"catalogId": "catalog-1", "status": "ACCEPTED"}]}
    return {"contract": contract()}


def message(action: str, **context_changes: Any) -> dict[str, Any]:
    changes = dict(context_changes)
    if action in {"discover", "on_discover"}:
        changes.setdefault("bppId", None)
        changes.setdefault("bppUri", None)
    if action in {"catalog/publish", "catalog/on_publish"}:
        changes.setdefault("bapId", None)
        changes.setdefault("bapUri", None)
    return {"context": context(action, **changes), "message": message_payload(action)}
