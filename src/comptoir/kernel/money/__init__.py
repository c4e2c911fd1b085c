"""Money: an integer count of minor units plus an ISO 4217 currency code, never a float.

Every amount in Comptoir (prices, fees, ledger postings, FSPIOP transfers) is a `Money`. Floats
are refused outright because 0.1 + 0.2 is not 0.3 in binary; the only ways in from text or
decimals are `Money.parse`, `Money.from_decimal` and `typed_amount` (what people type, read in
their language, then handed to `Money.parse`), which refuse anything they would have to round.
Rounding happens in one place, `percentage_fee`, and there the caller names the rule.
"""

from comptoir.kernel.money.amount import Money, sum_money
from comptoir.kernel.money.currencies import (
    AmountError,
    AmountMalformed,
    AmountMissing,
    AmountNegative,
    AmountTooLarge,
    AmountTooPrecise,
    CurrencyMismatch,
    MoneyError,
    UnknownCurrency,
    known_currencies,
    minor_unit_digits,
)
from comptoir.kernel.money.formatting import format_money
from comptoir.kernel.money.typed import too_precise, typed_amount, typed_count, written_amount

__all__ = [
    "AmountError",
    "AmountMalformed",
    "AmountMissing",
    "AmountNegative",
    "AmountTooLarge",
    "AmountTooPrecise",
    "CurrencyMismatch",
    "Money",
    "MoneyError",
    "UnknownCurrency",
    "format_money",
    "known_currencies",
    "minor_unit_digits",
    "sum_money",
    "too_precise",
    "typed_amount",
    "typed_count",
    "written_amount",
]
