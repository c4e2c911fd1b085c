"""The userinfo resource: the claims a DPoP-bound access token gives, answered as the client
registered to get them (OpenID Connect Core 1.0 section 5.3.2): a JSON object, or a JWT the
provider signs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import bindparam, select

from comptoir.identity.oidc.domain import SUBJECT
from comptoir.identity.oidc.errors import OAuthError
from comptoir.identity.oidc.models import AccessToken, Consent
from comptoir.identity.oidc.provider import Provider
from comptoir.identity.oidc.service.consents import record_release
from comptoir.identity.oidc.service.tokens import check_dpop, claim_values, refuse_replays
from comptoir.kernel.crypto import issue_jwt
from comptoir.kernel.db import Database
from comptoir.kernel.oidc import TokenError, verify_access_token


@dataclass(frozen=True)
class UserinfoAnswer:
    """The claims, as the client registered to get them (OIDC Core 5.3.2): `signed`, a JWT
    (application/jwt), or None, when `claims` go as a JSON object."""

    claims: dict[str, object]
    signed: str | None


def userinfo(
    database: Database,
    *,
    authorization: str | None,
    dpop_proof: str | None,
    method: str,
    provider: Provider,
) -> UserinfoAnswer:
    """The userinfo response for a DPoP-bound access token: signed (a JWT) when the client
    registered for it, else the claims as JSON. The token and the proof are checked before the
    write transaction, the answer signed after it; the token's row is read in it, so a revoked
    token or consent stops here at once."""
    if not authorization:
        raise OAuthError(
            "invalid_token",
            "send the access token as Authorization: DPoP",
            challenge=True,
            unauthenticated=True,
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "dpop" or not token.strip():
        raise OAuthError(
            "invalid_token", "send the access token as Authorization: DPoP", challenge=True
        )
    token = token.strip()
    try:
        claims = provider.verify_own(
            lambda keys: verify_access_token(
                token,
                keys=keys,
                issuer=provider.issuer,
                audience=provider.issuer,
                clock=provider.clock,
                signed_here=provider.access_tokens_signed,
            ),
            TokenError,
        )
    except TokenError as error:
        raise OAuthError("invalid_token", str(error), challenge=True) from None
    proof, dpop = check_dpop(
        dpop_proof,
        method=method,
        endpoint="userinfo",
        provider=provider,
        access_token=token,
        resource=True,
    )
    confirmation = claims["cnf"]
    assert isinstance(confirmation, dict)
    if confirmation.get("jkt") != proof.jkt:
        raise OAuthError(
            "invalid_token", "the DPoP proof is not made with the token's key", challenge=True
        )
    with database.connection_transaction() as connection:
        refuse_replays(connection, dpop=dpop, resource=True)
        found = connection.execute(_TOKEN_IN_FORCE, {"jti": str(claims["jti"])}).first()
        if found is None or found.revoked_at is not None:
            raise OAuthError("invalid_token", "the access token was revoked", challenge=True)
        if found.consent_revoked_at is not None:
            raise OAuthError("invalid_token", "the person revoked their consent", challenge=True)
        released = list(found.userinfo_claims)
        body = {"sub": claims["sub"], **claim_values(connection, found.person_id, released)}
        record_release(
            connection,
            person_id=found.person_id,
            client_id=found.client_id,
            consent_id=found.consent_id,
            channel="userinfo",
            claims=[SUBJECT, *released],
            clock=provider.clock,
        )
        client = provider.client(connection, found.client_id)
    if client is None or not client.signed_userinfo:
        return UserinfoAnswer(body, None)
    signed = issue_jwt(
        body,
        provider.signing_key,
        issuer=provider.issuer,
        audience=found.client_id,
        ttl_seconds=None,
        clock=provider.clock,
    )
    return UserinfoAnswer(body, signed)


# Built once: building a statement costs more than running it.
_TOKEN_IN_FORCE: Final = (
    select(
        AccessToken.person_id,
        AccessToken.client_id,
        AccessToken.consent_id,
        AccessToken.userinfo_claims,
        AccessToken.revoked_at,
        Consent.revoked_at.label("consent_revoked_at"),
    )
    .join(Consent, Consent.id == AccessToken.consent_id)
    .where(AccessToken.jti == bindparam("jti"))
)
