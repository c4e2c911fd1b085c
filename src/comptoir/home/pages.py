"""The landing page and one page per role, listing the services this node offers to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from comptoir.kernel.i18n import N_, LazyText
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.navigation import Role

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class RoleText:
    path: str
    name: str
    description: str


ROLE_TEXTS: dict[Role, RoleText] = {
    Role.SHOPPER: RoleText(
        "/shop",
        N_("Shopper"),
        N_(
            "Find goods and services from sellers all over the country, pay from any bank or "
            "wallet, and get help if something goes wrong."
        ),
    ),
    Role.SELLER: RoleText(
        "/sell",
        N_("Seller"),
        N_("Put your shop online once and be found by every shopping app; get paid instantly."),
    ),
    Role.BANK: RoleText(
        "/bank",
        N_("Bank or wallet"),
        N_(
            "Connect your customers to instant payments with every other bank, wallet and "
            "credit union."
        ),
    ),
    Role.OPERATOR: RoleText(
        "/operator",
        N_("Operator"),
        N_(
            "Run the rails: approve participants, watch settlement, resolve complaints and "
            "publish the figures."
        ),
    ),
}


def _role_view(role: Role) -> dict[str, str]:
    text = ROLE_TEXTS[role]
    return {
        "name": LazyText(text.name).render(),
        "href": text.path,
        "description": LazyText(text.description).render(),
    }


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    roles = [_role_view(role) for role in Role]
    return node_context(request).templates.render(request, "home/index.html", {"roles": roles})


def _role_page(role: Role) -> Callable[[Request], HTMLResponse]:
    def role_page(request: Request) -> HTMLResponse:
        node = node_context(request)
        services = [
            {
                "name": LazyText(link.label).render(),
                "href": link.href,
                "description": LazyText(link.description).render(),
            }
            for link in node.directory.for_role(role)
        ]
        return node.templates.render(
            request, "home/role.html", {"role": _role_view(role), "services": services}
        )

    return role_page


for _role, _text in ROLE_TEXTS.items():
    router.add_api_route(_text.path, _role_page(_role), methods=["GET"], name=f"role-{_role}")
