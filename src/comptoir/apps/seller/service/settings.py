"""A business's own terms: fulfilment options and fees, payment, returns (its credential is
`service/verification.py`'s)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.service.context import Seller, get_business, get_platform
from comptoir.kernel.i18n import LazyText, current_locale, lazy
from comptoir.kernel.money import (
    AmountNegative,
    AmountTooLarge,
    AmountTooPrecise,
    Money,
    MoneyError,
    format_money,
    too_precise,
    typed_amount,
    typed_count,
)
from comptoir.kernel.text import typed_text

# As an item's price: a slip of the finger is caught, and a quote's total fits a BIGINT.
MAX_FEE = 100_000_000


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
    with seller.database.reading() as session:
        currency = get_platform(session, platform_id).currency
    fee, days, alias = _checked(form, currency)
    with seller.database.transaction() as session:
        business = get_business(session, platform_id, business_id)
        business.pickup, business.delivery = form.pickup, form.delivery
        business.delivery_fee = fee
        business.cash_on_delivery = form.cash_on_delivery
        business.payment_alias = alias or None
        business.return_days = days


def terms_problems(form: TermsInput, currency: str) -> dict[str, LazyText]:
    """What is wrong with each field of the terms as typed, as saving them would say; {} if
    nothing is."""
    try:
        _checked(form, currency)
    except SellerError as error:
        return error.fields
    return {}


def _checked(form: TermsInput, currency: str) -> tuple[int, int, str]:
    """The delivery fee (minor units), the return days and the payment alias, or a SellerError
    naming every field that is wrong."""
    problems: dict[str, LazyText] = {}
    if not (form.pickup or form.delivery):
        problems["fulfilment"] = lazy("Offer pickup, delivery or both.")
    fee = _fee(form.delivery_fee.strip() or "0", currency)
    if isinstance(fee, LazyText):
        problems["delivery_fee"] = fee
    days = typed_count(form.return_days, locale=current_locale())
    if days is None or days > 365:
        problems["return_days"] = lazy("Write the return period in days, 0 to 365.")
    alias = typed_text(form.payment_alias).strip()
    if alias and ("@" not in alias or len(alias) > 128 or " " in alias):
        problems["payment_alias"] = lazy("A payment alias looks like shop@bank.")
    elif not alias and not form.cash_on_delivery:
        problems["payment_alias"] = lazy("Take cash on delivery, a wallet alias, or both.")
    if problems or isinstance(fee, LazyText) or days is None:
        field, text = next(iter(problems.items()))
        raise SellerError(field, text, problems)
    return fee, days, alias


def _fee(typed: str, currency: str) -> LazyText | int:
    """The delivery fee in minor units of the platform's currency, or what is wrong with it."""
    try:
        fee = typed_amount(typed, currency, locale=current_locale())
    except AmountTooPrecise:
        return too_precise(typed, currency)
    except AmountTooLarge:
        return _fee_too_high(currency)
    except AmountNegative:
        return lazy("Fees and return days cannot be negative.")
    except MoneyError:
        return lazy("Write the delivery fee like 5.00.")
    if fee.minor > MAX_FEE:
        return _fee_too_high(currency)
    return fee.minor


def _fee_too_high(currency: str) -> LazyText:
    ceiling = format_money(Money(MAX_FEE, currency), current_locale())
    return lazy("The delivery fee is at most {limit}.", limit=ceiling)
