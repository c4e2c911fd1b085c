"""Pushed authorization requests (RFC 9126): the only way in, as FAPI 2.0 asks. The client
authenticates, every parameter is checked against its registration, and it gets a
single-use request_uri that lives 90 seconds."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import Connection, bindparam, insert

from comptoir.identity.oidc.domain import (
    ClaimsRequest,
    RequestError,
    claims_request,
    parse_max_age,
    parse_prompt,
    parse_scopes,
    understood_scopes,
)
from comptoir.identity.oidc.errors import OAuthError
from comptoir.identity.oidc.models import PushedRequest
from comptoir.identity.oidc.provider import REQUEST_URI_SECONDS, Provider, RegisteredClient
from comptoir.identity.oidc.service.client_auth import ClientAssertion, check_client_assertion
from comptoir.identity.oidc.service.id_token_hint import hinted_subject
from comptoir.identity.oidc.service.replay import OneTimeUse, first_uses
from comptoir.identity.registry.domain import normalise_phone
from comptoir.identity.registry.errors import RegistryError
from comptoir.kernel.db import Database
from comptoir.kernel.i18n import first_available
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


@dataclass(frozen=True)
class CheckedPush:
    """A pushed request whose client, parameters and DPoP proof were checked; what is left is
    to record its one-time identifiers and store it."""

    client: RegisteredClient
    parameters: dict[str, Any]
    one_time: tuple[OneTimeUse, ...]


def check_push(
    database: Database,
    form: Mapping[str, str],
    *,
    dpop_proof: str | None,
    provider: Provider,
) -> CheckedPush:
    """Every check that needs no write: the signatures are verified before any write
    transaction (and its lock) is taken. A request refused after its client authenticated
    spends the client's assertion all the same (`SpentAssertion`)."""
    assertion = check_client_assertion(database, form, provider=provider, endpoint="par")
    try:
        return _checked_parameters(form, assertion, dpop_proof=dpop_proof, provider=provider)
    except OAuthError as refusal:
        raise SpentAssertion(refusal, assertion.one_time) from None


class SpentAssertion(Exception):  # noqa: N818 (it carries a refusal, it is not one itself)
    """A pushed request refused once its client had authenticated: the refusal, and the
    assertion's jti to record before answering, so the assertion serves once whatever the
    answer (RFC 7523 section 3)."""

    def __init__(self, refusal: OAuthError, one_time: OneTimeUse) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
        self.one_time = one_time


def _checked_parameters(
    form: Mapping[str, str],
    assertion: ClientAssertion,
    *,
    dpop_proof: str | None,
    provider: Provider,
) -> CheckedPush:
    client = assertion.client
    if "request_uri" in form:
        raise OAuthError("invalid_request", "request_uri is not allowed in a pushed request")
    if "request" in form:
        # OpenID Connect Core 1.0 section 6: an OP that does not support the request parameter
        # must answer request_not_supported.
        raise OAuthError(
            "request_not_supported", "request objects are not supported; push parameters"
        )
    for name, value in form.items():
        if len(value) > _MAX_PARAMETER_LENGTH:
            raise OAuthError("invalid_request", f"the parameter {name} is too long")
    if not form.get("response_type"):
        # RFC 6749 4.1.2.1: a required parameter missing is invalid_request.
        raise OAuthError("invalid_request", "response_type is required (code)")
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
        prompt = parse_prompt(form.get("prompt"))
        max_age = parse_max_age(form.get("max_age"))
    except RequestError as error:
        raise OAuthError(error.error, error.description) from None
    claims = _with_hinted_subject(claims, form.get("id_token_hint"), client, provider)
    one_time = [assertion.one_time]
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
        one_time.append(OneTimeUse("dpop", proof.jkt, proof.jti, until))
        dpop_jkt = proof.jkt
    parameters: dict[str, Any] = {
        "redirect_uri": redirect_uri,
        # What the token response's scope says was granted: the scopes understood.
        "scope": " ".join(understood_scopes(parse_scopes(form.get("scope", "")))),
        "state": form.get("state"),
        "nonce": form.get("nonce"),
        "code_challenge": challenge,
        "dpop_jkt": dpop_jkt,
        "claims": claims.to_json(),
        "prompt": list(prompt),
        "max_age": max_age,
        # OIDC Core 3.1.2.1: the person's preferred languages, in order; one this provider
        # does not speak is no error. Kept as the first it speaks, if any.
        "ui_locales": first_available(form.get("ui_locales", "").split()),
        "login_hint": phone_hint(form.get("login_hint")),
    }
    return CheckedPush(client, parameters, tuple(one_time))


def phone_hint(login_hint: str | None) -> str | None:
    """`login_hint` (OIDC Core 3.1.2.1) as the phone number a person logs in with, in E.164,
    to fill in the login page; a hint that is not a phone number is no error, and is ignored."""
    if not login_hint:
        return None
    try:
        return normalise_phone(login_hint.removeprefix("tel:"))
    except RegistryError:
        return None


def store_push(connection: Connection, checked: CheckedPush, *, provider: Provider) -> PushedAnswer:
    """Record the one-time identifiers (refusing a replay) and store the request."""
    fresh = first_uses(connection, checked.one_time)
    if not fresh[0]:
        raise OAuthError("invalid_client", "the client assertion was used before (jti)")
    if not all(fresh):
        raise OAuthError("invalid_dpop_proof", "the DPoP proof was used before (jti)")
    handle = secrets.token_urlsafe(32)
    now = provider.clock.now()
    connection.execute(
        _INSERT_REQUEST,
        {
            "id": new_id(),
            "handle_hash": hash_secret(handle),
            "client_id": checked.client.id,
            "parameters": checked.parameters,
            "expires_at": now + timedelta(seconds=REQUEST_URI_SECONDS),
        },
    )
    return PushedAnswer(REQUEST_URI_PREFIX + handle, REQUEST_URI_SECONDS)


def push_request(
    database: Database,
    form: Mapping[str, str],
    *,
    dpop_proof: str | None,
    provider: Provider,
) -> PushedAnswer:
    """Answer a pushed authorization request: checks first, then one short write."""
    try:
        checked = check_push(database, form, dpop_proof=dpop_proof, provider=provider)
    except SpentAssertion as spent:
        with database.connection_transaction() as connection:
            fresh = first_uses(connection, (spent.one_time,))
        if not fresh[0]:
            raise OAuthError(
                "invalid_client", "the client assertion was used before (jti)"
            ) from None
        raise spent.refusal from None
    # Two statements on a Core connection: the session's bookkeeping would cost more.
    with database.connection_transaction() as connection:
        return store_push(connection, checked, provider=provider)


# Built once: building a statement costs more than running it.
_INSERT_REQUEST: Final = insert(PushedRequest).values(
    id=bindparam("id"),
    handle_hash=bindparam("handle_hash"),
    client_id=bindparam("client_id"),
    parameters=bindparam("parameters"),
    expires_at=bindparam("expires_at"),
    person_id=None,
    used_at=None,
    finished_at=None,
)


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


def _with_hinted_subject(
    claims: ClaimsRequest, hint: str | None, client: RegisteredClient, provider: Provider
) -> ClaimsRequest:
    """OIDC Core 3.1.2.1: the person an `id_token_hint` names is the one the client expects,
    held as a `sub` asked in the `claims` parameter is (only they may answer)."""
    if not hint:
        return claims
    subject = hinted_subject(hint, client=client, provider=provider)
    if claims.subject is not None and claims.subject != subject:
        raise OAuthError(
            "invalid_request", "the id_token_hint and claims.id_token.sub name two people"
        )
    return replace(claims, subject=subject)
