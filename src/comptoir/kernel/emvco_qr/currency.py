"""Tags 53 and 54: the currencies a QR may carry, by ISO 4217 numeric code, and the amount."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import pycountry

from comptoir.kernel.emvco_qr.errors import QrError
from comptoir.kernel.money import Money, MoneyError, known_currencies, minor_unit_digits

__all__ = [
    "CURRENCY_BY_NUMERIC",
    "ISO_4217_NUMERIC",
    "amount_text",
    "check_amount",
    "numeric_currency",
    "parse_amount",
    "read_amount",
]

# ISO 4217 numeric codes for every currency a `Money` can hold (pycountry carries ISO 4217,
# CLDR only the letters): a payload from another country's scheme decodes in its own currency.
# Withdrawn codes and units without a minor unit (gold, the SDR) are refused, not guessed.
ISO_4217_NUMERIC: Final[Mapping[str, str]] = MappingProxyType(
    {
        alpha: found.numeric
        for alpha in sorted(known_currencies())
        if (found := pycountry.currencies.get(alpha_3=alpha)) is not None
    }
)
CURRENCY_BY_NUMERIC: Final = {numeric: alpha for alpha, numeric in ISO_4217_NUMERIC.items()}

_AMOUNT: Final = re.compile(r"[0-9]+(?:\.([0-9]+))?")


def numeric_currency(currency: str) -> str:
    """The ISO 4217 numeric code for tag 53 ("XCD" -> "951"); QrError for a currency not kept."""
    numeric = ISO_4217_NUMERIC.get(currency) if isinstance(currency, str) else None
    if numeric is None:
        raise QrError(
            "unsupported_currency",
            f"{currency!r} is not a currency a merchant QR can carry: an ISO 4217 code in "
            "current use with a minor unit, such as XCD.",
            field="currency",
        )
    return numeric


def check_amount(amount: Money, currency: str) -> None:
    if not isinstance(amount, Money):
        raise TypeError(f"amount must be a Money, not {type(amount).__name__}.")
    if amount.currency != currency:
        raise QrError(
            "invalid_field",
            f"The amount is in {amount.currency} but the QR's currency (tag 53) is {currency}.",
            field="amount",
        )
    if not amount.is_positive():
        raise QrError(
            "invalid_field",
            f"The transaction amount (tag 54) must be more than zero, not {amount.to_fixed()}.",
            field="amount",
        )
    if len(amount_text(amount)) > 13:
        raise QrError(
            "invalid_field",
            f"The transaction amount (tag 54) {amount.to_fixed()} is longer than 13 characters.",
            field="amount",
        )


def amount_text(amount: Money) -> str:
    """Tag 54 as written: the currency's decimals ("12.50"), or, where those would pass the 13
    characters the tag allows, no more of them than the amount needs ("12345678901")."""
    fixed = amount.to_fixed()
    return fixed if len(fixed) <= 13 else amount.to_wire()


def read_amount(text: str, currency: str) -> Money:
    """Read an amount from a payload: as `parse_amount`, and the specification also lets the
    point stand without decimals ("98."). Typed input keeps the plain form."""
    if len(text) <= 13 and text[:-1].isdigit() and text.endswith(".") and text.isascii():
        return parse_amount(text[:-1], currency)
    return parse_amount(text, currency)


def parse_amount(text: str, currency: str) -> Money:
    """Read a typed or tag 54 amount ("12.50", "12.5", "12"): digits, an optional point, no more
    decimals than the currency has, more than zero, at most 13 characters."""
    numeric_currency(currency)
    digits = minor_unit_digits(currency)
    match = _AMOUNT.fullmatch(text)
    if match is None or len(text) > 13:
        raise QrError(
            "invalid_field",
            f"The transaction amount (tag 54) {text!r} is not a plain amount such as 12.50 "
            "(at most 13 characters: digits and an optional decimal point).",
            field="amount",
        )
    if len(match.group(1) or "") > digits:
        raise QrError(
            "invalid_field",
            f"The transaction amount (tag 54) {text} has more decimals than {currency} allows "
            f"({digits}).",
            field="amount",
        )
    try:
        amount = Money.parse(text, currency)
    except MoneyError as exc:  # pragma: no cover - the checks above leave nothing for it
        raise QrError("invalid_field", str(exc), field="amount") from exc
    check_amount(amount, currency)
    return amount
