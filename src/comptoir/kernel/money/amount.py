"""`Money`: exact amounts, their arithmetic, and the only two ways in from text and decimals."""

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
from typing import Final

from comptoir.kernel.money.currencies import (
    AmountMalformed,
    AmountTooLarge,
    AmountTooPrecise,
    CurrencyMismatch,
    minor_unit_digits,
)

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
        positive amount check `is_positive()`. What people type in a form ("1 234,50",
        "EC$12") is `typed_amount`'s to read, in the reader's language.
        """
        if not isinstance(text, str):
            raise TypeError(f"Money.parse reads a str, not {type(text).__name__}.")
        digits = minor_unit_digits(currency)
        if len(text) > _MAX_TEXT_LENGTH:
            raise AmountTooLarge(f"An amount may have at most {_MAX_TEXT_LENGTH} characters.")
        if not text:
            raise AmountMalformed("The amount is empty.")
        match = _PLAIN_DECIMAL.fullmatch(text)
        if match is None:
            raise AmountMalformed(
                f"{text!r} is not a plain decimal amount such as 12.50 "
                "(digits, an optional minus sign and an optional decimal point)."
            )
        sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
        if fraction[digits:].strip("0"):
            raise AmountTooPrecise(
                f"{text} has too many decimals for {currency}, which allows {digits}."
            )
        minor = int(whole + fraction[:digits].ljust(digits, "0"))
        if len(str(minor)) > _MAX_MINOR_DIGITS:
            raise AmountTooLarge(f"{text} is too large to be an amount.")
        return cls(-minor if sign else minor, currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str) -> Money:
        """Take a Decimal in major units exactly, with the same refusals as `parse`."""
        if not isinstance(value, Decimal):
            raise TypeError(f"Money.from_decimal takes a Decimal, not {type(value).__name__}.")
        digits = minor_unit_digits(currency)
        if not value.is_finite():
            raise AmountMalformed(f"{value} is not a finite amount.")
        sign, coefficient_digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)  # finite, so never the 'n', 'N' or 'F' markers
        coefficient = int("".join(map(str, coefficient_digits)))
        # Where the minor unit sits relative to the coefficient's last digit.
        shift = exponent + digits
        if coefficient == 0:
            minor = 0
        elif shift >= 0:
            if len(coefficient_digits) + shift > _MAX_MINOR_DIGITS:
                raise AmountTooLarge(f"{value} is too large to be an amount.")
            minor = coefficient * 10**shift
        else:
            # Past this length the whole coefficient lies below the minor unit; checking
            # first avoids computing a huge power of ten for an input like 1E-999999.
            if -shift > len(coefficient_digits):
                minor, dropped = 0, coefficient
            else:
                minor, dropped = divmod(coefficient, 10**-shift)
            if dropped:
                raise AmountTooPrecise(
                    f"{value} has too many decimals for {currency}, which allows {digits}."
                )
            if len(str(minor)) > _MAX_MINOR_DIGITS:
                raise AmountTooLarge(f"{value} is too large to be an amount.")
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
