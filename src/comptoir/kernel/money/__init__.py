"""Money: an integer count of minor units plus an ISO 4217 currency code, never a float.

Every amount in Comptoir (prices, fees, ledger postings, FSPIOP transfers) is a `Money`. Floats
are refused outright because 0.1 + 0.2 is not 0.3 in binary; the only ways in from text or
decimals are `Money.parse` and `Money.from_decimal`, which refuse anything they would have to
round. Rounding happens in one place, `percentage_fee`, and there the caller names the rule.
"""

from comptoir.kernel.money.amount import Money, sum_money
from comptoir.kernel.money.currencies import (
    AmountError,
    CurrencyMismatch,
    MoneyError,
    UnknownCurrency,
    known_currencies,
    minor_unit_digits,
)
from comptoir.kernel.money.formatting import format_money

__all__ = [
    "AmountError",
    "CurrencyMismatch",
    "Money",
    "MoneyError",
    "UnknownCurrency",
    "format_money",
    "known_currencies",
    "minor_unit_digits",
    "sum_money",
]
