"""The registry's tables: people, businesses, sign-in codes, sessions, method locks, passkeys.

Only the registry's service modules read or write them; other parts use the records and
functions of `comptoir.identity.registry.service` (or, from another block, `identity.interfaces`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base


class Person(Base):
    """A person in the registry: one per phone number and per national id number."""

    __tablename__ = "identity_person"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    birthdate: Mapped[date]
    national_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(8))
    # Who enrolled the person: "self", or the agent's "person:<uuid>".
    enrolled_by: Mapped[str] = mapped_column(String(200))
    # Set when the operator makes the person a registry agent (assisted enrolment).
    agent_since: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Business(Base):
    """A business (micro-enterprises count), owned by a person; verified before credentials."""

    __tablename__ = "identity_business"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    registration_number: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_person.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    sector: Mapped[str] = mapped_column(String(100))
    # Voluntary, for inclusion statistics: None means "not said".
    women_owned: Mapped[bool | None]
    youth_owned: Mapped[bool | None]
    created_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]
    verified_by: Mapped[str | None] = mapped_column(String(200))


class OneTimeCode(Base):
    """The code last sent to a phone (only its HMAC), the wrong codes counted since, and the
    codes sent in the current window."""

    __tablename__ = "identity_one_time_code"

    phone: Mapped[str] = mapped_column(String(16), primary_key=True)
    purpose: Mapped[str | None] = mapped_column(String(16))
    code_digest: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    failures: Mapped[int]
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    window_started_at: Mapped[datetime | None]
    sent_in_window: Mapped[int] = mapped_column(server_default=text("0"))


class PersonSession(Base):
    """A signed-in person's session; the cookie carries its id, signed with the node's secret."""

    __tablename__ = "identity_session"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_person.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    authenticated_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class MethodLock(Base):
    """A way of signing in that the person has locked (as MOSIP residents can)."""

    __tablename__ = "identity_method_lock"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_person.id"), primary_key=True)
    method: Mapped[str] = mapped_column(String(16), primary_key=True)
    locked_at: Mapped[datetime]


class Passkey(Base):
    """A WebAuthn credential registered by a person: the second, stronger way in."""

    __tablename__ = "identity_passkey"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_person.id"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary())
    sign_count: Mapped[int]
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
