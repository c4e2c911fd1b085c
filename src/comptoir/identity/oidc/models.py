"""The OpenID provider's tables: relying parties, pushed requests, codes, access tokens, consents,
releases of attributes, and the one-time identifiers (jti) seen recently.

Persons are referred to by their id only: the registry owns them. Secrets (codes, tokens) are
kept as SHA-256 hashes, so a copy of the database issues nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.kernel.db import Base


class OidcClient(Base):
    """A relying party the operator registered, with what it may ask for and why."""

    __tablename__ = "identity_oidc_client"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON())
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON())
    jwks: Mapped[dict[str, Any]]
    scopes: Mapped[str] = mapped_column(String(500))
    sector: Mapped[str] = mapped_column(String(255))
    # OpenID Connect Registration 1.0: "ES256" for a signed userinfo answer; None for the
    # claims as a JSON object, the default of OpenID Connect Core 1.0 section 5.3.2.
    userinfo_signed_response_alg: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]


class PushedRequest(Base):
    """An authorization request pushed by a client (RFC 9126), then the person's way through
    sign-in and consent. `handle` is the secret part of its request_uri."""

    __tablename__ = "identity_oidc_request"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    handle_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), ForeignKey("identity_oidc_client.id"))
    parameters: Mapped[dict[str, Any]]
    expires_at: Mapped[datetime]
    # Set when the request_uri is used at the authorization endpoint: it cannot be used again.
    person_id: Mapped[uuid.UUID | None]
    used_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class AuthorizationCode(Base):
    __tablename__ = "identity_oidc_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), ForeignKey("identity_oidc_client.id"))
    person_id: Mapped[uuid.UUID]
    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_oidc_consent.id"))
    grant: Mapped[dict[str, Any]]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AccessToken(Base):
    """An access token issued (a JWT; its `jti` is the key), kept to revoke it."""

    __tablename__ = "identity_oidc_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    client_id: Mapped[str] = mapped_column(String(64), ForeignKey("identity_oidc_client.id"))
    person_id: Mapped[uuid.UUID]
    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_oidc_consent.id"))
    userinfo_claims: Mapped[list[str]] = mapped_column(JSON())
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Consent(Base):
    """One version of a person's consent to a client: the claims it asked, those granted.

    A new version is written when a request asks for claims no earlier version covered; the
    newest version is the one in force, unless it is revoked.
    """

    __tablename__ = "identity_oidc_consent"
    __table_args__ = (UniqueConstraint("person_id", "client_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    client_id: Mapped[str] = mapped_column(String(64), ForeignKey("identity_oidc_client.id"))
    version: Mapped[int] = mapped_column(Integer)
    claims_asked: Mapped[list[str]] = mapped_column(JSON())
    claims_granted: Mapped[list[str]] = mapped_column(JSON())
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Release(Base):
    """One release of a person's attributes to a client: who, when, which claims (no values)."""

    __tablename__ = "identity_oidc_release"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    client_id: Mapped[str] = mapped_column(String(64), ForeignKey("identity_oidc_client.id"))
    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_oidc_consent.id"))
    channel: Mapped[str] = mapped_column(String(16))
    claims: Mapped[list[str]] = mapped_column(JSON())
    released_at: Mapped[datetime]


class SeenIdentifier(Base):
    """A one-time identifier (the jti of a DPoP proof or a client assertion) until it expires;
    a second insert of the same key is a replay."""

    __tablename__ = "identity_oidc_seen_jti"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
