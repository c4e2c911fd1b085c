"""Client authentication by `private_key_jwt` (OIDC Core 9, RFC 7523), as FAPI 2.0 asks.

The assertion is an ES256 JWT signed by a key the client registered, with `iss` = `sub` =
client_id, an `aud` that is this issuer (or the endpoint's URL, still accepted), an `exp` in the
near future and a `jti` never seen before.
"""

from __future__ import annotations

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
    client = provider.client_of(database, form.get("client_id", ""))
    if client is None:
        raise OAuthError("invalid_client", "the client is not registered")
    verified = _verified(assertion, client, provider=provider, endpoint=endpoint)
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


def _verified(
    assertion: str, client: RegisteredClient, *, provider: Provider, endpoint: str
) -> VerifiedJwt:
    keys = client.keys
    last_error: JoseError | None = None
    # FAPI 2.0 wants the issuer identifier as the audience; RFC 7523 allowed the endpoint URL.
    for audience in (provider.issuer, provider.url(endpoint)):
        try:
            return verify_jwt(
                assertion,
                keys,
                algorithms=["ES256"],
                issuer=client.id,
                audience=audience,
                typ=None,
                clock=provider.clock,
            )
        except JoseError as error:
            if error.reason != "audience":
                raise OAuthError(
                    "invalid_client", f"the client assertion is not valid: {error.detail}"
                ) from None
            last_error = error
    assert last_error is not None
    raise OAuthError("invalid_client", f"the client assertion is not valid: {last_error.detail}")
