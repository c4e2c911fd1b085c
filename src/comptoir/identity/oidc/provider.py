"""The provider as the routes, pages and commands see it: its issuer identifier, endpoints,
signing key and pairwise secret, and a cache of the clients' public keys."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy.orm import Session

from comptoir.identity.oidc.models import OidcClient
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import Jwk, import_jwks
from comptoir.kernel.settings import Settings

PREFIX: Final = "/identity/oidc"
ENDPOINTS: Final[dict[str, str]] = {
    "par": f"{PREFIX}/par",
    "authorize": f"{PREFIX}/authorize",
    "resume": f"{PREFIX}/authorize/resume",
    "token": f"{PREFIX}/token",
    "userinfo": f"{PREFIX}/userinfo",
    "jwks": f"{PREFIX}/jwks",
    "logout": f"{PREFIX}/logout",
    "consent": f"{PREFIX}/consent",
}
CODE_SECONDS: Final = 60
REQUEST_URI_SECONDS: Final = 90
# Once the person reached the consent screen, they get this long to decide.
CONSENT_SECONDS: Final = 600
ACCESS_TOKEN_SECONDS: Final = 600
ID_TOKEN_SECONDS: Final = 300
# Registrations are never changed in place, so a snapshot can be kept a little while; reading
# a JWKS costs more than checking a signature with it.
CLIENT_CACHE_SECONDS: Final = 30.0


@dataclass(frozen=True)
class RegisteredClient:
    """What the protocol endpoints need of a registration, with its keys already read."""

    id: str
    name: str
    purpose: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    scopes: str
    sector: str
    keys: tuple[Jwk, ...]

    @classmethod
    def of(cls, row: OidcClient) -> RegisteredClient:
        return cls(
            id=row.id,
            name=row.name,
            purpose=row.purpose,
            redirect_uris=tuple(row.redirect_uris),
            post_logout_redirect_uris=tuple(row.post_logout_redirect_uris),
            scopes=row.scopes,
            sector=row.sector,
            keys=tuple(key for key in import_jwks(row.jwks) if key.allows("ES256")),
        )


@dataclass
class Provider:
    issuer: str
    signing_key: Jwk
    pairwise_secret: bytes
    clock: Clock
    _clients: dict[str, tuple[float, RegisteredClient]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _public_keys: tuple[Jwk, ...] = ()

    def __post_init__(self) -> None:
        self._public_keys = (self.signing_key.public(),)

    @classmethod
    def for_settings(cls, settings: Settings, *, clock: Clock) -> Provider:
        from comptoir.identity.oidc.keys import (
            load_or_create_pairwise_secret,
            load_or_create_signing_key,
        )

        return cls(
            issuer=issuer_of(settings),
            signing_key=load_or_create_signing_key(settings),
            pairwise_secret=load_or_create_pairwise_secret(settings),
            clock=clock,
        )

    def url(self, endpoint: str) -> str:
        return self.issuer + ENDPOINTS[endpoint]

    @property
    def public_keys(self) -> tuple[Jwk, ...]:
        return self._public_keys

    def client(self, session: Session, client_id: str) -> RegisteredClient | None:
        """The registered client with this id, or None."""
        if not client_id or len(client_id) > 64:
            return None
        now = time.monotonic()
        cached = self._clients.get(client_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        row = session.get(OidcClient, client_id)
        if row is None:
            return None
        snapshot = RegisteredClient.of(row)
        with self._lock:
            if len(self._clients) > 10_000:
                self._clients.clear()
            self._clients[client_id] = (now + CLIENT_CACHE_SECONDS, snapshot)
        return snapshot


def issuer_of(settings: Settings) -> str:
    """The issuer identifier: the node's public URL without a trailing slash."""
    return settings.base_url.rstrip("/")
