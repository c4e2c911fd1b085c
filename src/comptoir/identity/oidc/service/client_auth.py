"""Client authentication by `private_key_jwt` (OIDC Core 9, RFC 7523), as FAPI 2.0 asks.

The assertion is an ES256 JWT signed by a key the client registered, with `iss` = `sub` =
client_id, an `aud` that is this issuer's identifier as a single string (FAPI 2.0 Security
Profile 5.3.2.1: the provider "shall only accept its issuer identifier value ... as a string in
the aud claim", which shuts out an assertion made for another server's endpoint), an `exp` in
the near future and a `jti` never seen before.

At the token endpoint `client_id` may be left out: the assertion names the client (RFC 6749
section 4.1.3, RFC 7521 section 4.2); when present, it must be the same client.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from comptoir.identity.oidc.errors import OAuthError
from comptoir.identity.oidc.provider import Provider, RegisteredClient
from comptoir.identity.oidc.service.replay import OneTimeUse
from comptoir.kernel.crypto import DEFAULT_LEEWAY_SECONDS, JoseError, VerifiedJwt, verify_jwt
from comptoir.kernel.db import Database
from comptoir.kernel.oidc import CLIENT_ASSERTION_TYPE

# An assertion is made for one call; one that claims to live longer is not a one-time proof.
MAX_ASSERTION_LIFETIME_SECONDS = 300


@dataclass(frozen=True)
class ClientAssertion:
    """A client authenticated by its signed assertion; its `jti` is still to be recorded (in
    the request's write transaction, with the request's other one-time identifiers)."""

    client: RegisteredClient
    one_time: OneTimeUse


def check_client_assertion(
    database: Database, form: Mapping[str, str], *, provider: Provider, endpoint: str
) -> ClientAssertion:
    """Everything about the assertion but its replay: done before any write transaction is
    opened, so the signature check holds no lock."""
    if "client_secret" in form:
        raise OAuthError("invalid_client", "client secrets are not accepted; use private_key_jwt")
    if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
        raise OAuthError(
            "invalid_client", "authenticate with private_key_jwt (client_assertion_type)"
        )
    assertion = form.get("client_assertion", "")
    client_id = form.get("client_id")
    if client_id is None and endpoint == "token":
        client_id = _named_client(assertion)
    client = provider.client_of(database, client_id or "")
    if client is None:
        raise OAuthError("invalid_client", "the client is not registered")
    verified = _verified(assertion, client, provider=provider)
    claims = verified.claims
    if claims.get("sub") != client.id:
        raise OAuthError("invalid_client", "the client assertion's sub is not the client_id")
    jti = claims.get("jti")
    expires = claims.get("exp")
    if not isinstance(jti, str) or not jti or len(jti) > 200:
        raise OAuthError("invalid_client", "the client assertion has no jti")
    assert isinstance(expires, int | float)  # verify_jwt required and checked it
    now = provider.clock.now()
    if expires - now.timestamp() > MAX_ASSERTION_LIFETIME_SECONDS:
        raise OAuthError("invalid_client", "the client assertion lives too long (exp)")
    until = datetime.fromtimestamp(expires, UTC) + timedelta(seconds=DEFAULT_LEEWAY_SECONDS)
    return ClientAssertion(client, OneTimeUse("client_assertion", client.id, jti, until))


def _named_client(assertion: str) -> str:
    """The client an assertion says it comes from (its `iss`), read before its signature is
    checked only to find the keys to check it with."""
    payload = assertion.split(".")[1] if assertion.count(".") == 2 else ""
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, RecursionError):
        return ""
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) else ""


def _verified(assertion: str, client: RegisteredClient, *, provider: Provider) -> VerifiedJwt:
    try:
        verified = verify_jwt(
            assertion,
            client.keys,
            algorithms=["ES256"],
            issuer=client.id,
            audience=provider.issuer,
            typ=None,
            clock=provider.clock,
        )
    except JoseError as error:
        raise OAuthError(
            "invalid_client", f"the client assertion is not valid: {error.detail}"
        ) from None
    if not isinstance(verified.claims.get("aud"), str):
        raise OAuthError(
            "invalid_client", "the client assertion's aud must be the issuer, as a single string"
        )
    return verified
