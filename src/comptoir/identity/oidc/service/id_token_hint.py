"""The `id_token_hint` a client sends with an authorization request (OpenID Connect Core 1.0
section 3.1.2.1): an ID token this provider issued to that client, possibly expired, naming the
person the client expects. Only that person may then answer the request; with prompt=none, and
someone else signed in, the answer is login_required."""

from __future__ import annotations

from comptoir.identity.oidc.errors import OAuthError
from comptoir.identity.oidc.provider import Provider, RegisteredClient
from comptoir.kernel.crypto import JoseError, verify_jwt

# A hint names a person, it grants nothing: one expired long ago still names them.
HINT_LEEWAY_SECONDS = 366 * 24 * 3600


def hinted_subject(hint: str, *, client: RegisteredClient, provider: Provider) -> str:
    """The `sub` of an ID token this provider issued to `client`; else `invalid_request`."""
    try:
        verified = provider.verify_own(
            lambda keys: verify_jwt(
                hint,
                keys,
                algorithms=["ES256"],
                issuer=provider.issuer,
                audience=client.id,
                leeway_seconds=HINT_LEEWAY_SECONDS,
                clock=provider.clock,
            ),
            JoseError,
        )
    except JoseError as error:
        raise OAuthError(
            "invalid_request", f"the id_token_hint is not valid: {error.detail}"
        ) from None
    subject = verified.claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise OAuthError("invalid_request", "the id_token_hint names no subject")
    return subject
