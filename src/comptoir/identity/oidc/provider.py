"""The provider as the routes, pages and commands see it: its issuer identifier, endpoints,
signing key and pairwise secret, and a cache of the clients' public keys."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy.orm import Session

from comptoir.identity.oidc.models import OidcClient
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import Jwk, import_jwks
from comptoir.kernel.db import Database
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
# Registrations are not changed in place by the node; should an operator change one in the
# database (new keys, say), each process takes it up within this time: reading a JWKS costs
# more than checking a signature with it, so a snapshot is kept that long.
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
        cached = self._cached_client(client_id)
        if cached is not None:
            return cached
        row = session.get(OidcClient, client_id)
        return None if row is None else self._remember(RegisteredClient.of(row))

    def client_of(self, database: Database, client_id: str) -> RegisteredClient | None:
        """The same, read (when not cached) without a write transaction: for the checks made
        before one is opened."""
        if not client_id or len(client_id) > 64:
            return None
        cached = self._cached_client(client_id)
        if cached is not None:
            return cached
        with database.reading() as session:
            row = session.get(OidcClient, client_id)
            return None if row is None else self._remember(RegisteredClient.of(row))

    def _cached_client(self, client_id: str) -> RegisteredClient | None:
        cached = self._clients.get(client_id)
        if cached is None:
            return None
        expires, snapshot = cached
        left = expires - self.clock.now().timestamp()
        # A clock set back would otherwise keep the snapshot for as long as it went back.
        if 0 < left <= CLIENT_CACHE_SECONDS:
            return snapshot
        return None

    def _remember(self, snapshot: RegisteredClient) -> RegisteredClient:
        expires = self.clock.now().timestamp() + CLIENT_CACHE_SECONDS
        with self._lock:
            if len(self._clients) > 10_000:
                self._clients.clear()
            self._clients[snapshot.id] = (expires, snapshot)
        return snapshot


def issuer_of(settings: Settings) -> str:
    """The issuer identifier: the node's public URL without a trailing slash."""
    return settings.base_url.rstrip("/")
