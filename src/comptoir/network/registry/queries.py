"""The registry's reads: subscribers with their keys, a key as receivers judge it, and the
Beckn registry API's `lookup` (SUBSCRIBED entries unless a status is asked for)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Mapped, Session

from comptoir.kernel.beckn import LookupRequest, Subscription
from comptoir.kernel.beckn import SubscriberKey as KeyView
from comptoir.kernel.clock import Clock
from comptoir.kernel.errors import Problem
from comptoir.kernel.i18n import lazy
from comptoir.network.errors import SUBSCRIBER_UNKNOWN
from comptoir.network.models import Subscriber, SubscriberKey


@dataclass(frozen=True)
class SubscriberView:
    subscriber: Subscriber
    keys: tuple[SubscriberKey, ...]


def get(session: Session, subscriber_id: str) -> SubscriberView:
    subscriber = subscriber_row(session, subscriber_id)
    return SubscriberView(subscriber, tuple(key_rows(session, subscriber_id)))


def list_subscribers(session: Session) -> list[SubscriberView]:
    subscribers = session.scalars(select(Subscriber).order_by(Subscriber.subscriber_id)).all()
    keys: dict[str, list[SubscriberKey]] = {}
    for key in session.scalars(select(SubscriberKey).order_by(SubscriberKey.valid_from)):
        keys.setdefault(key.subscriber_id, []).append(key)
    return [SubscriberView(s, tuple(keys.get(s.subscriber_id, ()))) for s in subscribers]


def find_key(session: Session, subscriber_id: str, unique_key_id: str) -> KeyView | None:
    """A key as receivers judge it: a revoked key reads as UNSUBSCRIBED."""
    row = session.execute(
        select(SubscriberKey, Subscriber)
        .join(Subscriber, Subscriber.subscriber_id == SubscriberKey.subscriber_id)
        .where(
            SubscriberKey.subscriber_id == subscriber_id,
            SubscriberKey.unique_key_id == unique_key_id,
        )
    ).first()
    if row is None:
        return None
    key, subscriber = row
    return _view(subscriber, key)


def _view(subscriber: Subscriber, key: SubscriberKey) -> KeyView:
    return KeyView(
        subscriber_id=subscriber.subscriber_id,
        unique_key_id=key.unique_key_id,
        signing_public_key=key.signing_public_key,
        type=subscriber.type,  # type: ignore[arg-type]
        url=subscriber.url,
        status="UNSUBSCRIBED" if key.revoked_at is not None else subscriber.status,  # type: ignore[arg-type]
        valid_from=key.valid_from,
        valid_until=key.valid_until,
        encryption_public_key=key.encryption_public_key,
        domain=subscriber.domain,
        city=subscriber.city,
        country=subscriber.country,
    )


def lookup(session: Session, *, clock: Clock, request: LookupRequest) -> list[Subscription]:
    """The registry's `lookup`: one entry per unexpired, unrevoked key of each match."""
    query = select(Subscriber, SubscriberKey).join(
        SubscriberKey, SubscriberKey.subscriber_id == Subscriber.subscriber_id
    )
    query = query.where(
        Subscriber.status == (request.status or "SUBSCRIBED"),
        SubscriberKey.revoked_at.is_(None),
        SubscriberKey.valid_until > clock.now(),
    )
    if request.subscriber_id is not None:
        query = query.where(Subscriber.subscriber_id == request.subscriber_id)
    if request.type is not None:
        query = query.where(Subscriber.type == request.type)
    if request.domain is not None:
        query = query.where(Subscriber.domain.in_([request.domain, "*"]))
    if request.city is not None:
        query = query.where(_place(Subscriber.city, request.city))
    if request.country is not None:
        query = query.where(_place(Subscriber.country, request.country))
    if request.unique_key_id is not None:
        query = query.where(SubscriberKey.unique_key_id == request.unique_key_id)
    query = query.order_by(Subscriber.subscriber_id, SubscriberKey.valid_from)
    return [_subscription(subscriber, key) for subscriber, key in session.execute(query)]


def _place(column: Mapped[str | None], value: str) -> ColumnElement[bool]:
    # A subscriber without a city (or with "*") serves every city.
    return or_(column.is_(None), column.in_([value, "*"]))


def _subscription(subscriber: Subscriber, key: SubscriberKey) -> Subscription:
    return Subscription(
        subscriber_id=subscriber.subscriber_id,
        url=subscriber.url,
        type=subscriber.type,
        domain=subscriber.domain,
        city=subscriber.city,
        country=subscriber.country,
        signing_public_key=key.signing_public_key,
        encr_public_key=key.encryption_public_key,
        unique_key_id=key.unique_key_id,
        valid_from=key.valid_from,
        valid_until=key.valid_until,
        status=subscriber.status,
        created=subscriber.created_at,
        updated=subscriber.updated_at,
    )


def sellers_serving(
    session: Session,
    *,
    clock: Clock,
    domain: str | None,
    city: str | None,
    country: str | None,
) -> list[Subscription]:
    """The SUBSCRIBED seller platforms of a domain and place, one entry each."""
    found = lookup(
        session,
        clock=clock,
        request=LookupRequest(type="BPP", domain=domain, city=city, country=country),
    )
    seen: dict[str, Subscription] = {}
    for subscription in found:
        seen.setdefault(subscription.subscriber_id, subscription)
    return list(seen.values())


def subscriber_row(session: Session, subscriber_id: str) -> Subscriber:
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise Problem(SUBSCRIBER_UNKNOWN, lazy("{id} is not in the registry.", id=subscriber_id))
    return subscriber


def key_rows(session: Session, subscriber_id: str) -> Sequence[SubscriberKey]:
    return session.scalars(
        select(SubscriberKey)
        .where(SubscriberKey.subscriber_id == subscriber_id)
        .order_by(SubscriberKey.valid_from)
    ).all()
