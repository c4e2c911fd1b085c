"""Money: an integer count of minor units plus an ISO 4217 currency code, never a float.

Every amount in Comptoir (prices, fees, ledger postings, FSPIOP transfers) is a `Money`. Floats
are refused outright because 0.1 + 0.2 is not 0.3 in binary; the only ways in from text or
decimals are `Money.parse` and `Money.from_decimal`, which refuse anything they would have to
round. Rounding happens in one place, `percentage_fee`, and there the caller names the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
)
from functools import cache
from typing import Final, Literal

from babel import Locale
from babel.core import get_global
from babel.numbers import NumberPattern, get_currency_precision, get_minus_sign_symbol

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

_ROUNDING_MODES: Final[frozenset[str]] = frozenset(
    {ROUND_UP, ROUND_DOWN, ROUND_CEILING, ROUND_FLOOR, ROUND_05UP}
    | {ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_HALF_EVEN}
)

# ASCII digits only (no `\d`, which also matches Arabic-Indic and other digits), an optional
# leading minus, digits on both sides of an optional point: nothing that needs guessing.
_PLAIN_DECIMAL: Final[re.Pattern[str]] = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")

# A bound on untrusted input, far above any real amount (FSPIOP stops at 18 integer digits), so
# that a hostile string or Decimal cannot make us build an integer with millions of digits.
_MAX_TEXT_LENGTH: Final = 64
_MAX_MINOR_DIGITS: Final = 38

_NO_BREAK_SPACE: Final = "\u00a0"


class MoneyError(ValueError):
    """Base of every money error. `code` is stable so the web layer can translate the error."""

    code: str = "money_invalid"


class AmountError(MoneyError):
    """An amount that cannot be taken exactly: malformed, too precise or absurdly large."""

    def __init__(
        self,
        code: Literal["amount_malformed", "amount_too_precise", "amount_too_large"],
        sentence: str,
    ) -> None:
        super().__init__(sentence)
        self.code = code


# The names below are the project's vocabulary (the brief and callers use them), so they keep
# no "Error" suffix.
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


def _require_int(value: object, what: str) -> int:
    # bool is a subclass of int, but True as an amount or a ratio is always a bug.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}.")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: `minor` units (cents for XCD) of an ISO 4217 `currency`.

    Equality compares both fields, so amounts in two currencies are simply unequal; ordering
    them raises `CurrencyMismatch`, since "is 5 USD less than 900 JPY?" has no answer here.
    """

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, float):
            raise TypeError("Money never holds a float: give an int count of minor units.")
        _require_int(self.minor, "Money.minor")
        if not isinstance(self.currency, str):
            raise TypeError(f"Money.currency must be a str, not {type(self.currency).__name__}.")
        minor_unit_digits(self.currency)

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in `currency`."""
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Read an amount written in major units ("12.50") exactly, refusing anything unclear.

        Accepted: ASCII digits, an optional leading minus, an optional point followed by
        digits ("12", "12.5", "12.50", "-3.00"). Refused: empty text, spaces, "+", thousands
        separators, exponents, NaN, infinity, and any non-zero digit below the currency's
        minor unit ("12.505" for XCD). Zeros past the minor unit ("12.500", or "100.00" for
        JPY) lose nothing, so they are accepted. Negative amounts parse; callers that need a
        positive amount check `is_positive()`.
        """
        if not isinstance(text, str):
            raise TypeError(f"Money.parse reads a str, not {type(text).__name__}.")
        digits = minor_unit_digits(currency)
        if len(text) > _MAX_TEXT_LENGTH:
            raise AmountError(
                "amount_too_large", f"An amount may have at most {_MAX_TEXT_LENGTH} characters."
            )
        if not text:
            raise AmountError("amount_malformed", "The amount is empty.")
        match = _PLAIN_DECIMAL.fullmatch(text)
        if match is None:
            raise AmountError(
                "amount_malformed",
                f"{text!r} is not a plain decimal amount such as 12.50 "
                "(digits, an optional minus sign and an optional decimal point).",
            )
        sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
        if fraction[digits:].strip("0"):
            raise AmountError(
                "amount_too_precise",
                f"{text} has too many decimals for {currency}, which allows {digits}.",
            )
        minor = int(whole + fraction[:digits].ljust(digits, "0"))
        if len(str(minor)) > _MAX_MINOR_DIGITS:
            raise AmountError("amount_too_large", f"{text} is too large to be an amount.")
        return cls(-minor if sign else minor, currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str) -> Money:
        """Take a Decimal in major units exactly, with the same refusals as `parse`."""
        if not isinstance(value, Decimal):
            raise TypeError(f"Money.from_decimal takes a Decimal, not {type(value).__name__}.")
        digits = minor_unit_digits(currency)
        if not value.is_finite():
            raise AmountError("amount_malformed", f"{value} is not a finite amount.")
        sign, coefficient_digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)  # finite, so never the 'n', 'N' or 'F' markers
        coefficient = int("".join(map(str, coefficient_digits)))
        # Where the minor unit sits relative to the coefficient's last digit.
        shift = exponent + digits
        if coefficient == 0:
            minor = 0
        elif shift >= 0:
            if len(coefficient_digits) + shift > _MAX_MINOR_DIGITS:
                raise AmountError("amount_too_large", f"{value} is too large to be an amount.")
            minor = coefficient * 10**shift
        else:
            # Past this length the whole coefficient lies below the minor unit; checking
            # first avoids computing a huge power of ten for an input like 1E-999999.
            if -shift > len(coefficient_digits):
                minor, dropped = 0, coefficient
            else:
                minor, dropped = divmod(coefficient, 10**-shift)
            if dropped:
                raise AmountError(
                    "amount_too_precise",
                    f"{value} has too many decimals for {currency}, which allows {digits}.",
                )
            if len(str(minor)) > _MAX_MINOR_DIGITS:
                raise AmountError("amount_too_large", f"{value} is too large to be an amount.")
        return cls(-minor if sign else minor, currency)

    # -- conversion -------------------------------------------------------------------------

    def to_fixed(self) -> str:
        """Major units with exactly the currency's decimals: "12.50", "-3.00", "1200", "1.250"."""
        digits = minor_unit_digits(self.currency)
        sign = "-" if self.minor < 0 else ""
        whole, fraction = divmod(abs(self.minor), 10**digits)
        if digits == 0:
            return f"{sign}{whole}"
        return f"{sign}{whole}.{fraction:0{digits}d}"

    def to_wire(self) -> str:
        """The canonical form for the wire: no trailing zeros, no point without decimals.

        This is the Mojaloop FSPIOP `Amount` format ("12.5", "12", "0", "0.05") for amounts
        from 0 to 10**18 major units. FSPIOP has no negative amounts: a negative amount here
        comes out as "-12.5", and the FSPIOP adapter must refuse it before sending.
        """
        fixed = self.to_fixed()
        if "." not in fixed:
            return fixed
        return fixed.rstrip("0").rstrip(".")

    def to_decimal(self) -> Decimal:
        """The exact amount in major units, with the currency's exponent (Decimal("12.50"))."""
        # The Decimal constructor never rounds a string, unlike arithmetic under a context.
        return Decimal(self.to_fixed())

    # -- predicates -------------------------------------------------------------------------

    def is_zero(self) -> bool:
        return self.minor == 0

    def is_negative(self) -> bool:
        return self.minor < 0

    def is_positive(self) -> bool:
        return self.minor > 0

    # -- arithmetic -------------------------------------------------------------------------

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.minor), self.currency)

    def __mul__(self, factor: int) -> Money:
        # Only ints: a float or Decimal factor would need a rounding rule, and that is what
        # `percentage_fee` and `allocate` are for.
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor >= other.minor

    # -- sharing and fees -------------------------------------------------------------------

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Split by integer ratios so the parts add up to exactly this amount.

        Each part is its exact share rounded down (toward zero for a negative amount); the
        minor units left over go one each to the first parts whose exact share was not whole.
        So every part is its exact share rounded down or up, parts with ratio 0 get nothing,
        and allocating a negative amount mirrors allocating the positive one.
        """
        weights = [_require_int(ratio, "A ratio") for ratio in ratios]
        if not weights:
            raise ValueError("allocate needs at least one ratio.")
        if any(weight < 0 for weight in weights):
            raise ValueError("allocate needs ratios of zero or more.")
        total = sum(weights)
        if total == 0:
            raise ValueError("allocate needs at least one ratio above zero.")
        magnitude = abs(self.minor)
        shares = [divmod(magnitude * weight, total) for weight in weights]
        left_over = magnitude - sum(floor for floor, _ in shares)
        parts: list[int] = []
        for floor, remainder in shares:
            # left_over is a sum of fractions each below one, so it is smaller than the
            # number of shares with a remainder: every leftover unit finds a home.
            extra = 1 if remainder and left_over > 0 else 0
            left_over -= extra
            parts.append(floor + extra)
        sign = -1 if self.minor < 0 else 1
        return [Money(sign * part, self.currency) for part in parts]

    def split(self, n: int) -> list[Money]:
        """Split into `n` parts as equal as possible; the first parts get the spare units."""
        count = _require_int(n, "The number of parts")
        if count < 1:
            raise ValueError("split needs at least one part.")
        return self.allocate([1] * count)

    def percentage_fee(self, basis_points: int, rounding: str = ROUND_HALF_UP) -> Money:
        """A fee of `basis_points` (1/100 of a percent) of this amount, in whole minor units.

        `rounding` is one of the `decimal` module's modes. The default, ROUND_HALF_UP, rounds
        a half away from zero, so the fee on a refund is the mirror of the fee on the payment.
        """
        points = _require_int(basis_points, "basis_points")
        if points < 0:
            raise ValueError("A fee cannot have negative basis points.")
        if rounding not in _ROUNDING_MODES:
            raise ValueError(f"{rounding!r} is not a rounding mode of the decimal module.")
        product = self.minor * points
        # A basis point is 10**-4. The string constructor is exact; the quantizing context only
        # needs room for the product's digits, so it rounds nothing but the fraction asked about.
        exact = Decimal(f"{product}E-4")
        room = Context(prec=len(str(abs(product))) + 2)
        fee = exact.quantize(Decimal(1), rounding=rounding, context=room)
        return Money(int(fee), self.currency)


def sum_money(items: Iterable[Money], currency: str) -> Money:
    """Add amounts that must all be in `currency`; an empty sum is zero in that currency."""
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total


def _with_iso_code(affix: str, *, before_number: bool, minus: str | None = None) -> str:
    # In a CLDR pattern "-" stands for the locale's minus sign (U+2212 in Swedish, say), which
    # Babel leaves as a hyphen; only the negative affixes get it.
    if minus is not None:
        affix = affix.replace("-", minus)
    # CLDR's currencySpacing rule: a code made of letters that touches a digit gets a
    # no-break space between them, so "XCD 12.50" never breaks across two lines.
    if "¤" not in affix:
        return affix
    code = affix.replace("¤", "¤¤")
    if before_number and code.endswith("¤"):
        return code + _NO_BREAK_SPACE
    if not before_number and code.startswith("¤"):
        return _NO_BREAK_SPACE + code
    return code


def format_money(money: Money, locale: str) -> str:
    """The amount for people, in the locale's style, with the ISO code instead of a symbol.

    "XCD 12.50" in en and "12,50 XCD" in fr, with Babel's typography kept: a no-break space
    (U+00A0) between code and number, and fr's narrow no-break space (U+202F) between
    thousands. The code rather than "$" because several currencies share a symbol (XCD, USD
    and others are all "$"). Decimals follow ISO 4217 (JPY 0, BHD 3), not the locale pattern.
    `locale` is a CLDR identifier ("fr", "fr_CA" or "fr-CA"); Babel raises for unknown ones.
    """
    separator = "-" if "-" in locale else "_"
    where = Locale.parse(locale, sep=separator)
    standard = where.currency_formats["standard"]
    digits = minor_unit_digits(money.currency)
    minus = get_minus_sign_symbol(where)
    pattern = NumberPattern(
        standard.pattern,
        (
            _with_iso_code(standard.prefix[0], before_number=True),
            _with_iso_code(standard.prefix[1], before_number=True, minus=minus),
        ),
        (
            _with_iso_code(standard.suffix[0], before_number=False),
            _with_iso_code(standard.suffix[1], before_number=False, minus=minus),
        ),
        standard.grouping,
        standard.int_prec,
        (digits, digits),
        standard.exp_prec,
        standard.exp_plus,
        standard.number_pattern,
    )
    text: str = pattern.apply(
        money.to_decimal(), where, currency=money.currency, currency_digits=False
    )
    return text
