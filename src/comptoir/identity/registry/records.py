"""What the registry hands out: plain frozen records, never its table rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

OTP: Final = "otp"
PASSKEY: Final = "passkey"
METHODS: Final = (OTP, PASSKEY)
"""The ways a person signs in; each can be locked by the person."""


@dataclass(frozen=True)
class PersonRecord:
    id: uuid.UUID
    name: str
    phone: str  # E.164
    birthdate: date
    national_id: str | None
    locale: str
    created_at: datetime
    is_agent: bool = False


@dataclass(frozen=True)
class BusinessRecord:
    id: uuid.UUID
    name: str
    registration_number: str
    sector: str
    address: str
    women_owned: bool | None
    youth_owned: bool | None
    verified_at: datetime | None
    owner_name: str
    owner_id: uuid.UUID | None = None
    created_at: datetime | None = None
