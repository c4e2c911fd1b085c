"""Amounts as people type them and as FSPIOP writes them."""

from __future__ import annotations

from typing import Final

from babel.numbers import get_group_symbol

from comptoir.apps.wallet.domain.errors import MoneyText, WalletError
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import AmountError, Money, MoneyError

# FSPIOP's Amount allows 18 integer digits; a wallet's single payment stays far below.
MAX_PAYMENT: Final = 10**13


# What people copy along with an amount from a page or a message: "XCD 12.50", "EC$12.50".
_CURRENCY_MARKS: Final = ("EC$", "$")


def _grouped(whole: str, separator: str) -> bool:
    """Whether WHOLE is digits in groups of three ("1,234,567"), as thousands are written."""
    first, *rest = whole.split(separator)
    return (
        bool(rest)
        and 1 <= len(first) <= 3
        and first.isdigit()
        and all(len(group) == 3 and group.isdigit() for group in rest)
    )


def _plain(text: str, currency: str, locale: str) -> str:
    """An amount as typed or copied ("1,234.50", "1 234,50 XCD", "1.234,50") written "1234.50".
    Spaces of every kind go (French writes thousands with a narrow no-break space); with both
    marks, the last one is the decimal mark and the other one only counts when it groups
    thousands. A comma alone is a decimal comma ("12,50"), unless the reader's language groups
    thousands with it and it does so here: "1,234" is 1234 to an English reader, and a French
    one is told it has too many decimals."""
    cleaned = "".join(text.split())
    for mark in (currency.upper(), *_CURRENCY_MARKS):
        if cleaned.upper().startswith(mark):
            cleaned = cleaned[len(mark) :]
        if cleaned.upper().endswith(mark):
            cleaned = cleaned[: -len(mark)]
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        whole, _, fraction = cleaned.rpartition(decimal)
        grouping = "." if decimal == "," else ","
        if _grouped(whole, grouping):
            return whole.replace(grouping, "") + "." + fraction
        return cleaned
    for grouping in (",", "."):
        if cleaned.count(grouping) > 1 and _grouped(cleaned, grouping):
            return cleaned.replace(grouping, "")
    if cleaned.count(",") == 1:
        if get_group_symbol(locale) == "," and _grouped(cleaned, ","):
            return cleaned.replace(",", "")
        return cleaned.replace(",", ".")  # a decimal comma, as French speakers write it
    return cleaned


def parse_amount(text: str, currency: str, *, locale: str) -> int:
    """A positive amount typed by a person ("12.50", "12,50", "1,234.50", "1 234,50" or "12"),
    in minor units; `locale` is the language the person reads the page in."""
    cleaned = _plain(text, currency, locale)
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
