"""The merchant API's tables: API keys (hashed) and the requests made with them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base

REFERENCE = 64
STATUS = 16


class MerchantApiKey(Base):
    """A merchant's API key: only its digest is kept; its webhook secret signs callbacks."""

    __tablename__ = "wallet_merchant_api_key"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_customer.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(24), unique=True)
    key_digest: Mapped[str] = mapped_column(String(64))
    # The wallet must sign with it, so it is kept as is (like any HMAC key held by a sender).
    webhook_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class MerchantRequest(Base):
    """A request to pay asked through the API, keyed by the merchant's own reference."""

    __tablename__ = "wallet_merchant_request"
    __table_args__ = (UniqueConstraint("customer_id", "reference"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("wallet_institution.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_customer.id"))
    api_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_merchant_api_key.id"))
    reference: Mapped[str] = mapped_column(String(REFERENCE))
    content_hash: Mapped[str] = mapped_column(String(64))
    asked_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_transaction_request.id"))
    callback_url: Mapped[str | None] = mapped_column(String(500))
    final_status: Mapped[str | None] = mapped_column(String(STATUS), index=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
