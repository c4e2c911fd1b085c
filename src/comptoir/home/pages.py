"""The landing page."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from comptoir.kernel.i18n import N_, LazyText
from comptoir.kernel.web.context import node_context

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Role:
    name: str
    href: str
    description: str


# The pages behind these links arrive with their blocks; each link says what it will lead to.
ROLES = (
    Role(
        N_("Shopper"),
        "/shop",
        N_("Find goods and services from sellers all over the country, pay from any bank or "
           "wallet, and get help if something goes wrong."),
    ),
    Role(
        N_("Seller"),
        "/sell",
        N_("Put your shop online once and be found by every shopping app; get paid instantly."),
    ),
    Role(
        N_("Bank or wallet"),
        "/bank",
        N_("Connect your customers to instant payments with every other bank, wallet and "
           "credit union."),
    ),
    Role(
        N_("Operator"),
        "/operator",
        N_("Run the rails: approve participants, watch settlement, resolve complaints and "
           "publish the figures."),
    ),
)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    roles = [
        {
            "name": LazyText(role.name).render(),
            "href": role.href,
            "description": LazyText(role.description).render(),
        }
        for role in ROLES
    ]
    return node_context(request).templates.render(request, "home/index.html", {"roles": roles})
