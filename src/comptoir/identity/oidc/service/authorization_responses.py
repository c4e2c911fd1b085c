"""The authorization response: consent in force, the authorization code, and the redirect
back to the client with the code or the refusal (a request closed without a page, or denied)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import timedelta
from typing import Final
from urllib.parse import urlencode

from sqlalchemy import Connection, bindparam, insert, update
from sqlalchemy.orm import Session

from comptoir.identity.oidc.domain import SUBJECT
from comptoir.identity.oidc.models import AuthorizationCode, PushedRequest
from comptoir.identity.oidc.provider import CODE_SECONDS, Provider
from comptoir.identity.oidc.service import consents
from comptoir.identity.oidc.service.authorization_requests import (
    AuthorizationError,
    PendingAuthorization,
    PushedRow,
)
from comptoir.identity.oidc.service.pushed import hash_secret
from comptoir.kernel.db import connection_of

DENIED: Final = "the person did not agree to share their information"


def refuse_without_page(
    session: Session | Connection,
    *,
    row: PushedRow,
    provider: Provider,
    error: str,
    description: str,
) -> str:
    """prompt=none, and a login or consent page would be needed: the request is closed and
    the client hears why (OpenID Connect Core 1.0 section 3.1.2.6)."""
    now = provider.clock.now()
    closed = (
        connection_of(session)
        .execute(
            update(PushedRequest)
            .where(PushedRequest.id == row.id, PushedRequest.used_at.is_(None))
            .values(used_at=now, finished_at=now)
            .returning(PushedRequest.id)
        )
        .first()
    )
    if closed is None:
        raise AuthorizationError("invalid_request_uri", "the request_uri was used already")
    state = row.parameters.get("state")
    return _redirect(
        str(row.parameters["redirect_uri"]),
        state if isinstance(state, str) else None,
        provider=provider,
        error=error,
        description=description,
    )


def consent_in_force(
    session: Session | Connection, pending: PendingAuthorization
) -> consents.ConsentDecision | None:
    return consents.covering_consent(
        session, person_id=pending.person_id, client_id=pending.client.id, wanted=pending.claims
    )


def finish_request(session: Session, pending: PendingAuthorization, provider: Provider) -> None:
    """Close the request once: a consent form sent twice gets no second code. Of two
    transactions racing, the second waits on this conditional UPDATE until the first commits,
    then finds the request closed: call it before writing anything else of the answer."""
    closed = session.execute(
        update(PushedRequest)
        .where(PushedRequest.id == pending.request_id, PushedRequest.finished_at.is_(None))
        .values(finished_at=provider.clock.now())
        .returning(PushedRequest.id)
    ).first()
    if closed is None:
        raise AuthorizationError("invalid_request", "this authorization was decided already")


def grant(
    session: Session,
    pending: PendingAuthorization,
    *,
    decision: consents.ConsentDecision,
    authenticated_at: float,
    provider: Provider,
) -> str:
    """Close the request, issue the authorization code and return the redirect back to the
    client."""
    finish_request(session, pending, provider)
    return issue_code(
        session, pending, decision=decision, authenticated_at=authenticated_at, provider=provider
    )


def issue_code(
    session: Session | Connection,
    pending: PendingAuthorization,
    *,
    decision: consents.ConsentDecision,
    authenticated_at: float,
    provider: Provider,
) -> str:
    """Issue the authorization code for a request already closed in this transaction and
    return the redirect back to the client."""
    now = provider.clock.now()
    code = code_for(pending.request_id, provider)
    wanted = pending.claims
    granted = set(decision.granted)
    parameters = pending.parameters
    connection_of(session).execute(
        _INSERT_CODE,
        {
            "code_hash": hash_secret(code),
            "client_id": pending.client.id,
            "person_id": pending.person_id,
            "consent_id": decision.consent_id,
            "grant": {
                "redirect_uri": pending.redirect_uri,
                "code_challenge": parameters["code_challenge"],
                "nonce": parameters.get("nonce"),
                "scope": parameters["scope"],
                "dpop_jkt": parameters.get("dpop_jkt"),
                "auth_time": int(authenticated_at),
                "id_token_claims": [c for c in wanted.id_token if c in granted or c == SUBJECT],
                "userinfo_claims": [c for c in wanted.userinfo if c in granted],
            },
            "expires_at": now + timedelta(seconds=CODE_SECONDS),
        },
    )
    return response_redirect(pending, provider=provider, code=code)


def code_for(request_id: uuid.UUID, provider: Provider) -> str:
    """The authorization code of a request (it has at most one): derived from the request's id
    under a secret of the provider, not drawn, so that the provider can send the same code again
    to the browser whose second press of the consent form found the request answered
    (`service.repeated_answers`), while it keeps only the code's hash, as for any secret.
    As unguessable as a drawn code of the same length while the secret is kept; the label
    keeps it apart from the pairwise subjects the same secret makes."""
    digest = hmac.new(
        provider.pairwise_secret, b"authorization-code:" + request_id.bytes, hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def deny(
    session: Session,
    pending: PendingAuthorization,
    *,
    provider: Provider,
    description: str = DENIED,
) -> str:
    """Close the request and return the `access_denied` redirect back to the client."""
    finish_request(session, pending, provider)
    return response_redirect(
        pending, provider=provider, error="access_denied", description=description
    )


def response_redirect(
    pending: PendingAuthorization,
    *,
    provider: Provider,
    code: str | None = None,
    error: str | None = None,
    description: str | None = None,
) -> str:
    """The authorization response: to the registered redirect URI, with `iss` (RFC 9207)."""
    return _redirect(
        pending.redirect_uri,
        pending.state,
        provider=provider,
        code=code,
        error=error,
        description=description,
    )


def _redirect(
    redirect_uri: str,
    state: str | None,
    *,
    provider: Provider,
    code: str | None = None,
    error: str | None = None,
    description: str | None = None,
) -> str:
    parameters: dict[str, str] = {}
    if code is not None:
        parameters["code"] = code
    if error is not None:
        parameters["error"] = error
        if description:
            parameters["error_description"] = description
    if state is not None:
        parameters["state"] = state
    parameters["iss"] = provider.issuer
    separator = "&" if "?" in redirect_uri else "?"
    return redirect_uri + separator + urlencode(parameters)


# Built once: building a statement costs more than running it.
_INSERT_CODE: Final = insert(AuthorizationCode).values(
    code_hash=bindparam("code_hash"),
    client_id=bindparam("client_id"),
    person_id=bindparam("person_id"),
    consent_id=bindparam("consent_id"),
    grant=bindparam("grant"),
    expires_at=bindparam("expires_at"),
    used_at=None,
)
