"""The credential issuer's tables: issued credentials (never their values), status lists,
credential offers with their pre-authorized codes and access tokens, and one-time nonces.

Codes, tokens and nonces are stored as SHA-256 digests, so a copy of the database lets nobody
redeem them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base


class StatusListRow(Base):
    """One status list: `size` one-bit statuses; its token is built from the credentials."""

    __tablename__ = "identity_credential_status_list"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int]
    created_at: Mapped[datetime]


class CredentialRow(Base):
    """A credential the issuer signed: what kind, for whom, its status slot, and its end."""

    __tablename__ = "identity_credential"
    __table_args__ = (UniqueConstraint("status_list_id", "status_index"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(40))
    business_id: Mapped[uuid.UUID | None]
    # The holder key's RFC 7638 thumbprint: it tells the person which device holds it.
    holder_thumbprint: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    status_list_id: Mapped[int]
    status_index: Mapped[int]
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(20))


class OfferRow(Base):
    """A credential offer: its pre-authorized code, then the access token it was exchanged for."""

    __tablename__ = "identity_credential_offer"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(40))
    business_id: Mapped[uuid.UUID | None]
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64))
    tx_code_failures: Mapped[int]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    credential_id: Mapped[uuid.UUID | None]


class NonceRow(Base):
    """A `c_nonce` handed out by the nonce endpoint; a proof may use it once."""

    __tablename__ = "identity_credential_nonce"

    value_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
