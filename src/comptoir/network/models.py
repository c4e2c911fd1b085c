"""The network block's tables, prefixed `network_`: the registry's subscribers and their keys,
and the gateway's index of published catalogues."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base

SUBSCRIBER_ID = 255
KEY_ID = 128
URL = 500
PUBLIC_KEY = 200
CODE = 64
STATUS = 24


class Subscriber(Base):
    """A participant of the network: a buyer app (BAP), a seller platform (BPP) or a gateway
    (BG), in one domain, with the URL its Beckn actions are served under."""

    __tablename__ = "network_subscriber"

    subscriber_id: Mapped[str] = mapped_column(String(SUBSCRIBER_ID), primary_key=True)
    type: Mapped[str] = mapped_column(String(3))
    url: Mapped[str] = mapped_column(String(URL))
    domain: Mapped[str] = mapped_column(String(CODE))
    city: Mapped[str | None] = mapped_column(String(CODE))
    country: Mapped[str | None] = mapped_column(String(CODE))
    status: Mapped[str] = mapped_column(String(STATUS))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SubscriberKey(Base):
    """One key pair of a subscriber: signing (Ed25519) and encryption (X25519) public keys,
    valid from `valid_from` until `valid_until`, unless revoked."""

    __tablename__ = "network_key"
    __table_args__ = (UniqueConstraint("subscriber_id", "unique_key_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subscriber_id: Mapped[str] = mapped_column(
        String(SUBSCRIBER_ID), ForeignKey("network_subscriber.subscriber_id")
    )
    unique_key_id: Mapped[str] = mapped_column(String(KEY_ID))
    signing_public_key: Mapped[str] = mapped_column(String(PUBLIC_KEY))
    encryption_public_key: Mapped[str | None] = mapped_column(String(PUBLIC_KEY))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    proven_at: Mapped[datetime | None]  # when it answered the on_subscribe challenge
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Catalog(Base):
    """A catalogue a seller platform published to the gateway's index (without its items)."""

    __tablename__ = "network_catalog"
    __table_args__ = (UniqueConstraint("bpp_id", "catalog_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    bpp_id: Mapped[str] = mapped_column(String(SUBSCRIBER_ID))
    bpp_uri: Mapped[str] = mapped_column(String(URL))
    catalog_id: Mapped[str] = mapped_column(String(SUBSCRIBER_ID))
    domain: Mapped[str | None] = mapped_column(String(CODE))
    city: Mapped[str | None] = mapped_column(String(CODE))
    country: Mapped[str | None] = mapped_column(String(CODE))
    header: Mapped[dict[str, Any]]  # the catalogue's members other than resources and offers
    published_at: Mapped[datetime]


class CatalogItem(Base):
    """One resource of a published catalogue, with the offers that cover it and the lowercased
    text that discover searches (name, descriptions, category codes)."""

    __tablename__ = "network_catalog_item"
    __table_args__ = (Index("ix_network_catalog_item_catalog_id", "catalog_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    catalog_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("network_catalog.id", ondelete="CASCADE")
    )
    resource_id: Mapped[str] = mapped_column(String(SUBSCRIBER_ID))
    search_text: Mapped[str] = mapped_column(Text)
    resource: Mapped[dict[str, Any]]
    offers: Mapped[list[Any]] = mapped_column(JSON)
