"""What the buyer app's pages share: rendering with its labels, the payment QR code, and the
app and shopper a request is for."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup

from comptoir.apps.buyer.domain import REFUSALS, UNKNOWN_REFUSAL
from comptoir.apps.buyer.service import orders
from comptoir.apps.buyer.service.context import AppView, the_app
from comptoir.apps.buyer.web import buyer_of
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText, current_locale
from comptoir.kernel.money import Money, format_money
from comptoir.kernel.qr_svg import render_svg
from comptoir.kernel.web.context import node_context

SHOPPER_COOKIE = "comptoir_shopper"
CATEGORIES = {
    "produce": N_("Fresh produce"),
    "spices": N_("Spices and preserves"),
    "crafts": N_("Crafts"),
    "clothing": N_("Clothing"),
    "tourism": N_("Tours and services"),
}
PLACES = (
    "Castries",
    "Soufrière",
    "Gros Islet",
    "Vieux Fort",
    "Roseau",
    "Basse-Terre",
    "Fort-de-France",
    "St. George's",
)
SELLER_STATES = {
    "draft": N_("Not confirmed"),
    "confirmed": N_("Confirmed"),
    "packed": N_("Packed"),
    "ready": N_("Ready for pickup"),
    "shipped": N_("Out for delivery"),
    "delivered": N_("Delivered"),
    "cancelled": N_("Cancelled"),
    "return_requested": N_("Return requested"),
    "returned": N_("Returned"),
}
ORDER_STATES = {
    "cart": N_("In your cart"),
    "quoted": N_("Quote received"),
    "initialised": N_("Ready to order"),
    "confirmed": N_("Ordered"),
    "cancelled": N_("Cancelled"),
}
FEES = {"DELIVERY": N_("Delivery fee"), "SERVICE": N_("Platform service fee")}


def _text(labels: dict[str, str], key: str | None) -> str:
    return LazyText(labels.get(key or "", key or "")).render()


def qr_svg(payload: str, title: str) -> Markup:
    """The payment QR code as inline SVG: no script, no request, a few KB."""
    # segno's own output, with the title escaped by segno.
    return Markup(render_svg(payload, scale=3, title=title))  # noqa: S704


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    values: dict[str, Any] = {
        "money": lambda minor, currency="XCD": format_money(
            Money(minor, currency), current_locale()
        ),
        "category_label": lambda key: _text(CATEGORIES, key),
        "seller_state": lambda key: _text(SELLER_STATES, key),
        "order_state": lambda key: _text(ORDER_STATES, key),
        "fee_label": lambda key: _text(FEES, key),
        "refusal": lambda code: LazyText(REFUSALS.get(code or "", UNKNOWN_REFUSAL)).render(),
        "categories": CATEGORIES,
        "places": PLACES,
    }
    values.update(context)
    response = node_context(request).templates.render(
        request, template, values, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def app_or_404(request: Request) -> AppView:
    found = the_app(buyer_of(request))
    if found is None:
        raise Problem(NOT_FOUND)
    return found


def shopper_of(request: Request) -> str | None:
    token = request.cookies.get(SHOPPER_COOKIE)
    if not token or len(token) > 100:
        return None
    return orders.shopper_digest(token)


def parse_uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Problem(NOT_FOUND) from None
