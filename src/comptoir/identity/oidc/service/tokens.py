"""The back channel: the code exchange at the token endpoint, and what the userinfo resource
(`service.userinfo`) shares with it: the DPoP proof's check, the replay check, the claims' values.

Access tokens are RFC 9068 JWTs bound to the client's DPoP key (`cnf.jkt`), so a resource can
check them offline; the provider also keeps each one's `jti`, so a revoked consent or a replayed
code stops them at once at userinfo.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import Connection, bindparam, insert, select, update

from comptoir.identity.oidc.domain import SUBJECT, pairwise_subject
from comptoir.identity.oidc.errors import OAuthError
from comptoir.identity.oidc.models import AccessToken, AuthorizationCode, Consent
from comptoir.identity.oidc.provider import (
    ACCESS_TOKEN_SECONDS,
    ID_TOKEN_SECONDS,
    Provider,
    RegisteredClient,
)
from comptoir.identity.oidc.service.client_auth import check_client_assertion
from comptoir.identity.oidc.service.consents import record_release
from comptoir.identity.oidc.service.pushed import hash_secret
from comptoir.identity.oidc.service.replay import OneTimeUse, first_uses
from comptoir.identity.registry.service import person_claims
from comptoir.kernel.crypto import issue_jwt
from comptoir.kernel.db import Database
from comptoir.kernel.oidc import (
    ACCESS_TOKEN_TYPE,
    DpopError,
    DpopProof,
    verifier_matches,
    verify_dpop_proof,
)

# RFC 6749 4.1.3 and RFC 7636 4.5: what a code exchange must carry (redirect_uri because every
# pushed request has one).
_CODE_GRANT_PARAMETERS: Final = ("code", "redirect_uri", "code_verifier")


@dataclass(frozen=True)
class TokenAnswer:
    body: dict[str, Any]


def check_dpop(
    proof: str | None,
    *,
    method: str,
    endpoint: str,
    provider: Provider,
    access_token: str | None = None,
    resource: bool = False,
) -> tuple[DpopProof, OneTimeUse]:
    """A DPoP proof for this request, checked; its jti is returned for the caller to record
    (see `refuse_replays`). Else the refusal RFC 9449 names (`invalid_dpop_proof`, with a
    challenge at a resource)."""
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
    return checked, OneTimeUse("dpop", checked.jkt, checked.jti, until)


def refuse_replays(
    connection: Connection,
    *,
    dpop: OneTimeUse,
    assertion: OneTimeUse | None = None,
    resource: bool = False,
) -> None:
    """Record the request's one-time identifiers in one statement; a replay is refused."""
    uses = [dpop] if assertion is None else [assertion, dpop]
    fresh = first_uses(connection, uses)
    if not fresh[0] and assertion is not None:
        raise OAuthError("invalid_client", "the client assertion was used before (jti)")
    if not fresh[-1]:
        raise OAuthError(
            "invalid_dpop_proof",
            "the DPoP proof was used before (jti)",
            status=401 if resource else 400,
            challenge=resource,
        )


@dataclass(frozen=True)
class _Issue:
    """What the token response is made of, decided in the transaction, signed after it."""

    client_id: str
    subject: str
    scope: str
    jti: str
    jkt: str
    id_token_claims: dict[str, object]


def exchange_code(
    database: Database,
    form: Mapping[str, str],
    *,
    dpop_proof: str | None,
    provider: Provider,
) -> TokenAnswer | OAuthError:
    """Answer a token request. A refusal of the code is returned as an error *after* the
    transaction, so that what it wrote is committed: the revocation of the tokens issued from
    a replayed code (RFC 6749 4.1.2), the code used, the one-time identifiers spent.

    The signatures (client assertion, DPoP proof) are checked before the write transaction,
    the tokens signed after it: the transaction holds its locks only for the statements."""
    assertion = check_client_assertion(database, form, provider=provider, endpoint="token")
    client = assertion.client
    # RFC 6749 5.2: a required parameter missing is invalid_request.
    if not form.get("grant_type"):
        raise OAuthError("invalid_request", "grant_type is required (authorization_code)")
    if form["grant_type"] != "authorization_code":
        raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
    for name in _CODE_GRANT_PARAMETERS:
        if not form.get(name):
            raise OAuthError("invalid_request", f"the parameter {name} is required")
    proof, dpop = check_dpop(dpop_proof, method="POST", endpoint="token", provider=provider)
    code_hash = hash_secret(form.get("code", ""))
    # Statements only, on a Core connection: the session's bookkeeping would cost more than
    # some of them.
    with database.connection_transaction() as connection:
        refuse_replays(connection, assertion=assertion.one_time, dpop=dpop)
        try:
            issued = _take_code(
                connection,
                form,
                code_hash=code_hash,
                client=client,
                proof=proof,
                provider=provider,
            )
        except OAuthError as refusal:
            # Committed all the same: the assertion and the proof were spent on this request
            # (RFC 7523 section 3, RFC 9449 section 11.1, whatever its answer), and a code
            # that was tried with a wrong verifier, redirect URI or key is not tried again.
            issued = refusal
    if isinstance(issued, OAuthError):
        return issued
    access_token = issue_jwt(
        {
            "sub": issued.subject,
            "client_id": issued.client_id,
            "scope": issued.scope,
            "jti": issued.jti,
            "cnf": {"jkt": issued.jkt},
        },
        provider.signing_key,
        issuer=provider.issuer,
        audience=provider.issuer,
        ttl_seconds=ACCESS_TOKEN_SECONDS,
        typ=ACCESS_TOKEN_TYPE,
        clock=provider.clock,
        signed_here=provider.access_tokens_signed,
    )
    id_token = issue_jwt(
        issued.id_token_claims,
        provider.signing_key,
        issuer=provider.issuer,
        audience=issued.client_id,
        ttl_seconds=ID_TOKEN_SECONDS,
        clock=provider.clock,
    )
    return TokenAnswer(
        {
            "access_token": access_token,
            "token_type": "DPoP",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "id_token": id_token,
            "scope": issued.scope,
        }
    )


def _take_code(
    connection: Connection,
    form: Mapping[str, str],
    *,
    code_hash: str,
    client: RegisteredClient,
    proof: DpopProof,
    provider: Provider,
) -> _Issue | OAuthError:
    now = provider.clock.now()
    # Taking the code is one conditional UPDATE, so of two requests racing with one code only
    # one gets tokens; the loser is a replay. It also reads what the code grants.
    taken = connection.execute(
        _TAKE_CODE, {"taken_code_hash": code_hash, "taken_client_id": client.id, "now": now}
    ).first()
    if taken is None:
        known = connection.execute(
            select(AuthorizationCode.client_id).where(AuthorizationCode.code_hash == code_hash)
        ).first()
        if known is None or known.client_id != client.id:
            raise OAuthError("invalid_grant", "the code is not known")
        connection.execute(
            update(AccessToken)
            .where(AccessToken.code_hash == code_hash, AccessToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return OAuthError(
            "invalid_grant", "the code was used before; the tokens issued from it are revoked"
        )
    grant = taken.grant
    if taken.expires_at <= now:
        raise OAuthError("invalid_grant", "the code has expired")
    if form.get("redirect_uri") != grant["redirect_uri"]:
        raise OAuthError("invalid_grant", "the redirect_uri is not the one of the request")
    if not verifier_matches(form.get("code_verifier", ""), grant["code_challenge"]):
        raise OAuthError("invalid_grant", "the code_verifier does not match the code_challenge")
    if grant.get("dpop_jkt") and grant["dpop_jkt"] != proof.jkt:
        raise OAuthError("invalid_grant", "the DPoP key is not the one the request was bound to")
    if taken.consent_revoked_at is not None:
        raise OAuthError("invalid_grant", "the person's consent was revoked")
    subject = pairwise_subject(
        provider.pairwise_secret, sector=client.sector, person_id=taken.person_id
    )
    jti = secrets.token_urlsafe(24)
    connection.execute(
        _INSERT_TOKEN,
        {
            "jti": jti,
            "code_hash": code_hash,
            "client_id": client.id,
            "person_id": taken.person_id,
            "consent_id": taken.consent_id,
            "userinfo_claims": list(grant["userinfo_claims"]),
            "issued_at": now,
            "expires_at": now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
        },
    )
    id_token_claims: list[str] = list(grant["id_token_claims"])
    claims = {
        "sub": subject,
        "auth_time": grant["auth_time"],
        **({"nonce": grant["nonce"]} if grant.get("nonce") else {}),
        **claim_values(connection, taken.person_id, id_token_claims),
    }
    record_release(
        connection,
        person_id=taken.person_id,
        client_id=client.id,
        consent_id=taken.consent_id,
        channel="id_token",
        claims=id_token_claims,
        clock=provider.clock,
    )
    return _Issue(client.id, subject, grant["scope"], jti, proof.jkt, claims)


def claim_values(connection: Connection, person_id: Any, names: list[str]) -> dict[str, object]:
    """The person's values of the claims `names` (`sub` aside), those they have."""
    wanted = [name for name in names if name != SUBJECT]
    if not wanted:
        return {}
    values = person_claims(connection, person_id=person_id)
    return {name: values[name] for name in wanted if values.get(name) is not None}


# Built once: building a statement costs more than running it.
_TAKE_CODE: Final = (
    update(AuthorizationCode)
    .where(
        AuthorizationCode.code_hash == bindparam("taken_code_hash"),
        AuthorizationCode.client_id == bindparam("taken_client_id"),
        AuthorizationCode.used_at.is_(None),
    )
    .values(used_at=bindparam("now"))
    .returning(
        AuthorizationCode.person_id,
        AuthorizationCode.consent_id,
        AuthorizationCode.grant,
        AuthorizationCode.expires_at,
        select(Consent.revoked_at)
        .where(Consent.id == AuthorizationCode.consent_id)
        .scalar_subquery()
        .label("consent_revoked_at"),
    )
)
_INSERT_TOKEN: Final = insert(AccessToken).values(
    jti=bindparam("jti"),
    code_hash=bindparam("code_hash"),
    client_id=bindparam("client_id"),
    person_id=bindparam("person_id"),
    consent_id=bindparam("consent_id"),
    userinfo_claims=bindparam("userinfo_claims"),
    issued_at=bindparam("issued_at"),
    expires_at=bindparam("expires_at"),
    revoked_at=None,
)
