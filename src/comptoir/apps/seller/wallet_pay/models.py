"""A business's link to its wallet, and the request to pay made for each order."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base


class WalletLink(Base):
    """Where a business's wallet takes requests to pay, and the key to use there."""

    __tablename__ = "seller_wallet_link"

    business_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("seller_business.id"), primary_key=True
    )
    api_url: Mapped[str] = mapped_column(String(500))  # .../wallets/{institution}/api/v1
    # Both must be shown to the wallet (the key) or used to check it (the secret), so they
    # cannot be digests: they are sealed with a key file of the node's (`service.sealed`), so
    # that the database alone does not reveal them.
    api_key: Mapped[str] = mapped_column(String(400))
    webhook_secret: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class WalletPayment(Base):
    """The request to pay for one order: asking, pending, paid, declined, expired, failed."""

    __tablename__ = "seller_wallet_payment"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("seller_order.id"), primary_key=True)
    business_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("seller_business.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    payer: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
