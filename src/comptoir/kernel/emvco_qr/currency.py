"""Tags 53 and 54: the currencies a QR may carry, by ISO 4217 numeric code, and the amount."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from comptoir.kernel.emvco_qr.errors import QrError
from comptoir.kernel.money import Money, MoneyError, minor_unit_digits

__all__ = [
    "CURRENCY_BY_NUMERIC",
    "ISO_4217_NUMERIC",
    "check_amount",
    "numeric_currency",
    "parse_amount",
    "read_amount",
]

# ISO 4217 numeric codes for the currencies a Comptoir QR may carry: the Caribbean's, the main
# trading currencies, and those of the published sample payloads. Each must also be a currency
# `comptoir.kernel.money` accepts; a test checks both. Unknown codes are refused, not guessed.
ISO_4217_NUMERIC: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{"XCD": "951", "XCG": "532", "AWG": "533", "BBD": "052", "BMD": "060", "BSD": "044"},
        **{"BZD": "084", "CUP": "192", "DOP": "214", "GYD": "328", "HTG": "332", "JMD": "388"},
        **{"KYD": "136", "SRD": "968", "TTD": "780", "USD": "840", "CAD": "124", "EUR": "978"},
        **{"GBP": "826", "BRL": "986", "CNY": "156", "INR": "356", "JPY": "392", "KHR": "116"},
        **{"SGD": "702", "THB": "764", "BHD": "048", "XOF": "952", "XAF": "950", "KES": "404"},
        **{"NGN": "566", "GHS": "936", "RWF": "646", "TZS": "834"},
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
            f"{currency!r} is not a currency Comptoir's merchant QR supports "
            f"({', '.join(sorted(ISO_4217_NUMERIC))}).",
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
    if len(amount.to_fixed()) > 13:
        raise QrError(
            "invalid_field",
            f"The transaction amount (tag 54) {amount.to_fixed()} is longer than 13 characters.",
            field="amount",
        )


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
