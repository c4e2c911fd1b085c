"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ask, then end the session."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from comptoir.identity.oidc.pages.common import provider_of, refusal_page
from comptoir.identity.oidc.provider import ENDPOINTS
from comptoir.identity.oidc.service import logout
from comptoir.identity.oidc.service.authorization_requests import AuthorizationError
from comptoir.identity.registry.pages.common import render, see_other
from comptoir.identity.registry.session import clear_session_cookie, current_session_id
from comptoir.kernel.web.context import node_context

router = APIRouter(include_in_schema=False)


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
                provider=provider_of(request),
            )
    except AuthorizationError as refusal:
        return refusal_page(request, refusal)
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
                provider=provider_of(request),
            )
            session_id = current_session_id(request)
            if session_id is not None:
                logout.end_person_session(session, session_id=session_id, clock=node.clock)
    except AuthorizationError as refusal:
        return refusal_page(request, refusal)
    if post_logout_redirect_uri:
        query = urlencode({"state": state}) if state else ""
        separator = "&" if "?" in post_logout_redirect_uri else "?"
        response = see_other(post_logout_redirect_uri + (separator + query if query else ""))
    else:
        response = see_other("/")
    clear_session_cookie(request, response)
    return response
