"""The provider as the routes, pages and commands see it: its issuer identifier, endpoints,
signing key and pairwise secret, and a cache of the clients' public keys."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Final

from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import Jwk, import_jwks
from comptoir.kernel.settings import Settings

PREFIX: Final = "/identity/oidc"
ENDPOINTS: Final[dict[str, str]] = {
    "par": f"{PREFIX}/par",
    "authorize": f"{PREFIX}/authorize",
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


@dataclass
class Provider:
    issuer: str
    signing_key: Jwk
    pairwise_secret: bytes
    clock: Clock
    _client_keys: dict[tuple[str, str], tuple[Jwk, ...]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

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
        return (self.signing_key.public(),)

    def client_keys(self, client_id: str, jwks: dict[str, Any]) -> tuple[Jwk, ...]:
        """The client's public keys, read once per registered JWKS (reading one costs more than
        checking a signature with it)."""
        fingerprint = json.dumps(jwks, sort_keys=True)
        cache_key = (client_id, fingerprint)
        keys = self._client_keys.get(cache_key)
        if keys is None:
            keys = tuple(key for key in import_jwks(jwks) if key.allows("ES256"))
            with self._lock:
                if len(self._client_keys) > 1000:
                    self._client_keys.clear()
                self._client_keys[cache_key] = keys
        return keys


def issuer_of(settings: Settings) -> str:
    """The issuer identifier: the node's public URL without a trailing slash."""
    return settings.base_url.rstrip("/")
