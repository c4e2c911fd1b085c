"""What the seller platform's pages share: rendering, labels, the signed-in owner."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from comptoir.apps.seller.models import Business, Platform
from comptoir.apps.seller.service import items as catalogue
from comptoir.apps.seller.service import signin
from comptoir.apps.seller.web import seller_of
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText, current_locale
from comptoir.kernel.money import Money, format_money
from comptoir.kernel.web.context import node_context

SESSION_COOKIE = "comptoir_seller"

STATE_LABELS = {
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
CATEGORY_LABELS = {
    "produce": N_("Fresh produce"),
    "spices": N_("Spices and preserves"),
    "crafts": N_("Crafts"),
    "clothing": N_("Clothing"),
    "tourism": N_("Tours and services"),
}
FEE_LABELS = {"DELIVERY": N_("Delivery fee"), "SERVICE": N_("Platform service fee")}
FULFILMENT_LABELS = {"PICKUP": N_("Pickup at the shop"), "DELIVERY": N_("Local delivery")}
PAYMENT_LABELS = {"COD": N_("Cash on delivery"), "WALLET": N_("Wallet payment")}
# How a request to pay ended without paying, as the business's wallet reported it.
UNPAID_LABELS = {"declined": N_("Declined"), "expired": N_("Expired"), "failed": N_("Failed")}


def label_of(labels: dict[str, str], key: str) -> str:
    return LazyText(labels.get(key, key)).render()


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    values: dict[str, Any] = {
        "money": lambda minor, currency: format_money(Money(minor, currency), current_locale()),
        "state_label": lambda key: label_of(STATE_LABELS, key),
        "category_label": lambda key: label_of(CATEGORY_LABELS, key),
        "fee_label": lambda key: label_of(FEE_LABELS, key),
        "fulfilment_label": lambda key: label_of(FULFILMENT_LABELS, key),
        "payment_label": lambda key: label_of(PAYMENT_LABELS, key),
        "unpaid_label": lambda key: label_of(UNPAID_LABELS, key),
        "categories": catalogue.CATEGORIES,
    }
    values.update(context)
    response = node_context(request).templates.render(
        request, template, values, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def platform_or_404(request: Request, platform_id: str) -> Platform:
    with seller_of(request).database.reading() as session:
        found = session.get(Platform, platform_id)
    if found is None:
        raise Problem(NOT_FOUND)
    return found


def owner_or_signin(request: Request, platform_id: str) -> Business | RedirectResponse:
    business = signin.session_business(
        seller_of(request), platform_id=platform_id, token=request.cookies.get(SESSION_COOKIE)
    )
    if business is None:
        return see_other(f"/sellers/{platform_id}/signin")
    return business


def parse_uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Problem(NOT_FOUND) from None


# Public pages


FormField = Annotated[str, Form()]
