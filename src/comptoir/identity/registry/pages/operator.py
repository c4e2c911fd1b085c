"""The operator's page for business registrations: those waiting, verified with one button."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from comptoir.identity.registry import service
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.pages.common import error_context, render, see_other
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.ids import parse_id
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.operator import require_operator

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_operator)])

OPERATOR_ACTOR = "operator:web"


def _page(request: Request, *, error: RegistryError | None = None) -> Response:
    with node_context(request).database.reading() as session:
        waiting = service.list_businesses(session, verified=False)
        verified = service.list_businesses(session, verified=True, limit=50)
    context = {"waiting": waiting, "verified": verified}
    if error is not None:
        context.update(error_context(error))
    return render(
        request,
        "identity/operator_businesses.html",
        context,
        status_code=200 if error is None else 400,
    )


@router.get("/operator/identity/businesses")
def businesses(request: Request) -> Response:
    return _page(request)


@router.post("/operator/identity/businesses/{business_id}/verify")
def verify(request: Request, business_id: str) -> Response:
    node = node_context(request)
    try:
        parsed = parse_id(business_id)
    except ValueError:
        raise Problem(NOT_FOUND) from None
    try:
        with node.database.transaction() as session:
            service.verify_business(
                session, business_id=parsed, actor=OPERATOR_ACTOR, clock=node.clock
            )
    except RegistryError as error:
        return _page(request, error=error)
    return see_other("/operator/identity/businesses")
