"""A business's own terms: fulfilment options and fees, payment, returns (its credential is
`service/verification.py`'s)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.domain.pricing import typed_amount
from comptoir.apps.seller.service.context import Seller, get_business
from comptoir.kernel.i18n import current_locale, lazy
from comptoir.kernel.money import MoneyError


@dataclass(frozen=True)
class TermsInput:
    pickup: bool
    delivery: bool
    delivery_fee: str
    cash_on_delivery: bool
    payment_alias: str
    return_days: str


def change_terms(
    seller: Seller, *, platform_id: str, business_id: uuid.UUID, form: TermsInput
) -> None:
    if not (form.pickup or form.delivery):
        raise SellerError("fulfilment", lazy("Offer pickup, delivery or both."))
    try:
        fee = typed_amount(form.delivery_fee.strip() or "0", "XCD", locale=current_locale())
    except MoneyError:
        raise SellerError("delivery_fee", lazy("Write the delivery fee like 5.00.")) from None
    if fee.is_negative():
        raise SellerError("delivery_fee", lazy("Fees and return days cannot be negative."))
    days = form.return_days.strip()
    if not days.isdigit() or int(days) > 365:
        raise SellerError("return_days", lazy("Write the return period in days, 0 to 365."))
    alias = form.payment_alias.strip()
    if alias and ("@" not in alias or len(alias) > 128 or " " in alias):
        raise SellerError("payment_alias", lazy("A payment alias looks like shop@bank."))
    if not alias and not form.cash_on_delivery:
        raise SellerError("payment_alias", lazy("Take cash on delivery, a wallet alias, or both."))
    with seller.database.transaction() as session:
        business = get_business(session, platform_id, business_id)
        business.pickup, business.delivery = form.pickup, form.delivery
        business.delivery_fee = fee.minor
        business.cash_on_delivery = form.cash_on_delivery
        business.payment_alias = alias or None
        business.return_days = int(days)
