"""The provider's pages: the authorization endpoint with its consent screen, RP-initiated
logout, a person's consents and the log of who used their data, and the operator's list of
relying parties."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from comptoir.identity.oidc.domain import CLAIM_LABELS, SUBJECT, SUPPORTED_SCOPES
from comptoir.identity.oidc.provider import CONSENT_SECONDS, ENDPOINTS, PREFIX, Provider
from comptoir.identity.oidc.service import authorization, clients, consents, logout
from comptoir.identity.oidc.service.authorization import AuthorizationError
from comptoir.identity.registry.pages.common import login_redirect, render, see_other
from comptoir.identity.registry.session import (
    SignedInPerson,
    clear_session_cookie,
    current_session_id,
    signed_in_person,
)
from comptoir.kernel.i18n import _
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.operator import require_operator

router = APIRouter(include_in_schema=False)
CONSENTS_PAGE = "/identity/me/consents"
RELEASES_PAGE = "/identity/me/releases"
CLIENTS_PAGE = "/operator/identity/clients"
PARKED_COOKIE = "comptoir_oidc_request"
LOGIN_THEN_RESUME = "/identity/login?next=" + quote(ENDPOINTS["resume"], safe="/")


def _provider(request: Request) -> Provider:
    provider: Provider = request.app.state.oidc_provider
    return provider


def _refusal_page(request: Request, refusal: AuthorizationError) -> Response:
    return render(
        request,
        "identity_oidc/refused.html",
        {"oauth_error": refusal.error, "description": refusal.description},
        status_code=400,
    )


def _claim_rows(pending: authorization.PendingAuthorization) -> list[dict[str, Any]]:
    return [
        {
            "name": claim,
            "label": _(CLAIM_LABELS.get(claim, claim)),
            "fixed": claim == SUBJECT or claim in pending.claims.essential,
        }
        for claim in pending.claims.asked
    ]


def _consent_page(request: Request, pending: authorization.PendingAuthorization) -> Response:
    return render(
        request,
        "identity_oidc/consent.html",
        {
            "client_name": pending.client.name,
            "purpose": pending.client.purpose,
            "claims": _claim_rows(pending),
            "request_id": str(pending.request_id),
        },
    )


@router.get(ENDPOINTS["authorize"])
def authorize(request: Request, client_id: str = "", request_uri: str = "") -> Response:
    node = node_context(request)
    provider = _provider(request)
    who = signed_in_person(request)
    try:
        with node.database.transaction() as session:
            client, row = authorization.find_pushed_request(
                session, client_id=client_id, request_uri=request_uri, provider=provider
            )
            if who is None:
                parked = authorization.park_pushed_request(session, row=row, provider=provider)
            else:
                pending = authorization.use_pushed_request(
                    session, client=client, row=row, person_id=who.person_id, provider=provider
                )
                location = _grant_if_covered(session, pending, who, provider)
                if location is not None:
                    return see_other(location)
                return _consent_page(request, pending)
    except AuthorizationError as refusal:
        return _refusal_page(request, refusal)
    response = see_other(LOGIN_THEN_RESUME)
    response.set_cookie(
        PARKED_COOKIE,
        parked,
        max_age=CONSENT_SECONDS,
        httponly=True,
        secure=node.settings.secure_cookies,
        samesite="lax",
        path=PREFIX,
    )
    return response


@router.get(ENDPOINTS["resume"])
def resume(request: Request) -> Response:
    """Back from the login page: the request this browser parked goes on."""
    who = signed_in_person(request)
    if who is None:
        return see_other(LOGIN_THEN_RESUME)
    node = node_context(request)
    provider = _provider(request)
    try:
        with node.database.transaction() as session:
            pending = authorization.resume_parked_request(
                session,
                parked=request.cookies.get(PARKED_COOKIE, ""),
                person_id=who.person_id,
                provider=provider,
            )
            location = _grant_if_covered(session, pending, who, provider)
            response = (
                see_other(location) if location is not None else _consent_page(request, pending)
            )
    except AuthorizationError as refusal:
        return _refusal_page(request, refusal)
    response.delete_cookie(
        PARKED_COOKIE,
        path=PREFIX,
        httponly=True,
        secure=node.settings.secure_cookies,
        samesite="lax",
    )
    return response


def _grant_if_covered(
    session: Session,
    pending: authorization.PendingAuthorization,
    who: SignedInPerson,
    provider: Provider,
) -> str | None:
    decision = authorization.consent_in_force(session, pending)
    if decision is None:
        return None
    return authorization.grant(
        session,
        pending,
        decision=decision,
        authenticated_at=who.authenticated_at.timestamp(),
        provider=provider,
    )


@router.post(ENDPOINTS["consent"])
def decide(
    request: Request,
    request_id: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    claim: Annotated[list[str] | None, Form()] = None,
) -> Response:
    node = node_context(request)
    provider = _provider(request)
    who = signed_in_person(request)
    if who is None:
        return login_redirect(request)
    try:
        parsed_id = uuid.UUID(request_id)
    except ValueError:
        return _refusal_page(
            request, AuthorizationError("invalid_request", "there is no authorization to decide")
        )
    try:
        with node.database.transaction() as session:
            pending = authorization.pending_for_consent(
                session, request_id=parsed_id, person_id=who.person_id, provider=provider
            )
            if decision != "allow":
                return see_other(authorization.deny(session, pending, provider=provider))
            answer = consents.record_consent(
                session,
                person_id=who.person_id,
                client=pending.client,
                wanted=pending.claims,
                ticked=claim or [],
                clock=node.clock,
            )
            location = authorization.grant(
                session,
                pending,
                decision=answer,
                authenticated_at=who.authenticated_at.timestamp(),
                provider=provider,
            )
    except AuthorizationError as refusal:
        return _refusal_page(request, refusal)
    return see_other(location)


# --- RP-initiated logout -------------------------------------------------------------------


@router.get(ENDPOINTS["logout"])
def logout_confirm(
    request: Request,
    id_token_hint: str = "",
    post_logout_redirect_uri: str = "",
    state: str = "",
    client_id: str = "",
) -> Response:
    node = node_context(request)
    try:
        with node.database.reading() as session:
            target = logout.check_request(
                session,
                id_token_hint=id_token_hint,
                post_logout_redirect_uri=post_logout_redirect_uri,
                client_id=client_id,
                provider=_provider(request),
            )
    except AuthorizationError as refusal:
        return _refusal_page(request, refusal)
    return render(
        request,
        "identity_oidc/logout.html",
        {
            "client_name": target.client_name,
            "id_token_hint": id_token_hint,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "state": state,
            "client_id": client_id,
        },
    )


@router.post(ENDPOINTS["logout"])
def logout_end(
    request: Request,
    id_token_hint: Annotated[str, Form()] = "",
    post_logout_redirect_uri: Annotated[str, Form()] = "",
    state: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
) -> Response:
    node = node_context(request)
    try:
        with node.database.transaction() as session:
            logout.check_request(
                session,
                id_token_hint=id_token_hint,
                post_logout_redirect_uri=post_logout_redirect_uri,
                client_id=client_id,
                provider=_provider(request),
            )
            session_id = current_session_id(request)
            if session_id is not None:
                logout.end_person_session(session, session_id=session_id, clock=node.clock)
    except AuthorizationError as refusal:
        return _refusal_page(request, refusal)
    if post_logout_redirect_uri:
        query = urlencode({"state": state}) if state else ""
        separator = "&" if "?" in post_logout_redirect_uri else "?"
        response = see_other(post_logout_redirect_uri + (separator + query if query else ""))
    else:
        response = see_other("/")
    clear_session_cookie(request, response)
    return response


# --- the person's consents and releases ----------------------------------------------------


@router.get(CONSENTS_PAGE)
def my_consents(request: Request, revoked: str = "") -> Response:
    who = signed_in_person(request)
    if who is None:
        return login_redirect(request)
    with node_context(request).database.reading() as session:
        found = consents.list_consents(session, person_id=who.person_id)
    rows = [
        {
            "client_id": view.client_id,
            "client_name": view.client_name,
            "purpose": view.purpose,
            "version": view.version,
            "claims": [_(CLAIM_LABELS.get(name, name)) for name in view.claims],
            "granted_at": view.granted_at,
            "revoked_at": view.revoked_at,
        }
        for view in found
    ]
    notice = _("Consent revoked. That service gets nothing more from you.") if revoked else None
    return render(request, "identity_oidc/consents.html", {"consents": rows, "notice": notice})


@router.post(CONSENTS_PAGE + "/{client_id}/revoke")
def revoke(request: Request, client_id: str) -> Response:
    who = signed_in_person(request)
    if who is None:
        return login_redirect(request)
    node = node_context(request)
    with node.database.transaction() as session:
        consents.revoke_consent(
            session, person_id=who.person_id, client_id=client_id, clock=node.clock
        )
    return see_other(CONSENTS_PAGE + "?revoked=1")


@router.get(RELEASES_PAGE)
def my_releases(request: Request) -> Response:
    who = signed_in_person(request)
    if who is None:
        return login_redirect(request)
    with node_context(request).database.reading() as session:
        found = consents.list_releases(session, person_id=who.person_id)
    rows = [
        {
            "client_name": view.client_name,
            "channel": _("Sign-in token") if view.channel == "id_token" else _("Direct request"),
            "claims": [_(CLAIM_LABELS.get(name, name)) for name in view.claims],
            "released_at": view.released_at,
        }
        for view in found
    ]
    return render(request, "identity_oidc/releases.html", {"releases": rows})


# --- the operator's relying parties ----------------------------------------------------------


def _clients_page(
    request: Request, *, form: dict[str, Any] | None = None, status_code: int = 200, **extra: Any
) -> Response:
    with node_context(request).database.reading() as session:
        registered = clients.list_clients(session)
    context: dict[str, Any] = {
        "clients": registered,
        "scopes": SUPPORTED_SCOPES,
        "form": form or {"scopes": ["openid"]},
        **extra,
    }
    return render(request, "identity_oidc/clients.html", context, status_code=status_code)


@router.get(CLIENTS_PAGE, dependencies=[Depends(require_operator)])
def clients_page(request: Request) -> Response:
    return _clients_page(request)


@router.post(CLIENTS_PAGE, dependencies=[Depends(require_operator)])
def add_client(
    request: Request,
    *,
    name: Annotated[str, Form()] = "",
    redirect_uris: Annotated[str, Form()] = "",
    post_logout_redirect_uris: Annotated[str, Form()] = "",
    jwks: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
    scope: Annotated[list[str] | None, Form()] = None,
) -> Response:
    import json

    node = node_context(request)
    form = {
        "name": name,
        "redirect_uris": redirect_uris,
        "post_logout_redirect_uris": post_logout_redirect_uris,
        "jwks": jwks,
        "purpose": purpose,
        "scopes": scope or [],
    }
    try:
        document = json.loads(jwks) if jwks.strip() else {}
        if not isinstance(document, dict):
            raise ValueError
    except ValueError:
        return _clients_page(
            request,
            form=form,
            status_code=400,
            error=_("The JWKS is not a JSON object."),
            error_field="jwks",
        )
    try:
        with node.database.transaction() as session:
            added = clients.add_client(
                session,
                name=name,
                redirect_uris=redirect_uris.split(),
                post_logout_redirect_uris=post_logout_redirect_uris.split(),
                jwks=document,
                scopes=" ".join(["openid", *(scope or [])]),
                purpose=purpose,
                actor="operator:web",
                clock=node.clock,
            )
    except clients.ClientRegistrationError as error:
        return _clients_page(
            request,
            form=form,
            status_code=400,
            error=_("This relying party cannot be registered: {reason}.", reason=error.message),
            error_field=error.field,
        )
    return _clients_page(
        request,
        notice=_(
            "{name} is registered. Its client_id is {client_id}.",
            name=added.name,
            client_id=added.client_id,
        ),
    )
