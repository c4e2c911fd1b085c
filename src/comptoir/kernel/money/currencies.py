"""Currencies: which ISO 4217 codes can hold money, and how many digits their minor unit has."""

from __future__ import annotations

from functools import cache
from typing import Final

from babel.core import get_global
from babel.numbers import get_currency_precision

# ISO 4217 is the authority for minor units; CLDR (through Babel) is the authority for which
# codes are in use and for how people write amounts. They disagree for the currencies below:
# CLDR's `digits` records the decimals people write in everyday prices (Colombian pesos and
# Indonesian rupiah are priced without cents), while ISO 4217 records the unit banks and payment
# schemes settle in, which is what a ledger and an FSPIOP amount must carry. Checked against
# ISO 4217 list one (SIX, amendments up to 179); a test pins every value.
_ISO_MINOR_UNITS_WHERE_CLDR_DIFFERS: Final[dict[str, int]] = {
    **dict.fromkeys(["AFN", "ALL", "COP", "HUF", "IDR", "IRR", "KPW", "LAK"], 2),
    **dict.fromkeys(["LBP", "MGA", "MMK", "SOS", "SYP", "YER"], 2),
    "IQD": 3,
}

# Codes ISO 4217 lists with minor unit "N.A." (precious metals, bond-market units, the SDR, the
# testing and no-currency codes). CLDR gives them its default of 2 digits, but an amount of
# gold in troy ounces has no minor unit to count, so they cannot be a `Money`.
_NO_MINOR_UNIT: Final[frozenset[str]] = frozenset(
    {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}
)

# CLDR lists the offshore renminbi (CNH), a market convention that ISO 4217 never assigned.
_NOT_IN_ISO_4217: Final[frozenset[str]] = frozenset({"CNH"})

# ISO 4217 list one still carries the Salvadoran colón beside the US dollar; CLDR ended it in
# 2001 because nobody prices in it, but a partner may still name it.
_IN_ISO_4217_BUT_ENDED_IN_CLDR: Final[frozenset[str]] = frozenset({"SVC"})


class MoneyError(ValueError):
    """Base of every money error. `code` is stable so the web layer can translate the error."""

    code: str = "money_invalid"


class AmountError(MoneyError):
    """An amount that cannot be taken exactly. Each reason is a subclass below with its own
    stable `code`, so that every app words it for its own readers."""

    code = "amount_invalid"


# The names below are the project's vocabulary (callers use them), so they keep
# no "Error" suffix.
class AmountMissing(AmountError):  # noqa: N818
    """Nothing was typed but spaces or a currency."""

    code = "amount_missing"


class AmountMalformed(AmountError):  # noqa: N818
    """Text that is not an amount, or whose marks leave its meaning in doubt ("1,2,3")."""

    code = "amount_malformed"


class AmountTooPrecise(AmountError):  # noqa: N818
    """A non-zero digit below the currency's minor unit ("12.505" for XCD): never rounded."""

    code = "amount_too_precise"


class AmountTooLarge(AmountError):  # noqa: N818
    """More digits than any real amount has."""

    code = "amount_too_large"


class AmountNegative(AmountError):  # noqa: N818
    """A minus sign where people only ever type what is paid, charged or refunded."""

    code = "amount_negative"


class CurrencyMismatch(MoneyError):  # noqa: N818
    """Two amounts in different currencies were combined or ordered."""

    code = "currency_mismatch"

    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"An amount in {left} cannot be combined with an amount in {right}.")
        self.left = left
        self.right = right


class UnknownCurrency(MoneyError):  # noqa: N818
    """A currency code that is not an ISO 4217 currency in current use with a minor unit."""

    code = "currency_unknown"

    def __init__(self, currency: str) -> None:
        if currency in _NO_MINOR_UNIT:
            sentence = f"{currency} has no minor unit in ISO 4217, so it cannot hold money."
        else:
            sentence = f"{currency!r} is not an ISO 4217 currency code in current use."
        super().__init__(sentence)
        self.currency = currency


@cache
def known_currencies() -> frozenset[str]:
    """The ISO 4217 codes a `Money` accepts: current currencies and funds with a minor unit.

    "Current" comes from CLDR: a code still legal tender (or a fund) in some territory. Withdrawn
    codes such as ESP or ANG are refused, since nobody can pay in them any more.
    """
    in_use: set[str] = set(_IN_ISO_4217_BUT_ENDED_IN_CLDR)
    for periods in get_global("territory_currencies").values():
        for currency, _start, end, _tender in periods:
            if end is None:
                in_use.add(currency)
    return frozenset(in_use - _NOT_IN_ISO_4217 - _NO_MINOR_UNIT)


@cache
def minor_unit_digits(currency: str) -> int:
    """How many decimal digits the currency's minor unit has (XCD 2, JPY 0, BHD 3, CLF 4)."""
    if currency not in known_currencies():
        raise UnknownCurrency(currency)
    override = _ISO_MINOR_UNITS_WHERE_CLDR_DIFFERS.get(currency)
    return override if override is not None else get_currency_precision(currency)
