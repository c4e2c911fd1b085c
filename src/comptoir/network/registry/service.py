"""The registry's use cases: subscribers, their keys and statuses (reads are in `queries`).

Statuses follow the Beckn registry API. A subscriber added by the operator (command line) is
INITIATED; one that subscribed through the protocol and answered the on_subscribe challenge is
UNDER_SUBSCRIPTION; either becomes SUBSCRIBED only when the operator approves it. Revoking makes
it UNSUBSCRIBED and revokes its keys, for good. Lookups list SUBSCRIBED entries unless a status
is asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.kernel import audit
from comptoir.kernel.beckn import (
    SUBSCRIBER_TYPES,
    SubscribeRequest,
)
from comptoir.kernel.beckn import SubscriberKey as KeyView
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import (
    KeyFormatError,
    ed25519_public_key_from_base64,
    x25519_public_key_from_base64,
)
from comptoir.kernel.errors import FieldError, Problem, json_pointer
from comptoir.kernel.i18n import N_, lazy
from comptoir.kernel.ids import new_id
from comptoir.network.errors import (
    KEY_EXISTS,
    KEY_UNKNOWN,
    SUBSCRIBER_EXISTS,
    SUBSCRIBER_INVALID,
    SUBSCRIBER_STATE,
)
from comptoir.network.models import Subscriber, SubscriberKey
from comptoir.network.registry.queries import find_key, key_rows, subscriber_row

DEFAULT_KEY_LIFETIME: Final = timedelta(days=365)
# After a rotation the old key keeps working this long, so messages signed just before the
# switch (and retries of them) still pass; then it is refused.
ROTATION_OVERLAP: Final = timedelta(hours=1)
# Subscriber ids are FQDNs, optionally with a path (ONDC's "example.com/ondc").
_SUBSCRIBER_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_:/]{0,254}")
_KEY_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_:]{0,127}")
_CODE: Final = re.compile(r"[A-Za-z0-9*][A-Za-z0-9.\-_:*]{0,63}")


@dataclass(frozen=True)
class NewKey:
    unique_key_id: str
    signing_public_key: str
    encryption_public_key: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None


class StatusChange(Protocol):
    def __call__(
        self, session: Session, *, clock: Clock, subscriber_id: str, actor: str
    ) -> Subscriber: ...


def _invalid(pointer: str, detail: str, **params: object) -> Problem:
    return Problem(
        SUBSCRIBER_INVALID,
        lazy(detail, **params),
        errors=[FieldError(json_pointer(pointer), lazy(detail, **params))],
    )


def check_details(
    *, subscriber_id: str, type_: str, url: str, domain: str, city: str | None, country: str | None
) -> None:
    if not _SUBSCRIBER_ID.fullmatch(subscriber_id):
        raise _invalid(
            "subscriber_id", N_("A subscriber id is a domain name, like shop.example.org.")
        )
    if type_ not in SUBSCRIBER_TYPES:
        raise _invalid("type", N_("The type must be BAP, BPP or BG."))
    if not url.startswith(("http://", "https://")) or len(url) > 500 or " " in url:
        raise _invalid("url", N_("The address must be an http or https URL."))
    for name, value in (("domain", domain), ("city", city), ("country", country)):
        if value is not None and not _CODE.fullmatch(value):
            raise _invalid(
                name, N_("A domain, city or country is a short code, like retail or std:castries.")
            )


def check_key(key: NewKey) -> None:
    if not _KEY_ID.fullmatch(key.unique_key_id):
        raise _invalid("ukId", N_("A unique key id is letters, digits, dots, dashes or colons."))
    try:
        ed25519_public_key_from_base64(key.signing_public_key)
    except KeyFormatError:
        raise _invalid(
            "signing_public_key", N_("The signing public key must be an Ed25519 key in base64.")
        ) from None
    if key.encryption_public_key is not None:
        try:
            x25519_public_key_from_base64(key.encryption_public_key)
        except KeyFormatError:
            raise _invalid(
                "encr_public_key", N_("The encryption public key must be an X25519 key in base64.")
            ) from None
    if key.valid_from and key.valid_until and key.valid_until <= key.valid_from:
        raise _invalid("valid_until", N_("A key must stay valid for some time after it starts."))


def add_subscriber(
    session: Session,
    *,
    clock: Clock,
    subscriber_id: str,
    type_: str,
    url: str,
    domain: str,
    key: NewKey,
    actor: str,
    city: str | None = None,
    country: str | None = None,
    status: str = "INITIATED",
    proven: bool = False,
) -> Subscriber:
    check_details(
        subscriber_id=subscriber_id, type_=type_, url=url, domain=domain, city=city, country=country
    )
    check_key(key)
    if session.get(Subscriber, subscriber_id) is not None:
        raise Problem(SUBSCRIBER_EXISTS, lazy("{id} is already registered.", id=subscriber_id))
    now = clock.now()
    subscriber = Subscriber(
        subscriber_id=subscriber_id,
        type=type_,
        url=url.rstrip("/"),
        domain=domain,
        city=city,
        country=country,
        status=status,
        created_at=now,
        updated_at=now,
    )
    session.add(subscriber)
    session.flush()
    _store_key(session, now=now, subscriber_id=subscriber_id, key=key, proven=proven)
    audit.record(
        session,
        actor=actor,
        action="network.subscriber.added",
        subject=subscriber_id,
        details={"type": type_, "url": url, "domain": domain, "status": status,
                 "ukId": key.unique_key_id},
        clock=clock,
    )  # fmt: skip
    return subscriber


def add_key(
    session: Session,
    *,
    clock: Clock,
    subscriber_id: str,
    key: NewKey,
    actor: str,
    proven: bool = False,
    overlap: timedelta = ROTATION_OVERLAP,
) -> SubscriberKey:
    """Register a new key (a rotation): the subscriber's other live keys stop `overlap` after
    the new one starts."""
    check_key(key)
    subscriber = subscriber_row(session, subscriber_id)
    if subscriber.status == "UNSUBSCRIBED":
        raise Problem(SUBSCRIBER_STATE, lazy("{id} is revoked.", id=subscriber_id))
    now = clock.now()
    row = _store_key(session, now=now, subscriber_id=subscriber_id, key=key, proven=proven)
    for other in key_rows(session, subscriber_id):
        if other.id != row.id and other.revoked_at is None:
            other.valid_until = min(other.valid_until, row.valid_from + overlap)
    subscriber.updated_at = now
    audit.record(
        session,
        actor=actor,
        action="network.key.added",
        subject=subscriber_id,
        details={"ukId": key.unique_key_id, "valid_from": row.valid_from.isoformat()},
        clock=clock,
    )
    return row


def same_key(row: SubscriberKey, key: NewKey) -> bool:
    return (
        row.signing_public_key == key.signing_public_key
        and row.encryption_public_key == key.encryption_public_key
    )


def _store_key(
    session: Session, *, now: datetime, subscriber_id: str, key: NewKey, proven: bool
) -> SubscriberKey:
    existing = session.scalar(
        select(SubscriberKey).where(
            SubscriberKey.subscriber_id == subscriber_id,
            SubscriberKey.unique_key_id == key.unique_key_id,
        )
    )
    if existing is not None:
        raise Problem(
            KEY_EXISTS, lazy("The key {key} is already registered.", key=key.unique_key_id)
        )
    valid_from = key.valid_from or now
    row = SubscriberKey(
        id=new_id(),
        subscriber_id=subscriber_id,
        unique_key_id=key.unique_key_id,
        signing_public_key=key.signing_public_key,
        encryption_public_key=key.encryption_public_key,
        valid_from=valid_from,
        valid_until=key.valid_until or valid_from + DEFAULT_KEY_LIFETIME,
        proven_at=now if proven else None,
        revoked_at=None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def update_details(
    session: Session,
    *,
    clock: Clock,
    subscriber_id: str,
    url: str,
    domain: str,
    city: str | None,
    country: str | None,
    proven: bool,
    actor: str,
) -> Subscriber:
    """A subscriber's own update through `subscribe`: address, domain and place."""
    subscriber = subscriber_row(session, subscriber_id)
    check_details(
        subscriber_id=subscriber_id,
        type_=subscriber.type,
        url=url,
        domain=domain,
        city=city,
        country=country,
    )
    subscriber.url, subscriber.domain = url.rstrip("/"), domain
    subscriber.city, subscriber.country = city, country
    if proven and subscriber.status == "INITIATED":
        subscriber.status = "UNDER_SUBSCRIPTION"
    subscriber.updated_at = clock.now()
    audit.record(
        session,
        actor=actor,
        action="network.subscriber.updated",
        subject=subscriber_id,
        details={"url": url, "domain": domain, "status": subscriber.status},
        clock=clock,
    )
    return subscriber


def record_subscription(
    session: Session, *, clock: Clock, request: SubscribeRequest, key: NewKey, actor: str
) -> str:
    """Write what a proven `subscribe` asked: a new subscriber (UNDER_SUBSCRIPTION), or a known
    one's new key and details. Returns the subscriber's status."""
    subscription = request
    actor = f"subscriber:{actor}"
    existing = session.get(Subscriber, subscription.subscriber_id)
    if existing is None:
        created = add_subscriber(
            session,
            clock=clock,
            subscriber_id=subscription.subscriber_id,
            type_=subscription.type,
            url=subscription.url,
            domain=subscription.domain,
            city=subscription.city,
            country=subscription.country,
            key=key,
            actor=actor,
            status="UNDER_SUBSCRIPTION",
            proven=True,
        )
        return created.status
    if existing.status == "UNSUBSCRIBED":
        raise Problem(SUBSCRIBER_STATE, lazy("{id} is revoked.", id=existing.subscriber_id))
    if existing.type != subscription.type:
        raise Problem(
            SUBSCRIBER_INVALID,
            lazy("{id} is registered as a {type}.", id=existing.subscriber_id, type=existing.type),
        )
    known = find_key(session, subscription.subscriber_id, key.unique_key_id)
    if known is None:
        add_key(
            session,
            clock=clock,
            subscriber_id=subscription.subscriber_id,
            key=key,
            actor=actor,
            proven=True,
        )
    elif known.signing_public_key != key.signing_public_key or (
        known.encryption_public_key != key.encryption_public_key
    ):
        raise Problem(
            KEY_EXISTS,
            lazy("The key {key} is already registered.", key=key.unique_key_id),
        )
    updated = update_details(
        session,
        clock=clock,
        subscriber_id=subscription.subscriber_id,
        url=subscription.url,
        domain=subscription.domain,
        city=subscription.city,
        country=subscription.country,
        proven=True,
        actor=actor,
    )
    return updated.status


def vouching_refusal(key: KeyView, now: datetime) -> str | None:
    """Why a current key cannot vouch for a subscriber's new key (None when it can): any
    status but revoked, inside its window."""
    if key.status == "UNSUBSCRIBED":
        return f"the key {key.unique_key_id} of {key.subscriber_id} is revoked"
    if key.valid_from is not None and now < key.valid_from:
        return f"the key {key.unique_key_id} is not valid yet"
    if key.valid_until is not None and now >= key.valid_until:
        return f"the key {key.unique_key_id} is no longer valid"
    return None


def approve(session: Session, *, clock: Clock, subscriber_id: str, actor: str) -> Subscriber:
    subscriber = subscriber_row(session, subscriber_id)
    if subscriber.status == "UNSUBSCRIBED":
        raise Problem(
            SUBSCRIBER_STATE, lazy("{id} is revoked and cannot be approved.", id=subscriber_id)
        )
    previous = subscriber.status
    subscriber.status = "SUBSCRIBED"
    subscriber.updated_at = clock.now()
    audit.record(
        session,
        actor=actor,
        action="network.subscriber.approved",
        subject=subscriber_id,
        details={"from": previous},
        clock=clock,
    )
    return subscriber


def revoke(session: Session, *, clock: Clock, subscriber_id: str, actor: str) -> Subscriber:
    subscriber = subscriber_row(session, subscriber_id)
    now = clock.now()
    previous = subscriber.status
    subscriber.status = "UNSUBSCRIBED"
    subscriber.updated_at = now
    for key in key_rows(session, subscriber_id):
        if key.revoked_at is None:
            key.revoked_at = now
    audit.record(
        session,
        actor=actor,
        action="network.subscriber.revoked",
        subject=subscriber_id,
        details={"from": previous},
        clock=clock,
    )
    return subscriber


def revoke_key(
    session: Session, *, clock: Clock, subscriber_id: str, unique_key_id: str, actor: str
) -> SubscriberKey:
    """Revoke one key (a leaked one); the subscriber's other keys keep working."""
    for key in key_rows(session, subscriber_id):
        if key.unique_key_id == unique_key_id:
            if key.revoked_at is None:
                key.revoked_at = clock.now()
                audit.record(
                    session,
                    actor=actor,
                    action="network.key.revoked",
                    subject=subscriber_id,
                    details={"ukId": unique_key_id},
                    clock=clock,
                )
            return key
    raise Problem(KEY_UNKNOWN, lazy("{id} has no key {key}.", id=subscriber_id, key=unique_key_id))
