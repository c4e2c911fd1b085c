"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): which client asks, whether
its post-logout redirect URI is registered, and ending the person's session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from comptoir.identity.oidc.provider import Provider
from comptoir.identity.oidc.service.authorization_requests import AuthorizationError
from comptoir.identity.oidc.service.clients import find_client
from comptoir.identity.registry.service.sessions import end_session
from comptoir.kernel.clock import Clock
from comptoir.kernel.crypto import JoseError, verify_jwt

# An ID token hint may have expired long ago: it names who is logging out, it grants nothing.
_HINT_LEEWAY_SECONDS = 366 * 24 * 3600


@dataclass(frozen=True)
class LogoutTarget:
    client_name: str | None


def check_request(
    session: Session,
    *,
    id_token_hint: str,
    post_logout_redirect_uri: str,
    client_id: str,
    provider: Provider,
) -> LogoutTarget:
    hinted_client: str | None = None
    if id_token_hint:
        try:
            verified = provider.verify_own(
                lambda keys: verify_jwt(
                    id_token_hint,
                    keys,
                    algorithms=["ES256"],
                    issuer=provider.issuer,
                    audience=client_id or _audience_of(id_token_hint),
                    leeway_seconds=_HINT_LEEWAY_SECONDS,
                    clock=provider.clock,
                ),
                JoseError,
            )
        except JoseError as error:
            raise AuthorizationError(
                "invalid_request", f"the id_token_hint is not valid: {error.detail}"
            ) from None
        audience = verified.claims.get("aud")
        hinted_client = audience if isinstance(audience, str) else None
    chosen = client_id or hinted_client
    if post_logout_redirect_uri:
        client = find_client(session, chosen or "")
        if client is None:
            raise AuthorizationError(
                "invalid_request", "a post_logout_redirect_uri needs an id_token_hint or client_id"
            )
        if post_logout_redirect_uri not in client.post_logout_redirect_uris:
            raise AuthorizationError(
                "invalid_request", "the post_logout_redirect_uri is not registered"
            )
        return LogoutTarget(client.name)
    client = find_client(session, chosen or "")
    return LogoutTarget(client.name if client else None)


def end_person_session(session: Session, *, session_id: uuid.UUID, clock: Clock) -> None:
    end_session(session, session_id=session_id, clock=clock)


def _audience_of(token: str) -> str | None:
    import base64
    import json

    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, RecursionError):
        return None
    audience = claims.get("aud") if isinstance(claims, dict) else None
    return audience if isinstance(audience, str) else None
