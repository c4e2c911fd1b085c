"""The operator's list of relying parties, and the form that registers one."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from comptoir.identity.oidc.domain import SUPPORTED_SCOPES
from comptoir.identity.oidc.service import clients
from comptoir.identity.registry.pages.common import render
from comptoir.kernel.i18n import _
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.operator import require_operator

router = APIRouter(include_in_schema=False)
CLIENTS_PAGE = "/operator/identity/clients"


def _clients_page(
    request: Request, *, form: dict[str, Any] | None = None, status_code: int = 200, **extra: Any
) -> Response:
    with node_context(request).database.reading() as session:
        registered = clients.list_clients(session)
    context: dict[str, Any] = {
        "clients": registered,
        "scopes": SUPPORTED_SCOPES,
        # A new client gets signed userinfo answers unless the operator unticks it: ID tokens
        # and userinfo are both signed JWTs on this node.
        "form": form or {"scopes": ["openid"], "signed_userinfo": "ES256"},
        **extra,
    }
    return render(request, "identity_oidc/clients.html", context, status_code=status_code)


# The service's field names where the form's differ (one URI a line, in one box).
_FORM_FIELDS = {
    "redirect_uri": "redirect_uris",
    "post_logout_redirect_uri": "post_logout_redirect_uris",
}


def _sentence(reason: str) -> str:
    """A reason ("the name must have...") as a sentence of its own; one that starts with a
    URI keeps it as written."""
    starts_with_uri = re.match(r"[a-z][a-z0-9+.-]*://", reason) is not None
    return (reason if starts_with_uri else reason[:1].upper() + reason[1:]) + "."


def _refusal_context(problems: tuple[clients.ClientRegistrationError, ...]) -> dict[str, Any]:
    """Every problem of the form at once: in the summary, and each beside its own field."""
    texts = [
        (_FORM_FIELDS.get(problem.field, problem.field), problem.text.render())
        for problem in problems
    ]
    beside: dict[str, str] = {}
    for field, text in texts:
        beside.setdefault(field, _sentence(text))
    return {
        "error": _("This relying party cannot be registered: {reason}.", reason=texts[0][1]),
        "errors": [(field, _sentence(text)) for field, text in texts],
        "error_field": texts[0][0],
        "error_fields": beside,
    }


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
    signed_userinfo: Annotated[str, Form()] = "",
) -> Response:
    node = node_context(request)
    form = {
        "name": name,
        "redirect_uris": redirect_uris,
        "post_logout_redirect_uris": post_logout_redirect_uris,
        "jwks": jwks,
        "purpose": purpose,
        "scopes": scope or [],
        "signed_userinfo": signed_userinfo,
    }
    document: dict[str, Any] | None
    try:
        parsed = json.loads(jwks) if jwks.strip() else {}
        document = parsed if isinstance(parsed, dict) else None
    except (ValueError, RecursionError):
        document = None  # refused by the service, with the form's other problems
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
                userinfo_signed_response_alg=signed_userinfo or None,
                actor="operator:web",
                clock=node.clock,
            )
    except clients.ClientRegistrationError as error:
        return _clients_page(
            request, form=form, status_code=400, **_refusal_context(error.problems)
        )
    return _clients_page(
        request,
        notice=_(
            "{name} is registered. Its client_id is {client_id}.",
            name=added.name,
            client_id=added.client_id,
        ),
    )
