"""The SMS outbox's table: every message handed to the gateway (or to the demo's console)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base

SENT: Final = "sent"  # handed to the gateway (the console adapter only keeps it)
FAILED: Final = "failed"


class SmsMessage(Base):
    __tablename__ = "sms_message"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # The outbox event it came from: a redelivered event finds its message and sends no second.
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    recipient: Mapped[str] = mapped_column(String(16), index=True)
    body: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
