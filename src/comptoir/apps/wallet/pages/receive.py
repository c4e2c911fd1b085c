"""Receiving: what others pay a customer with, and a merchant's own QR code.

A merchant makes its code here: one to print for the counter (no amount: the payer types it)
or one for a single sale (the amount fixed). The code carries the merchant's alias and name,
and the town it types, which EMVCo's payload requires. What makes the code travels in the
address (a town, an amount), so the page can be bookmarked or reloaded; nothing personal does.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from comptoir.apps.wallet.domain.amounts import parse_amount
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.qr import QR_CITY_LENGTH, merchant_qr
from comptoir.apps.wallet.pages.common import Visitor, error_text, render, visitor
from comptoir.kernel.emvco_qr import decode
from comptoir.kernel.i18n import _, current_locale
from comptoir.kernel.money import Money
from comptoir.kernel.phones import current_phone_region, phone_country
from comptoir.kernel.qr_svg import render_svg

router = APIRouter(include_in_schema=False)


@router.get("/wallets/{institution_id}/receive")
def receive(request: Request, institution_id: str, city: str = "", amount: str = "") -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    customer = who.customer
    context: dict[str, object] = {
        "institution": who.institution,
        "customer": customer,
        "city": city,
        "amount": amount,
    }
    if customer.is_merchant and customer.alias and (city or amount):
        currency = who.institution.currency
        try:
            minor = parse_amount(amount, currency, locale=current_locale()) if amount else None
            fixed = None if minor is None else Money(minor, currency)
            payload = merchant_qr(
                alias=customer.alias,
                name=customer.name,
                city=city,
                # A payload names a country: the merchant's, by its phone number.
                country=phone_country(customer.phone) or current_phone_region() or "",
                currency=currency,
                amount=fixed,
                category=customer.merchant_category,
            )
        except WalletError as error:
            field = "city" if error.code.startswith("qr") else "amount"
            context |= {"error": error_text(error), "error_field": field}
            return render(request, "wallet/receive.html", context, status_code=400)
        title = _("QR code to pay {name}", name=customer.name)
        # segno's own drawing, with the title escaped by segno.
        svg = Markup(render_svg(payload, title=title))  # noqa: S704
        context |= {"payload": payload, "qr_svg": svg, "fixed": fixed}
        if len(" ".join(city.split())) > QR_CITY_LENGTH:
            # The scheme's field holds 15 characters: say what the sticker will print.
            context["city_printed"] = decode(payload).merchant_city
    return render(request, "wallet/receive.html", context)
