"""The operator's pages for the network (participants, keys, approve and revoke) and the
public page that tells a participant how to join."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.operator import require_operator
from comptoir.network.node import NodeIdentities
from comptoir.network.registry import queries, service

router = APIRouter(include_in_schema=False)
operator_only = [Depends(require_operator)]
ACTOR = "operator:web"
# The registry's statuses and subscriber types (Beckn's words), as the operator reads them.
STATUS_LABELS: Mapping[str, str] = {
    "INITIATED": N_("Added, waiting for approval"),
    "UNDER_SUBSCRIPTION": N_("Subscribed, waiting for approval"),
    "SUBSCRIBED": N_("Approved"),
    "UNSUBSCRIBED": N_("Revoked"),
}
TYPE_LABELS: Mapping[str, str] = {
    "BAP": N_("Buyer app"),
    "BPP": N_("Seller platform"),
    "BG": N_("Gateway"),
}


def _labelled(labels: Mapping[str, str], code: str) -> str:
    """The label in the reader's language, then the protocol's own word: "Approuvé (SUBSCRIBED)"."""
    return f"{LazyText(labels[code]).render()} ({code})" if code in labels else code


LABELS = {
    "status_label": lambda code: _labelled(STATUS_LABELS, code),
    "type_label": lambda code: _labelled(TYPE_LABELS, code),
}


@router.get("/operator/network", response_class=HTMLResponse, dependencies=operator_only)
def network_overview(request: Request) -> HTMLResponse:
    node = node_context(request)
    with node.database.reading() as session:
        subscribers = queries.list_subscribers(session)
    return node.templates.render(
        request, "network/overview.html", {"subscribers": subscribers, **LABELS}
    )


@router.get(
    "/operator/network/subscribers/{subscriber_id:path}",
    response_class=HTMLResponse,
    dependencies=operator_only,
)
def subscriber_page(request: Request, subscriber_id: str) -> HTMLResponse:
    node = node_context(request)
    with node.database.reading() as session:
        view = queries.get(session, subscriber_id)
    now = node.clock.now()
    keys = [
        {
            "row": key,
            "live": key.revoked_at is None and key.valid_from <= now < key.valid_until,
        }
        for key in view.keys
    ]
    return node.templates.render(
        request, "network/subscriber.html", {"subscriber": view.subscriber, "keys": keys, **LABELS}
    )


@router.post("/operator/network/approve", dependencies=operator_only)
async def approve_subscriber(request: Request) -> RedirectResponse:
    return await _change(request, service.approve)


@router.post("/operator/network/revoke", dependencies=operator_only)
async def revoke_subscriber(request: Request) -> RedirectResponse:
    return await _change(request, service.revoke)


async def _change(request: Request, change: service.StatusChange) -> RedirectResponse:
    node = node_context(request)
    form = await request.form()
    subscriber_id = form.get("subscriber_id")
    if not isinstance(subscriber_id, str) or not subscriber_id:
        raise Problem(NOT_FOUND)
    with node.database.transaction() as session:
        change(session, clock=node.clock, subscriber_id=subscriber_id, actor=ACTOR)
    _forget_keys(request)
    return RedirectResponse(f"/operator/network/subscribers/{subscriber_id}", status_code=303)


@router.post("/operator/network/keys/revoke", dependencies=operator_only)
async def revoke_key(request: Request) -> RedirectResponse:
    node = node_context(request)
    form = await request.form()
    subscriber_id, unique_key_id = form.get("subscriber_id"), form.get("unique_key_id")
    if not isinstance(subscriber_id, str) or not isinstance(unique_key_id, str):
        raise Problem(NOT_FOUND)
    with node.database.transaction() as session:
        service.revoke_key(
            session,
            clock=node.clock,
            subscriber_id=subscriber_id,
            unique_key_id=unique_key_id,
            actor=ACTOR,
        )
    _forget_keys(request)
    return RedirectResponse(f"/operator/network/subscribers/{subscriber_id}", status_code=303)


def _forget_keys(request: Request) -> None:
    keys = getattr(request.app.state, "network_keys", None)
    if keys is not None:
        keys.forget()


@router.get("/network", response_class=HTMLResponse)
def join_page(request: Request) -> HTMLResponse:
    """For the builders of a buyer app or a seller platform: how to join. Public on purpose."""
    node = node_context(request)
    identities: NodeIdentities = request.app.state.network_identities
    return node.templates.render(
        request,
        "network/join.html",
        {
            "registry_url": identities.registry_url,
            "gateway_url": identities.gateway_url,
            "gateway": identities.gateway,
        },
    )
