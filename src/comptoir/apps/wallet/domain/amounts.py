"""Amounts as people type them and as FSPIOP writes them."""

from __future__ import annotations

from typing import Final

from comptoir.apps.wallet.domain.errors import MoneyText, WalletError
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import AmountError, Money, MoneyError

# FSPIOP's Amount allows 18 integer digits; a wallet's single payment stays far below.
MAX_PAYMENT: Final = 10**13


def parse_amount(text: str, currency: str) -> int:
    """A positive amount typed by a person ("12.50", "12,50" or "12"), in minor units."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma, as French speakers write it
    if not cleaned:
        raise WalletError("amount_missing", lazy("Enter an amount."))
    try:
        money = Money.parse(cleaned, currency)
    except AmountError as error:
        if error.code == "amount_too_precise":
            raise WalletError(
                "amount_too_precise",
                lazy(
                    "{value} has too many decimals for {currency}.",
                    value=text.strip(),
                    currency=currency,
                ),
            ) from None
        raise WalletError(
            "amount_malformed", lazy("{value} is not an amount.", value=text.strip())
        ) from None
    except MoneyError:
        raise WalletError(
            "amount_malformed", lazy("{value} is not an amount.", value=text.strip())
        ) from None
    if not money.is_positive():
        raise WalletError("amount_not_positive", lazy("The amount must be more than zero."))
    if money.minor > MAX_PAYMENT:
        raise WalletError(
            "amount_too_large",
            lazy(
                "The amount is above the limit of {limit}.",
                limit=MoneyText(Money(MAX_PAYMENT, currency)),
            ),
        )
    return money.minor


def to_wire(minor: int, currency: str) -> dict[str, str]:
    """An FSPIOP Money object: {"currency": "XCD", "amount": "12.5"}."""
    if minor < 0:
        raise ValueError("FSPIOP amounts are never negative")
    return {"currency": currency, "amount": Money(minor, currency).to_wire()}


def from_wire(amount: str, currency: str) -> int:
    """Minor units of an FSPIOP Amount; ValueError (or MoneyError) when it cannot be exact."""
    return Money.parse(amount, currency).minor
