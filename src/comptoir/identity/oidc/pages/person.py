"""A person's consents (revocable at any time) and the log of who used their data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.identity.oidc.domain import CLAIM_LABELS
from comptoir.identity.oidc.pages.common import shown_purpose
from comptoir.identity.oidc.service import consents
from comptoir.identity.registry.pages.common import login_redirect, render, see_other
from comptoir.identity.registry.session import signed_in_person
from comptoir.kernel.i18n import _
from comptoir.kernel.web.context import node_context

router = APIRouter(include_in_schema=False)
CONSENTS_PAGE = "/identity/me/consents"
RELEASES_PAGE = "/identity/me/releases"


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
            "purpose": shown_purpose(view.purpose),
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
