"""The buyer app's tables, prefixed `buyer_`.

A search is one `discover` (its message id is the row's id); the catalogues that seller
platforms send back (`on_discover`) become result rows. An order is one Beckn transaction with
one seller: a cart first, then select, init, confirm and what follows; its id is the Beckn
transaction id. Shoppers are anonymous, known by a cookie (`shopper` holds its digest).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from comptoir.kernel.db import Base

SUBSCRIBER_ID = 200
URL = 500
STATE = 20


class BuyerApp(Base):
    """The buyer app on this node: one Beckn BAP."""

    __tablename__ = "buyer_app"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    subscriber_id: Mapped[str] = mapped_column(String(SUBSCRIBER_ID), unique=True)
    unique_key_id: Mapped[str] = mapped_column(String(100))
    registry_url: Mapped[str] = mapped_column(String(URL))
    gateway_url: Mapped[str] = mapped_column(String(URL))
    created_at: Mapped[datetime]


class Search(Base):
    __tablename__ = "buyer_search"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("buyer_app.id"))
    words: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    place: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    deadline: Mapped[datetime]


class Result(Base):
    """One item offered by one seller in answer to a search."""

    __tablename__ = "buyer_result"
    __table_args__ = (Index(None, "search_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    search_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyer_search.id"))
    bpp_id: Mapped[str] = mapped_column(String(SUBSCRIBER_ID))
    bpp_uri: Mapped[str] = mapped_column(String(URL))
    provider_id: Mapped[str] = mapped_column(String(64))
    provider_name: Mapped[str] = mapped_column(String(200))
    verified: Mapped[bool]
    city: Mapped[str] = mapped_column(String(100))
    resource_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    price: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    available: Mapped[int]
    # The seller sells it to adults only: ordering it needs an "age over 18" credential.
    age_restricted: Mapped[bool] = mapped_column(server_default=false())
    received_at: Mapped[datetime]


class BuyerOrder(Base):
    __tablename__ = "buyer_order"
    __table_args__ = (Index(None, "shopper"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("buyer_app.id"))
    shopper: Mapped[str] = mapped_column(String(64))
    bpp_id: Mapped[str] = mapped_column(String(SUBSCRIBER_ID))
    bpp_uri: Mapped[str] = mapped_column(String(URL))
    provider_id: Mapped[str] = mapped_column(String(64))
    provider_name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(STATE))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    quote: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    contract_id: Mapped[str | None] = mapped_column(String(64))
    fulfilment: Mapped[str | None] = mapped_column(String(STATE))
    payment_method: Mapped[str | None] = mapped_column(String(STATE))
    buyer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What the shopper typed in the checkout form and has not sent yet (kept when they switch
    # language or the form is refused, so no phone or address ever rides in a URL); cleared
    # once the details are sent.
    checkout_draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    payment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    seller_state: Mapped[str | None] = mapped_column(String(STATE))
    error_code: Mapped[str | None] = mapped_column(String(16))
    error_message: Mapped[str | None] = mapped_column(Text)
    pending_action: Mapped[str | None] = mapped_column(String(STATE))
    last_message_id: Mapped[uuid.UUID | None]
    rating: Mapped[int | None]
    support: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    tracking: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
