"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ask, then end the session.

Section 2 lets the relying party send the logout request by GET or by POST, so a POST is taken
in two ways: the relying party's (its parameters and no form token of ours), answered with the
same question as a GET, which changes nothing; and the person's answer to that question, which
carries the form token and ends the session. The POST is a plain Starlette route, so that the
node's CSRF check, which would refuse the relying party's form, is made here only for the
person's answer.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from comptoir.identity.oidc.pages.common import provider_of, refusal_page
from comptoir.identity.oidc.provider import ENDPOINTS
from comptoir.identity.oidc.service import logout
from comptoir.identity.oidc.service.authorization_requests import AuthorizationError
from comptoir.identity.registry.pages.common import render, see_other
from comptoir.identity.registry.session import clear_session_cookie, current_session_id
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.csrf import CSRF_FIELD, verify_csrf

router = APIRouter(include_in_schema=False)
_PARAMETERS = ("id_token_hint", "post_logout_redirect_uri", "state", "client_id")


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


async def logout_posted(request: Request) -> Response:
    form = await request.form()
    values = {name: _text(form.get(name)) for name in _PARAMETERS}
    if CSRF_FIELD not in form:
        # The relying party's request, by POST: asked like a GET.
        return await run_in_threadpool(logout_confirm, request, **values)
    await verify_csrf(request)
    return await run_in_threadpool(logout_end, request, **values)


def logout_end(
    request: Request,
    id_token_hint: str = "",
    post_logout_redirect_uri: str = "",
    state: str = "",
    client_id: str = "",
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


def routes() -> list[Route]:
    """The logout endpoint's POST, to go before the pages' router."""
    return [Route(ENDPOINTS["logout"], logout_posted, methods=["POST"])]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
