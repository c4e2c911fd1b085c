"""The provider as the routes, pages and commands see it: its issuer identifier, endpoints,
signing keys and pairwise secret, and a cache of the clients' public keys."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from sqlalchemy import Connection, Row, bindparam, select
from sqlalchemy.orm import Session

from comptoir.identity.oidc.keys import (
    SigningKeys,
    keyring_marker,
    load_or_create_pairwise_secret,
    read_signing_keys,
)
from comptoir.identity.oidc.models import OidcClient
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import Jwk, SignedHere, import_jwks
from comptoir.kernel.db import Database, connection_of
from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.settings import Settings

logger = logging.getLogger(__name__)
Verified = TypeVar("Verified")

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
# How often a process looks (one stat of the keyring file) whether `comptoir identity keys`
# changed the signing keys. A rotation needs no haste: until a process notices it, it signs
# with the replaced key, which stays published and accepted. A retirement after a leak does:
# for this long a process may still accept the retired key. Five seconds is small beside the
# five minutes relying parties may cache the JWKS, and a stat every five seconds costs nothing;
# the sign-in path itself only compares two numbers. The JWKS endpoint, and a check of the
# provider's own token that failed, look at once, so a key another process already signs
# with is never missing from the JWKS nor refused by this one.
KEYS_CHECK_SECONDS: Final = 5.0


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
    # Whether it registered for signed userinfo answers (application/jwt) rather than JSON.
    signed_userinfo: bool

    @classmethod
    def of(cls, row: OidcClient | Row[tuple[object, ...]]) -> RegisteredClient:
        return cls(
            id=row.id,
            name=row.name,
            purpose=row.purpose,
            redirect_uris=tuple(row.redirect_uris),
            post_logout_redirect_uris=tuple(row.post_logout_redirect_uris),
            scopes=row.scopes,
            sector=row.sector,
            keys=tuple(key for key in import_jwks(row.jwks) if key.allows("ES256")),
            signed_userinfo=row.userinfo_signed_response_alg is not None,
        )


class SigningKeysWatch:
    """The signing keys as this process knows them, read again when the keyring changed."""

    def __init__(self, settings: Settings, *, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self._marker = keyring_marker(settings)
        self._keys = read_signing_keys(settings)
        self._checked_at = clock.now().timestamp()
        self._lock = threading.Lock()

    @property
    def keys(self) -> SigningKeys:
        since = self._clock.now().timestamp() - self._checked_at
        # A clock set back would otherwise postpone the check for as long as it went back.
        if 0 <= since < KEYS_CHECK_SECONDS:
            return self._keys
        self.check(wait=False)
        return self._keys

    def check(self, *, wait: bool = True) -> bool:
        """Look now; read the keys again if the keyring changed. True when they changed."""
        if not self._lock.acquire(blocking=wait):
            return False  # another thread is looking
        try:
            self._checked_at = self._clock.now().timestamp()
            marker = keyring_marker(self._settings)
            if marker == self._marker:
                return False
            try:
                keys = read_signing_keys(self._settings)
            except ConfigurationError as error:
                # Keep signing with the keys known; look again when the keyring changes.
                logger.error("the OpenID provider keeps its signing keys: %s", error)
                self._marker = marker
                return False
            self._marker = marker
            changed = keys.kids != self._keys.kids
            self._keys = keys
            return changed
        finally:
            self._lock.release()


@dataclass
class Provider:
    issuer: str
    signing_keys: SigningKeysWatch
    pairwise_secret: bytes
    clock: Clock
    # The access tokens this process signed lately: one that comes back to userinfo here
    # needs no second signature check (see kernel.crypto.signed_here).
    access_tokens_signed: SignedHere = field(default_factory=SignedHere)
    _clients: dict[str, tuple[float, RegisteredClient]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def for_settings(cls, settings: Settings, *, clock: Clock) -> Provider:
        return cls(
            issuer=issuer_of(settings),
            signing_keys=SigningKeysWatch(settings, clock=clock),
            pairwise_secret=load_or_create_pairwise_secret(settings),
            clock=clock,
        )

    def url(self, endpoint: str) -> str:
        return self.issuer + ENDPOINTS[endpoint]

    @property
    def signing_key(self) -> Jwk:
        return self.signing_keys.keys.current.key

    @property
    def public_keys(self) -> tuple[Jwk, ...]:
        """The published keys, the current one first: what the provider's own tokens are
        checked with."""
        return self.signing_keys.keys.public_keys

    def published_keys(self) -> tuple[Jwk, ...]:
        """The same, after looking at the keyring now: for the JWKS endpoint, rarely asked."""
        self.signing_keys.check()
        return self.public_keys

    def verify_own(
        self,
        verify: Callable[[tuple[Jwk, ...]], Verified],
        refused: type[Exception] | tuple[type[Exception], ...],
    ) -> Verified:
        """`verify(public_keys)`; should it raise `refused`, once more if the keyring changed
        meanwhile: another process may already sign with a key this one has not read yet."""
        try:
            return verify(self.public_keys)
        except refused:
            if not self.signing_keys.check():
                raise
        return verify(self.public_keys)

    def client(self, session: Session | Connection, client_id: str) -> RegisteredClient | None:
        """The registered client with this id, or None; read (when not cached) in the caller's
        transaction, its session or its Core connection."""
        if not client_id or len(client_id) > 64:
            return None
        cached = self._cached_client(client_id)
        if cached is not None:
            return cached
        row = connection_of(session).execute(_CLIENT, {"client_id": client_id}).first()
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
            return self.client(session, client_id)

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


# What a `RegisteredClient` is made of, built once.
_CLIENT: Final = select(
    OidcClient.id,
    OidcClient.name,
    OidcClient.purpose,
    OidcClient.redirect_uris,
    OidcClient.post_logout_redirect_uris,
    OidcClient.scopes,
    OidcClient.sector,
    OidcClient.jwks,
    OidcClient.userinfo_signed_response_alg,
).where(OidcClient.id == bindparam("client_id"))


def issuer_of(settings: Settings) -> str:
    """The issuer identifier: the node's public URL without a trailing slash."""
    return settings.base_url.rstrip("/")
