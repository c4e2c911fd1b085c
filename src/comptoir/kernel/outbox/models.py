"""The outbox's tables, and the event as a handler receives it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base

PENDING: Final = "pending"
DELIVERED: Final = "delivered"
DEAD: Final = "dead"

LAST_ERROR_LENGTH: Final = 500


class OutboxEventRecord(Base):
    """An event as stored, written in the transaction of the change that caused it."""

    __tablename__ = "kernel_outbox_event"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(200), index=True)
    key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class OutboxDelivery(Base):
    """One event handed to one handler: pending until delivered, or dead after too many tries."""

    __tablename__ = "kernel_outbox_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "handler"),
        CheckConstraint(f"status IN ('{PENDING}', '{DELIVERED}', '{DEAD}')", name="status"),
        # The relay's claim looks for due pending deliveries.
        Index("ix_kernel_outbox_delivery_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # CASCADE lets old events be pruned with their deliveries.
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("kernel_outbox_event.id", ondelete="CASCADE")
    )
    handler: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    # Counted when claimed, not when finished: a handler that kills its process every time
    # must still run out of attempts.
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    # Which claim holds the lease: a relay that overran its lease (and saw the delivery claimed
    # by another) must not overwrite the newer claim's outcome.
    lease_token: Mapped[uuid.UUID | None]
    last_error: Mapped[str | None] = mapped_column(String(LAST_ERROR_LENGTH))
    delivered_at: Mapped[datetime | None]


class InboxReceipt(Base):
    """A consumer has applied an event; replays of that event find the receipt and skip."""

    __tablename__ = "kernel_inbox_receipt"

    consumer: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    processed_at: Mapped[datetime]


@dataclass(frozen=True)
class OutboxEvent:
    """What a handler receives."""

    id: uuid.UUID
    topic: str
    key: str | None
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Claim:
    """A delivery leased to a relay (by a claim, or at publishing for an immediate send)."""

    delivery_id: uuid.UUID
    handler: str
    attempts: int
    event: OutboxEvent


Handler = Callable[[OutboxEvent], None]
"""Applies an event. It may be called again for the same event (after a crash): make it
idempotent with `processed_once`."""
