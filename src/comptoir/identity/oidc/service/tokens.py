"""The back channel: the code exchange at the token endpoint and the userinfo resource.

Access tokens are RFC 9068 JWTs bound to the client's DPoP key (`cnf.jkt`), so a resource can
check them offline; the provider also keeps each one's `jti`, so a revoked consent or a replayed
code stops them at once at userinfo.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from comptoir.identity.oidc.domain import SUBJECT, pairwise_subject
from comptoir.identity.oidc.errors import OAuthError
from comptoir.identity.oidc.models import AccessToken, AuthorizationCode, Consent
from comptoir.identity.oidc.provider import ACCESS_TOKEN_SECONDS, ID_TOKEN_SECONDS, Provider
from comptoir.identity.oidc.service.client_auth import authenticate_client
from comptoir.identity.oidc.service.consents import record_release
from comptoir.identity.oidc.service.pushed import hash_secret
from comptoir.identity.oidc.service.replay import first_use
from comptoir.identity.registry.service import person_claims
from comptoir.kernel.crypto import issue_jwt
from comptoir.kernel.oidc import (
    ACCESS_TOKEN_TYPE,
    DpopError,
    DpopProof,
    TokenError,
    verifier_matches,
    verify_access_token,
    verify_dpop_proof,
)


@dataclass(frozen=True)
class _Code:
    code_hash: str
    client_id: str
    person_id: uuid.UUID
    consent_id: uuid.UUID
    grant: dict[str, Any]
    expires_at: datetime
    consent_revoked_at: datetime | None


@dataclass(frozen=True)
class _Token:
    person_id: uuid.UUID
    client_id: str
    consent_id: uuid.UUID
    userinfo_claims: list[str]
    revoked_at: datetime | None
    consent_revoked_at: datetime | None


@dataclass(frozen=True)
class TokenAnswer:
    body: dict[str, Any]


def check_dpop(
    session: Session,
    proof: str | None,
    *,
    method: str,
    endpoint: str,
    provider: Provider,
    access_token: str | None = None,
    resource: bool = False,
) -> DpopProof:
    """A DPoP proof for this request, checked, its jti recorded; else the refusal RFC 9449
    names (`invalid_dpop_proof`, with a challenge at a resource)."""
    if not proof:
        if resource:
            raise OAuthError("invalid_token", "a DPoP proof is required", challenge=True)
        raise OAuthError("invalid_dpop_proof", "a DPoP proof is required (DPoP header)")
    try:
        checked = verify_dpop_proof(
            proof,
            method=method,
            url=provider.url(endpoint),
            access_token=access_token,
            clock=provider.clock,
        )
    except DpopError as error:
        raise OAuthError(
            "invalid_dpop_proof", str(error), status=401 if resource else 400, challenge=resource
        ) from None
    # Remembered a little past the window in which its iat is accepted.
    until = provider.clock.now() + timedelta(seconds=90)
    if not first_use(session, purpose="dpop", scope=checked.jkt, jti=checked.jti, until=until):
        raise OAuthError(
            "invalid_dpop_proof",
            "the DPoP proof was used before (jti)",
            status=401 if resource else 400,
            challenge=resource,
        )
    return checked


def exchange_code(
    session: Session,
    form: Mapping[str, str],
    *,
    dpop_proof: str | None,
    provider: Provider,
) -> TokenAnswer | OAuthError:
    """Answer a token request. A replayed code is returned as an error *after* the tokens
    issued from it were revoked, so that the caller commits the revocation (RFC 6749 4.1.2)."""
    client = authenticate_client(session, form, provider=provider, endpoint="token")
    if form.get("grant_type") != "authorization_code":
        raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
    proof = check_dpop(session, dpop_proof, method="POST", endpoint="token", provider=provider)
    code_hash = hash_secret(form.get("code", ""))
    found = session.execute(
        select(
            AuthorizationCode.client_id,
            AuthorizationCode.person_id,
            AuthorizationCode.consent_id,
            AuthorizationCode.grant,
            AuthorizationCode.expires_at,
            Consent.revoked_at,
        )
        .join(Consent, Consent.id == AuthorizationCode.consent_id)
        .where(AuthorizationCode.code_hash == code_hash)
    ).first()
    if found is None or found.client_id != client.id:
        raise OAuthError("invalid_grant", "the code is not known")
    code = _Code(code_hash, *found)
    now = provider.clock.now()
    # Taking the code is one conditional UPDATE, so of two requests racing with one code only
    # one gets tokens; the loser is a replay.
    taken = session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.code_hash == code_hash, AuthorizationCode.used_at.is_(None))
        .values(used_at=now)
        .returning(AuthorizationCode.code_hash)
    ).first()
    if taken is None:
        session.execute(
            update(AccessToken)
            .where(AccessToken.code_hash == code_hash, AccessToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return OAuthError(
            "invalid_grant", "the code was used before; the tokens issued from it are revoked"
        )
    grant = code.grant
    if code.expires_at <= now:
        raise OAuthError("invalid_grant", "the code has expired")
    if form.get("redirect_uri") != grant["redirect_uri"]:
        raise OAuthError("invalid_grant", "the redirect_uri is not the one of the request")
    if not verifier_matches(form.get("code_verifier", ""), grant["code_challenge"]):
        raise OAuthError("invalid_grant", "the code_verifier does not match the code_challenge")
    if grant.get("dpop_jkt") and grant["dpop_jkt"] != proof.jkt:
        raise OAuthError("invalid_grant", "the DPoP key is not the one the request was bound to")
    if code.consent_revoked_at is not None:
        raise OAuthError("invalid_grant", "the person's consent was revoked")
    subject = pairwise_subject(
        provider.pairwise_secret, sector=client.sector, person_id=code.person_id
    )
    jti = secrets.token_urlsafe(24)
    access_token = issue_jwt(
        {
            "sub": subject,
            "client_id": client.id,
            "scope": grant["scope"],
            "jti": jti,
            "cnf": {"jkt": proof.jkt},
        },
        provider.signing_key,
        issuer=provider.issuer,
        audience=provider.issuer,
        ttl_seconds=ACCESS_TOKEN_SECONDS,
        typ=ACCESS_TOKEN_TYPE,
        clock=provider.clock,
    )
    session.execute(
        insert(AccessToken).values(
            jti=jti,
            code_hash=code.code_hash,
            client_id=client.id,
            person_id=code.person_id,
            consent_id=code.consent_id,
            userinfo_claims=list(grant["userinfo_claims"]),
            issued_at=now,
            expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
            revoked_at=None,
        )
    )
    id_token_claims: list[str] = list(grant["id_token_claims"])
    id_token = issue_jwt(
        {
            "sub": subject,
            "auth_time": grant["auth_time"],
            **({"nonce": grant["nonce"]} if grant.get("nonce") else {}),
            **_claim_values(session, code.person_id, id_token_claims),
        },
        provider.signing_key,
        issuer=provider.issuer,
        audience=client.id,
        ttl_seconds=ID_TOKEN_SECONDS,
        clock=provider.clock,
    )
    record_release(
        session,
        person_id=code.person_id,
        client_id=client.id,
        consent_id=code.consent_id,
        channel="id_token",
        claims=id_token_claims,
        clock=provider.clock,
    )
    return TokenAnswer(
        {
            "access_token": access_token,
            "token_type": "DPoP",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "id_token": id_token,
            "scope": grant["scope"],
        }
    )


def userinfo(
    session: Session,
    *,
    authorization: str | None,
    dpop_proof: str | None,
    method: str,
    provider: Provider,
) -> str:
    """The signed userinfo response (a JWT) for a DPoP-bound access token."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "dpop" or not token.strip():
        raise OAuthError(
            "invalid_token", "send the access token as Authorization: DPoP", challenge=True
        )
    token = token.strip()
    try:
        claims = verify_access_token(
            token,
            keys=provider.public_keys,
            issuer=provider.issuer,
            audience=provider.issuer,
            clock=provider.clock,
        )
    except TokenError as error:
        raise OAuthError("invalid_token", str(error), challenge=True) from None
    proof = check_dpop(
        session,
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
    found = session.execute(
        select(
            AccessToken.person_id,
            AccessToken.client_id,
            AccessToken.consent_id,
            AccessToken.userinfo_claims,
            AccessToken.revoked_at,
            Consent.revoked_at,
        )
        .join(Consent, Consent.id == AccessToken.consent_id)
        .where(AccessToken.jti == str(claims["jti"]))
    ).first()
    if found is None or found[4] is not None:
        raise OAuthError("invalid_token", "the access token was revoked", challenge=True)
    row = _Token(*found)
    if row.consent_revoked_at is not None:
        raise OAuthError("invalid_token", "the person revoked their consent", challenge=True)
    client = provider.client(session, row.client_id)
    assert client is not None
    released = list(row.userinfo_claims)
    body = {"sub": claims["sub"], **_claim_values(session, row.person_id, released)}
    record_release(
        session,
        person_id=row.person_id,
        client_id=row.client_id,
        consent_id=row.consent_id,
        channel="userinfo",
        claims=[SUBJECT, *released],
        clock=provider.clock,
    )
    return issue_jwt(
        body,
        provider.signing_key,
        issuer=provider.issuer,
        audience=client.id,
        ttl_seconds=None,
        clock=provider.clock,
    )


def _claim_values(session: Session, person_id: Any, names: list[str]) -> dict[str, object]:
    wanted = [name for name in names if name != SUBJECT]
    if not wanted:
        return {}
    values = person_claims(session, person_id=person_id)
    return {name: values[name] for name in wanted if values.get(name) is not None}
