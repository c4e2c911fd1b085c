"""Relying parties: registered by the operator with their redirect URIs, keys, scopes and
purpose; listed; looked up by the protocol endpoints."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.identity.oidc.domain import SUPPORTED_SCOPES, parse_scopes, redirect_uri_problem
from comptoir.identity.oidc.models import OidcClient
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import JoseError, import_jwks

MAX_REDIRECT_URIS = 10


class ClientRegistrationError(ValueError):
    """The registration is refused; `field` names what to fix, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ClientView:
    client_id: str
    name: str
    purpose: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    sector: str
    key_ids: tuple[str, ...]
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "name": self.name,
            "purpose": self.purpose,
            "redirect_uris": list(self.redirect_uris),
            "post_logout_redirect_uris": list(self.post_logout_redirect_uris),
            "scopes": " ".join(self.scopes),
            "sector_identifier": self.sector,
            "key_ids": list(self.key_ids),
            "token_endpoint_auth_method": "private_key_jwt",
            "created_at": self.created_at.isoformat(),
        }


def add_client(
    session: Session,
    *,
    name: str,
    redirect_uris: Sequence[str],
    jwks: dict[str, Any],
    scopes: str,
    purpose: str = "",
    post_logout_redirect_uris: Sequence[str] = (),
    sector: str | None = None,
    actor: str,
    clock: Clock,
) -> ClientView:
    """Register a relying party; anything wrong is a `ClientRegistrationError` and nothing is
    written."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ClientRegistrationError("name", "the name must have 1 to 200 characters")
    if sector is not None and len(sector.strip()) > 255:
        raise ClientRegistrationError("sector", "the sector must have at most 255 characters")
    uris = _checked_uris(redirect_uris, "redirect_uri", required=True)
    logout_uris = _checked_uris(post_logout_redirect_uris, "post_logout_redirect_uri")
    requested = parse_scopes(scopes)
    unknown = [scope for scope in requested if scope not in SUPPORTED_SCOPES]
    if unknown:
        raise ClientRegistrationError(
            "scopes",
            f"the scope {unknown[0]!r} is not offered (choose among {' '.join(SUPPORTED_SCOPES)})",
        )
    if "openid" not in requested:
        raise ClientRegistrationError("scopes", "the scopes must include openid")
    try:
        keys = [key for key in import_jwks(jwks) if key.allows("ES256") and not key.is_private]
    except JoseError as error:
        raise ClientRegistrationError("jwks", f"the JWKS is not valid ({error.detail})") from None
    if any(key.is_private for key in import_jwks(jwks)):
        raise ClientRegistrationError("jwks", "the JWKS holds a private key: send the public one")
    if not keys:
        raise ClientRegistrationError("jwks", "the JWKS holds no public ES256 (P-256) key")
    client_id = secrets.token_urlsafe(16)
    row = OidcClient(
        id=client_id,
        name=name,
        purpose=purpose.strip(),
        redirect_uris=list(uris),
        post_logout_redirect_uris=list(logout_uris),
        jwks={"keys": [key.to_dict() for key in keys]},
        scopes=" ".join(requested),
        sector=(sector or "").strip() or f"client:{client_id}",
        created_at=clock.now(),
    )
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="identity.oidc.client_added",
        subject=f"oidc-client:{client_id}",
        details={"name": name, "redirect_uris": list(uris), "scopes": row.scopes},
        clock=clock,
    )
    return _view(row)


def list_clients(session: Session) -> list[ClientView]:
    rows = session.scalars(select(OidcClient).order_by(OidcClient.created_at)).all()
    return [_view(row) for row in rows]


def find_client(session: Session, client_id: str) -> OidcClient | None:
    if not client_id or len(client_id) > 64:
        return None
    return session.get(OidcClient, client_id)


def _checked_uris(uris: Sequence[str], field: str, *, required: bool = False) -> tuple[str, ...]:
    cleaned: list[str] = []
    for given in uris:
        uri = given.strip()
        if not uri or uri in cleaned:
            continue
        problem = redirect_uri_problem(uri)
        if problem is not None:
            raise ClientRegistrationError(field, f"{uri} cannot be registered: {problem}")
        if len(uri) > 500:
            raise ClientRegistrationError(field, f"{uri[:40]}... is longer than 500 characters")
        cleaned.append(uri)
    if required and not cleaned:
        raise ClientRegistrationError(field, "register at least one redirect URI")
    if len(cleaned) > MAX_REDIRECT_URIS:
        raise ClientRegistrationError(field, f"register at most {MAX_REDIRECT_URIS} URIs")
    return tuple(cleaned)


def _view(row: OidcClient) -> ClientView:
    keys = row.jwks.get("keys", [])
    return ClientView(
        client_id=row.id,
        name=row.name,
        purpose=row.purpose,
        redirect_uris=tuple(row.redirect_uris),
        post_logout_redirect_uris=tuple(row.post_logout_redirect_uris),
        scopes=parse_scopes(row.scopes),
        sector=row.sector,
        key_ids=tuple(str(key.get("kid", "")) for key in keys if isinstance(key, dict)),
        created_at=row.created_at,
    )
