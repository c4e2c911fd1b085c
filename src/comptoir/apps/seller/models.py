"""The seller platform's tables, prefixed `seller_`.

One node can host several platforms (each a Beckn BPP with its own subscriber id and key);
each platform hosts many micro-businesses, each with its items and orders. Prices are BIGINT
minor units in the item's currency; stock is never negative (a CHECK backs the conditional
UPDATE that confirms an order).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from comptoir.kernel.db import Base

PLATFORM_ID = 32
SUBSCRIBER_ID = 200
URL = 500
STATE = 20


class Platform(Base):
    """A seller platform on this node: one Beckn BPP."""

    __tablename__ = "seller_platform"

    id: Mapped[str] = mapped_column(String(PLATFORM_ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    subscriber_id: Mapped[str] = mapped_column(String(SUBSCRIBER_ID), unique=True)
    unique_key_id: Mapped[str] = mapped_column(String(100))
    registry_url: Mapped[str] = mapped_column(String(URL))
    gateway_url: Mapped[str] = mapped_column(String(URL))
    currency: Mapped[str] = mapped_column(String(3))
    service_fee: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class Business(Base):
    """A micro-business selling on a platform."""

    __tablename__ = "seller_business"
    __table_args__ = (
        UniqueConstraint("platform_id", "slug"),
        UniqueConstraint("platform_id", "phone"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    platform_id: Mapped[str] = mapped_column(ForeignKey("seller_platform.id"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    payment_alias: Mapped[str | None] = mapped_column(String(128))
    cash_on_delivery: Mapped[bool]
    pickup: Mapped[bool]
    delivery: Mapped[bool]
    delivery_fee: Mapped[int] = mapped_column(BigInteger)
    return_days: Mapped[int]
    # The identity block's "registered business" credential, once presented; `verified` is
    # set only when a verifier accepted it (see service/verification.py).
    credential: Mapped[str | None] = mapped_column(Text)
    verified: Mapped[bool]
    created_at: Mapped[datetime]


class Item(Base):
    """Something a business sells: a product or a service."""

    __tablename__ = "seller_item"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price > 0", name="price_positive"),
        Index(None, "business_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    business_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("seller_business.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    price: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    stock: Mapped[int]
    returnable: Mapped[bool]
    variants: Mapped[list[str]] = mapped_column(JSON)
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)
    active: Mapped[bool]
    # Sold to adults only: buyer apps ask for an "age over 18" credential before ordering it.
    age_restricted: Mapped[bool] = mapped_column(server_default=false())
    updated_at: Mapped[datetime]


class Order(Base):
    """An order from a buyer app: a draft at init, then confirmed and fulfilled."""

    __tablename__ = "seller_order"
    __table_args__ = (
        Index(None, "business_id"),
        Index(None, "platform_id", "transaction_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    platform_id: Mapped[str] = mapped_column(ForeignKey("seller_platform.id"))
    business_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("seller_business.id"))
    transaction_id: Mapped[str] = mapped_column(String(64))
    bap_id: Mapped[str] = mapped_column(String(SUBSCRIBER_ID))
    bap_uri: Mapped[str] = mapped_column(String(URL))
    state: Mapped[str] = mapped_column(String(STATE))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fulfilment: Mapped[str] = mapped_column(String(STATE))
    payment_method: Mapped[str] = mapped_column(String(STATE))
    total: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    buyer: Mapped[dict[str, Any]] = mapped_column(JSON)
    rating: Mapped[int | None]
    feedback: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SignIn(Base):
    """The one-time code last sent to a phone at a platform, the count of wrong codes since,
    and the codes sent in the current window. Kept per phone, not per business, so that a
    number without a shop is counted and held back exactly like one with."""

    __tablename__ = "seller_signin"

    platform_id: Mapped[str] = mapped_column(ForeignKey("seller_platform.id"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), primary_key=True)
    code_digest: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None]
    failures: Mapped[int]
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    code_sent_at: Mapped[datetime | None]
    window_started_at: Mapped[datetime | None]
    sent_in_window: Mapped[int] = mapped_column(server_default=text("0"))


class OwnerSession(Base):
    """A signed-in business owner (the cookie holds the token; this row its digest)."""

    __tablename__ = "seller_session"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    business_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("seller_business.id"))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
