"""DPoP proofs (RFC 9449): making them (a client) and checking them (a server).

A proof is a JWT of type `dpop+jwt`, signed with ES256 by the key whose public part it carries
in its `jwk` header; it names the HTTP method (`htm`) and URL (`htu`) it is for, when it was
made (`iat`), a unique `jti`, and, when it goes with an access token, the token's hash (`ath`).
Whether a `jti` was seen before is the server's storage to know: `verify_dpop_proof` returns it
for the caller to record.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto import JoseError, Jwk, import_jwk, issue_jwt, verify_jws

DPOP_TYPE: Final = "dpop+jwt"
DPOP_ALGORITHM: Final = "ES256"
# A proof is made for one request: a minute covers a slow phone link, and the jti store need
# only remember that long.
DEFAULT_MAX_AGE_SECONDS: Final = 60
DEFAULT_FUTURE_LEEWAY_SECONDS: Final = 10


class DpopError(Exception):
    """A DPoP proof was not accepted; the message says why (it goes to the client)."""


@dataclass(frozen=True)
class DpopProof:
    """A checked proof: the thumbprint of its key (`jkt`), its `jti` and when it was made."""

    jkt: str
    jti: str
    issued_at: int


def access_token_hash(access_token: str) -> str:
    """The `ath` of an access token: base64url(SHA-256(ASCII(token)))."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def normalised_htu(url: str) -> str:
    """The URL a proof is compared on: no query, no fragment, scheme and host in lower case
    (RFC 9449 section 4.3, item 9)."""
    parts = urlsplit(url)
    netloc = parts.netloc.lower()
    scheme = parts.scheme.lower()
    # A default port means the same URL as no port.
    for default in ((":80", "http"), (":443", "https")):
        if netloc.endswith(default[0]) and scheme == default[1]:
            netloc = netloc.removesuffix(default[0])
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


@functools.lru_cache(maxsize=64)
def _endpoint_htu(url: str) -> tuple[str, bool]:
    """The normalised URL of an endpoint a proof is made for or checked at (the caller's own
    few URLs, never a proof's), and whether normalising it again changes nothing, so that a
    proof's `htu` equal to it needs no normalising of its own: the same answer for less work."""
    normalised = normalised_htu(url)
    return normalised, normalised_htu(normalised) == normalised


def make_dpop_proof(
    key: Jwk,
    *,
    method: str,
    url: str,
    access_token: str | None = None,
    nonce: str | None = None,
    public_jwk: Mapping[str, object] | None = None,
    clock: Clock = system_clock,
) -> str:
    """A proof for one request with `key` (a private P-256 key). `public_jwk`, its public
    members, may be passed by a caller that keeps them, to save working them out each time."""
    claims: dict[str, object] = {
        "jti": secrets.token_urlsafe(16),
        "htm": method.upper(),
        "htu": _endpoint_htu(url)[0],
    }
    if access_token is not None:
        claims["ath"] = access_token_hash(access_token)
    if nonce is not None:
        claims["nonce"] = nonce
    return issue_jwt(
        claims,
        key,
        ttl_seconds=None,
        typ=DPOP_TYPE,
        algorithm=DPOP_ALGORITHM,
        headers={"jwk": dict(public_jwk) if public_jwk is not None else key.public().to_dict()},
        include_kid=False,
        clock=clock,
    )


def verify_dpop_proof(
    proof: str,
    *,
    method: str,
    url: str,
    access_token: str | None = None,
    max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS,
    future_leeway_seconds: int = DEFAULT_FUTURE_LEEWAY_SECONDS,
    clock: Clock = system_clock,
) -> DpopProof:
    """Check everything RFC 9449 section 4.3 asks but the replay of `jti` (the caller's store).

    `access_token`, when given (at a resource), must be what the proof's `ath` hashes.
    """
    jkt, claims = _signed_claims(proof)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 8 <= len(jti) <= 200:
        raise DpopError("the proof needs a jti of 8 to 200 characters")
    if claims.get("htm") != method.upper():
        raise DpopError(f"the proof is for another HTTP method (htm is not {method.upper()})")
    htu = claims.get("htu")
    expected, stable = _endpoint_htu(url)
    if not isinstance(htu, str) or (
        not (stable and htu == expected) and normalised_htu(htu) != expected
    ):
        raise DpopError("the proof is for another URL (htu)")
    issued_at = _issued_at(claims, clock, max_age_seconds, future_leeway_seconds)
    ath = claims.get("ath")
    if access_token is not None and (
        not isinstance(ath, str) or ath != access_token_hash(access_token)
    ):
        raise DpopError("the proof's ath does not match the access token")
    return DpopProof(jkt=jkt, jti=jti, issued_at=issued_at)


@functools.lru_cache(maxsize=4096)
def _proof_key(members: str) -> tuple[Jwk, str]:
    """The key a proof carries, with its thumbprint. A client signs every proof with the same
    key, and reading a JWK costs more than checking a signature with it, so the keys last seen
    are kept, by their exact members (a key that does not read is not kept)."""
    key = import_jwk(members)
    return key, key.thumbprint()


@functools.lru_cache(maxsize=4096)
def _header_key(segment: str) -> tuple[Jwk, str]:
    """The key a proof's header carries, with its thumbprint, after the header's checks. A
    client's proofs all carry one header, so the answer is kept by the header's exact text
    (a header refused is not kept: the error is raised each time)."""
    header = _header(segment)
    if header.get("typ") != DPOP_TYPE:
        raise DpopError("the proof's typ must be dpop+jwt")
    if header.get("alg") != DPOP_ALGORITHM:
        raise DpopError("the proof must be signed with ES256")
    members = header.get("jwk")
    if not isinstance(members, dict):
        raise DpopError("the proof carries no public key (jwk) in its header")
    if "d" in members:
        raise DpopError("the proof's jwk header must not hold a private key")
    try:
        return _proof_key(json.dumps(members, sort_keys=True))
    except JoseError as error:
        raise DpopError(f"the proof's signature is not valid ({error.detail})") from None


def _signed_claims(proof: str) -> tuple[str, dict[str, object]]:
    key, thumbprint = _header_key(proof.split(".", 1)[0])
    try:
        verified = verify_jws(proof, key, algorithms=[DPOP_ALGORITHM], typ=DPOP_TYPE)
    except JoseError as error:
        raise DpopError(f"the proof's signature is not valid ({error.detail})") from None
    try:
        claims = json.loads(verified.payload)
    except (ValueError, RecursionError):
        raise DpopError("the proof's claims are not JSON") from None
    if not isinstance(claims, dict):
        raise DpopError("the proof's claims must be a JSON object")
    return thumbprint, claims


def _issued_at(
    claims: dict[str, object], clock: Clock, max_age_seconds: int, future_leeway_seconds: int
) -> int:
    issued_at = claims.get("iat")
    if (
        isinstance(issued_at, bool)
        or not isinstance(issued_at, int | float)
        or not math.isfinite(issued_at)
    ):
        raise DpopError("the proof needs an iat that is a number")
    now = clock.now().timestamp()
    if issued_at > now + future_leeway_seconds:
        raise DpopError("the proof was made in the future (iat)")
    if issued_at < now - max_age_seconds:
        raise DpopError("the proof is too old (iat)")
    return int(issued_at)


def _header(segment: str) -> dict[str, object]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        header = json.loads(raw)
    except (ValueError, RecursionError):
        raise DpopError("the proof is not a JWT") from None
    if not isinstance(header, dict):
        raise DpopError("the proof's header is not a JSON object")
    return header
