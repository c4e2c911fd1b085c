"""Signing people in from a server-rendered app: the client's key and id on disk, and the
pending authorization request sealed in a cookie.

Between sending the browser to the provider and its return, a relying party must remember the
request's `state`, `nonce`, PKCE verifier and the DPoP key the provider bound the code to (at
the pushed request). Keeping them in a cookie sealed with AES-256-GCM (under a key derived from
the node's secret and the cookie's purpose) binds them to that browser, needs no table, and
hides the verifier and the key from anyone who sees the cookie: it is encrypted, not only
signed. The cookie lives ten minutes, and the callback deletes it, so it serves once.

An app's client, as its operator registers it with the provider: a private ES256 key in a file
(mode 0600), its public JWKS next to it (what the provider's operator registers), and the
`client_id` the provider gave, recorded in the same file.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto import JoseError, Jwk, generate_jwk, import_jwk, jwks_document
from comptoir.kernel.oidc.client import RelyingParty
from comptoir.kernel.oidc.exchanges import AuthorizationStart, OidcError

PENDING_LIFETIME_SECONDS: Final = 600
# For an app that finds its customer's account by phone: the claims request marking the phone
# number essential, so the provider's consent page does not let the person untick it.
PHONE_NUMBER_NEEDED: Final[Mapping[str, object]] = {
    "userinfo": {"phone_number": {"essential": True}}
}
_NONCE_BYTES: Final = 12


@dataclass(frozen=True)
class ClientFile:
    """Where an app keeps one OpenID client: `<stem>.oidc.json` (private) and
    `<stem>.oidc-jwks.json` (the public JWKS to register)."""

    private_path: Path
    public_path: Path

    @classmethod
    def under(cls, keys_dir: Path, stem: str) -> ClientFile:
        return cls(keys_dir / f"{stem}.oidc.json", keys_dir / f"{stem}.oidc-jwks.json")

    def ensure_key(self) -> Jwk:
        """The client's private key, made on first use; the public JWKS is (re)written."""
        document = self._read()
        if document is None:
            key = generate_jwk("P-256")
            self.private_path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump({"key": dict(key.to_dict(private=True)), "client_id": None}, handle)
        else:
            key = _key_of(document)
        self.public_path.write_text(
            json.dumps(jwks_document([key.public()]), indent=2) + "\n", encoding="utf-8"
        )
        return key

    def record_client_id(self, client_id: str) -> None:
        key = self.ensure_key()
        document = {"key": dict(key.to_dict(private=True)), "client_id": client_id}
        temporary = self.private_path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle)
        temporary.replace(self.private_path)

    def registration(self) -> tuple[str, Jwk] | None:
        """The client_id and private key, once the client is registered; else None."""
        document = self._read()
        if document is None or not isinstance(document.get("client_id"), str):
            return None
        return str(document["client_id"]), _key_of(document)

    def _read(self) -> dict[str, object] | None:
        try:
            document = json.loads(self.private_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        if not isinstance(document, dict):
            raise OidcError("invalid_client", f"{self.private_path} is not a client file")
        return document


def _key_of(document: dict[str, object]) -> Jwk:
    members = document.get("key")
    if not isinstance(members, dict):
        raise OidcError("invalid_client", "the client file holds no key")
    try:
        key = import_jwk(members)
    except JoseError:
        raise OidcError("invalid_client", "the client file holds no usable key") from None
    if not key.is_private:
        raise OidcError("invalid_client", "the client file holds no private key")
    return key


@dataclass(frozen=True)
class PendingSignIn:
    """What the callback needs of the request it answers."""

    start: AuthorizationStart
    dpop_key: Jwk
    issued_at: int


def _cipher(secret: bytes, purpose: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"comptoir.oidc.pending",
        info=purpose.encode(),
    ).derive(secret)
    return AESGCM(key)


def seal_pending(pending: PendingSignIn, *, secret: bytes, purpose: str) -> str:
    """The pending request as an opaque cookie value (AES-256-GCM, the purpose as AAD)."""
    payload = {
        "url": pending.start.authorization_url,
        "state": pending.start.state,
        "nonce": pending.start.nonce,
        "verifier": pending.start.code_verifier,
        "dpop": dict(pending.dpop_key.to_dict(private=True)),
        "iat": pending.issued_at,
    }
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = _cipher(secret, purpose).encrypt(
        nonce, json.dumps(payload, separators=(",", ":")).encode(), purpose.encode()
    )
    return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")


def open_pending(
    value: str | None, *, secret: bytes, purpose: str, clock: Clock = system_clock
) -> PendingSignIn | None:
    """The pending request in a cookie, or None when it is missing, forged, for another
    purpose or older than ten minutes."""
    if not value or len(value) > 4000:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        opened = _cipher(secret, purpose).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], purpose.encode()
        )
        payload = json.loads(opened)
        issued_at = int(payload["iat"])
        start = AuthorizationStart(
            authorization_url=str(payload["url"]),
            state=str(payload["state"]),
            nonce=str(payload["nonce"]),
            code_verifier=str(payload["verifier"]),
        )
        dpop_key = import_jwk(payload["dpop"])
    except (ValueError, KeyError, TypeError, InvalidTag, JoseError):
        return None
    now = int(clock.now().timestamp())
    if not issued_at <= now + 30 or now - issued_at > PENDING_LIFETIME_SECONDS:
        return None
    return PendingSignIn(start=start, dpop_key=dpop_key, issued_at=issued_at)


def begin_sign_in(
    *,
    issuer: str,
    client_id: str,
    client_key: Jwk,
    redirect_uri: str,
    scope: str,
    http: httpx.Client,
    clock: Clock = system_clock,
    ui_locales: str | None = None,
    claims: Mapping[str, object] | None = None,
) -> PendingSignIn:
    """Push the authorization request (PAR, private_key_jwt, PKCE S256, DPoP) with a fresh
    DPoP key, and return what to keep until the browser comes back. `ui_locales`: the language
    the person reads here, for the provider's pages to speak it too; `claims`: the OpenID
    `claims` request (Core 5.5), to mark what the app cannot work without as essential."""
    relying_party = RelyingParty(
        issuer=issuer,
        client_id=client_id,
        redirect_uri=redirect_uri,
        client_key=client_key,
        http=http,
        clock=clock,
    )
    start = relying_party.begin(
        scope=scope, claims=claims, extra={"ui_locales": ui_locales} if ui_locales else None
    )
    return PendingSignIn(
        start=start, dpop_key=relying_party.dpop_key, issued_at=int(clock.now().timestamp())
    )


def finish_sign_in(
    pending: PendingSignIn,
    callback_url: str,
    *,
    issuer: str,
    client_id: str,
    client_key: Jwk,
    redirect_uri: str,
    http: httpx.Client,
    clock: Clock = system_clock,
) -> dict[str, object]:
    """Check the authorization response (`iss`, `state`), exchange the code with the same
    DPoP key, verify the ID token, and return the verified userinfo claims."""
    relying_party = RelyingParty(
        issuer=issuer,
        client_id=client_id,
        redirect_uri=redirect_uri,
        client_key=client_key,
        http=http,
        dpop_key=pending.dpop_key,
        clock=clock,
    )
    tokens = relying_party.finish(pending.start, callback_url)
    return relying_party.userinfo(tokens)
