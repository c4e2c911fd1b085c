"""Pushed authorization requests (RFC 9126): the only way in, as FAPI 2.0 asks. The client
authenticates, every parameter is checked against its registration, and it gets a
single-use request_uri that lives 90 seconds."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from comptoir.identity.oidc.domain import RequestError, claims_request, parse_scopes
from comptoir.identity.oidc.errors import OAuthError
from comptoir.identity.oidc.models import PushedRequest
from comptoir.identity.oidc.provider import REQUEST_URI_SECONDS, Provider, RegisteredClient
from comptoir.identity.oidc.service.client_auth import authenticate_client
from comptoir.identity.oidc.service.replay import first_use
from comptoir.kernel.ids import new_id
from comptoir.kernel.oidc import S256, DpopError, verify_dpop_proof

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
_MAX_PARAMETER_LENGTH = 4000


@dataclass(frozen=True)
class PushedAnswer:
    request_uri: str
    expires_in: int


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def push_request(
    session: Session,
    form: Mapping[str, str],
    *,
    dpop_proof: str | None,
    provider: Provider,
) -> PushedAnswer:
    client = authenticate_client(session, form, provider=provider, endpoint="par")
    if "request_uri" in form:
        raise OAuthError("invalid_request", "request_uri is not allowed in a pushed request")
    if "request" in form:
        raise OAuthError("invalid_request", "request objects are not supported; push parameters")
    for name, value in form.items():
        if len(value) > _MAX_PARAMETER_LENGTH:
            raise OAuthError("invalid_request", f"the parameter {name} is too long")
    if form.get("response_type") != "code":
        raise OAuthError("unsupported_response_type", "only response_type=code is supported")
    if "response_mode" in form and form["response_mode"] != "query":
        raise OAuthError("invalid_request", "only response_mode=query is supported")
    redirect_uri, challenge = _redirect_and_challenge(form, client)
    try:
        claims = claims_request(
            scopes=parse_scopes(form.get("scope", "")),
            claims_parameter=form.get("claims"),
            allowed_scopes=parse_scopes(client.scopes),
        )
    except RequestError as error:
        raise OAuthError(error.error, error.description) from None
    dpop_jkt = form.get("dpop_jkt")
    if dpop_proof is not None:
        try:
            proof = verify_dpop_proof(
                dpop_proof, method="POST", url=provider.url("par"), clock=provider.clock
            )
        except DpopError as error:
            raise OAuthError("invalid_dpop_proof", str(error)) from None
        if dpop_jkt is not None and dpop_jkt != proof.jkt:
            raise OAuthError("invalid_request", "dpop_jkt is not the DPoP proof's key")
        until = provider.clock.now() + timedelta(seconds=90)
        if not first_use(session, purpose="dpop", scope=proof.jkt, jti=proof.jti, until=until):
            raise OAuthError("invalid_dpop_proof", "the DPoP proof was used before (jti)")
        dpop_jkt = proof.jkt
    handle = secrets.token_urlsafe(32)
    now = provider.clock.now()
    parameters: dict[str, Any] = {
        "redirect_uri": redirect_uri,
        "scope": " ".join(parse_scopes(form.get("scope", ""))),
        "state": form.get("state"),
        "nonce": form.get("nonce"),
        "code_challenge": challenge,
        "dpop_jkt": dpop_jkt,
        "claims": claims.to_json(),
    }
    session.execute(
        insert(PushedRequest).values(
            id=new_id(),
            handle_hash=hash_secret(handle),
            client_id=client.id,
            parameters=parameters,
            expires_at=now + timedelta(seconds=REQUEST_URI_SECONDS),
            person_id=None,
            used_at=None,
            finished_at=None,
        )
    )
    return PushedAnswer(REQUEST_URI_PREFIX + handle, REQUEST_URI_SECONDS)


def _redirect_and_challenge(form: Mapping[str, str], client: RegisteredClient) -> tuple[str, str]:
    redirect_uri = form.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        raise OAuthError("invalid_request", "the redirect_uri is not registered for this client")
    challenge = form.get("code_challenge", "")
    if form.get("code_challenge_method") != S256:
        raise OAuthError("invalid_request", "PKCE is required with code_challenge_method=S256")
    if len(challenge) != 43:
        raise OAuthError("invalid_request", "the code_challenge must be an S256 challenge")
    return redirect_uri, challenge
