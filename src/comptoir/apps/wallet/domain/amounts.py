"""Amounts as people type them and as FSPIOP writes them."""

from __future__ import annotations

from typing import Final

from comptoir.apps.wallet.domain.errors import MoneyText, WalletError
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import (
    AmountMissing,
    AmountNegative,
    AmountTooLarge,
    AmountTooPrecise,
    Money,
    MoneyError,
    too_precise,
    typed_amount,
)

# FSPIOP's Amount allows 18 integer digits; a wallet's single payment stays far below.
MAX_PAYMENT: Final = 10**13


def parse_amount(text: str, currency: str, *, locale: str) -> int:
    """A positive amount typed by a person ("12.50", "12,50", "1,234.50", "1 234,50 XCD",
    "EC$12"), in minor units; `locale` is the language the person reads the page in."""
    try:
        money = typed_amount(text, currency, locale=locale)
    except AmountMissing:
        raise WalletError("amount_missing", lazy("Enter an amount.")) from None
    except AmountTooPrecise:
        raise WalletError("amount_too_precise", too_precise(text, currency)) from None
    except AmountNegative:
        raise WalletError(
            "amount_not_positive", lazy("The amount must be more than zero.")
        ) from None
    except AmountTooLarge:
        raise _above_the_limit(currency) from None
    except MoneyError:
        raise WalletError(
            "amount_malformed", lazy("{value} is not an amount.", value=text.strip())
        ) from None
    if not money.is_positive():
        raise WalletError("amount_not_positive", lazy("The amount must be more than zero."))
    if money.minor > MAX_PAYMENT:
        raise _above_the_limit(currency)
    return money.minor


def _above_the_limit(currency: str) -> WalletError:
    return WalletError(
        "amount_too_large",
        lazy(
            "The amount is above the limit of {limit}.",
            limit=MoneyText(Money(MAX_PAYMENT, currency)),
        ),
    )


def to_wire(minor: int, currency: str) -> dict[str, str]:
    """An FSPIOP Money object: {"currency": "XCD", "amount": "12.5"}."""
    if minor < 0:
        raise ValueError("FSPIOP amounts are never negative")
    return {"currency": currency, "amount": Money(minor, currency).to_wire()}


def from_wire(amount: str, currency: str) -> int:
    """Minor units of an FSPIOP Amount; ValueError (or MoneyError) when it cannot be exact."""
    return Money.parse(amount, currency).minor
