"""Checking what an OpenID provider signs: ID tokens, userinfo responses and access tokens.

All three are ES256 JWTs signed by a key in the provider's JWKS. The checks are those of
OpenID Connect Core 1.0 (sections 3.1.3.7 and 5.3.2) and RFC 9068 for access tokens, whose
`cnf.jkt` binds them to a DPoP key (RFC 9449 section 6).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from typing import Final

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto import JoseError, Jwk, SignedHere, verify_jwt

SIGNING_ALGORITHM: Final = "ES256"
ACCESS_TOKEN_TYPE: Final = "at+jwt"  # noqa: S105 (a media type, not a secret)
USERINFO_TYPE: Final = "JWT"
# Clocks of phones and small servers drift; the provider's own tokens live minutes.
LEEWAY_SECONDS: Final = 30


class TokenError(Exception):
    """A token from the provider was not accepted; the message says why."""


def verify_id_token(
    token: str,
    *,
    keys: Iterable[Jwk],
    issuer: str,
    client_id: str,
    nonce: str | None,
    clock: Clock = system_clock,
) -> dict[str, object]:
    """The claims of an ID token meant for `client_id`, after every check of OIDC Core 3.1.3.7."""
    try:
        verified = verify_jwt(
            token,
            list(keys),
            algorithms=[SIGNING_ALGORITHM],
            issuer=issuer,
            audience=client_id,
            typ="JWT",
            leeway_seconds=LEEWAY_SECONDS,
            clock=clock,
        )
    except JoseError as error:
        raise TokenError(f"the ID token is not valid: {error.detail}") from None
    claims = verified.claims
    _require_subject(claims, "ID token")
    if "iat" not in claims:
        raise TokenError("the ID token has no iat")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise TokenError("the ID token has several audiences but another authorised party")
    if nonce is not None:
        found = claims.get("nonce")
        if not isinstance(found, str) or not hmac.compare_digest(found, nonce):
            raise TokenError("the ID token's nonce is not the one sent")
    return claims


def verify_userinfo(
    token: str,
    *,
    keys: Iterable[Jwk],
    issuer: str,
    client_id: str,
    subject: str,
    clock: Clock = system_clock,
) -> dict[str, object]:
    """The claims of a signed userinfo response, whose `sub` must be the ID token's (5.3.2)."""
    try:
        verified = verify_jwt(
            token,
            list(keys),
            algorithms=[SIGNING_ALGORITHM],
            issuer=issuer,
            audience=client_id,
            typ=USERINFO_TYPE,
            require_expiry=False,
            leeway_seconds=LEEWAY_SECONDS,
            clock=clock,
        )
    except JoseError as error:
        raise TokenError(f"the userinfo response is not valid: {error.detail}") from None
    claims = verified.claims
    if claims.get("sub") != subject:
        raise TokenError("the userinfo response is about another subject")
    return claims


def userinfo_claims(text: str, *, subject: str) -> dict[str, object]:
    """The claims of a userinfo response sent as JSON (a client registered for no signed
    answer gets it straight from the provider, over TLS), whose `sub` must be the ID token's."""
    try:
        claims = json.loads(text)
    except (ValueError, RecursionError):
        raise TokenError("the userinfo response is not JSON") from None
    if not isinstance(claims, dict):
        raise TokenError("the userinfo response is not a JSON object")
    found = claims.get("sub")
    if not isinstance(found, str) or not hmac.compare_digest(found, subject):
        raise TokenError("the userinfo response is about another subject")
    return claims


def verify_access_token(
    token: str,
    *,
    keys: Iterable[Jwk],
    issuer: str,
    audience: str,
    clock: Clock = system_clock,
    signed_here: SignedHere | None = None,
) -> dict[str, object]:
    """The claims of a JWT access token (RFC 9068); its `cnf.jkt` is returned for the caller
    to compare with the DPoP proof's key. `signed_here`: the issuer's own record of the tokens
    it signed (see `kernel.crypto.signed_here`)."""
    try:
        verified = verify_jwt(
            token,
            list(keys),
            algorithms=[SIGNING_ALGORITHM],
            issuer=issuer,
            audience=audience,
            typ=ACCESS_TOKEN_TYPE,
            leeway_seconds=0,
            clock=clock,
            signed_here=signed_here,
        )
    except JoseError as error:
        raise TokenError(f"the access token is not valid: {error.detail}") from None
    claims = verified.claims
    _require_subject(claims, "access token")
    confirmation = claims.get("cnf")
    if not isinstance(confirmation, dict) or not isinstance(confirmation.get("jkt"), str):
        raise TokenError("the access token is not bound to a DPoP key (cnf.jkt)")
    if not isinstance(claims.get("jti"), str):
        raise TokenError("the access token has no jti")
    return claims


def _require_subject(claims: dict[str, object], what: str) -> None:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise TokenError(f"the {what} has no subject (sub)")
