"""Money: exact arithmetic, strict parsing, ISO 4217 exponents and locale formatting."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.money import (
    AmountError,
    AmountMalformed,
    AmountMissing,
    AmountNegative,
    AmountTooLarge,
    AmountTooPrecise,
    CurrencyMismatch,
    Money,
    MoneyError,
    UnknownCurrency,
    format_money,
    known_currencies,
    minor_unit_digits,
    sum_money,
)

# The `Amount` schema's pattern in the Mojaloop FSPIOP API v2.0
# (/work/shared/specs/fspiop/fspiop-v2.0-openapi3.yaml, components.schemas.Amount).
FSPIOP_AMOUNT = re.compile(r"^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$")

# Babel keeps CLDR's typography: a no-break space between the code and the number, and in
# French a narrow no-break space between thousands. Tests spell them out, and `plain` turns
# them into ordinary spaces where a test is about layout rather than characters.
NBSP = "\u00a0"
NNBSP = "\u202f"


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace(NNBSP, " ")


# One currency for each exponent ISO 4217 uses: 2, 0, 3 and 4 digits.
CURRENCIES = ["XCD", "JPY", "BHD", "CLF", "USD"]
XCD_ZERO = Money.zero("XCD")  # also loads the CLDR data before any timed hypothesis example

currencies = st.sampled_from(CURRENCIES)
minor_units = st.integers(min_value=-(10**20), max_value=10**20)


@st.composite
def amounts_in_one_currency(draw: st.DrawFn, count: int) -> list[Money]:
    currency = draw(currencies)
    return [Money(draw(minor_units), currency) for _ in range(count)]


amounts = st.builds(Money, minor_units, currencies)


def xcd(text: str) -> Money:
    return Money.parse(text, "XCD")


# -- arithmetic ---------------------------------------------------------------------------


@given(amounts_in_one_currency(2))
def test_addition_is_commutative_within_a_currency(pair: list[Money]) -> None:
    a, b = pair
    assert a + b == b + a


@given(amounts_in_one_currency(3))
def test_addition_is_associative_within_a_currency(triple: list[Money]) -> None:
    a, b, c = triple
    assert (a + b) + c == a + (b + c)


@given(amounts_in_one_currency(2))
def test_subtracting_then_adding_back_gives_the_original_amount(pair: list[Money]) -> None:
    a, b = pair
    assert a - b + b == a


@given(amounts, st.integers(min_value=-50, max_value=50))
def test_multiplying_by_an_int_is_repeated_addition(amount: Money, factor: int) -> None:
    repeated = sum_money([amount] * abs(factor), amount.currency)
    expected = repeated if factor >= 0 else -repeated
    assert amount * factor == expected
    assert factor * amount == expected


@given(amounts_in_one_currency(2))
def test_ordering_follows_the_minor_units(pair: list[Money]) -> None:
    a, b = pair
    assert (a < b) == (a.minor < b.minor)
    assert (a <= b) == (a.minor <= b.minor)
    assert (a > b) == (a.minor > b.minor)
    assert (a >= b) == (a.minor >= b.minor)


def test_negation_absolute_value_and_the_predicates_agree() -> None:
    debt = xcd("-3.00")
    assert -debt == xcd("3.00")
    assert abs(debt) == xcd("3.00")
    assert debt.is_negative()
    assert not debt.is_zero()
    assert not debt.is_positive()
    assert XCD_ZERO.is_zero()
    assert xcd("0.01").is_positive()


def test_the_sum_of_nothing_is_zero_in_the_currency_asked_for() -> None:
    assert sum_money([], "JPY") == Money(0, "JPY")
    assert sum_money([xcd("1.25"), xcd("2.75")], "XCD") == xcd("4")


def test_a_sum_with_an_amount_in_another_currency_raises_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatch):
        sum_money([xcd("1"), Money(100, "USD")], "XCD")
    with pytest.raises(CurrencyMismatch):
        sum_money([Money(100, "USD")], "XCD")


def test_adding_or_subtracting_two_currencies_raises_currency_mismatch() -> None:
    usd = Money(100, "USD")
    with pytest.raises(CurrencyMismatch, match="An amount in XCD cannot be combined") as caught:
        xcd("1") + usd
    assert caught.value.code == "currency_mismatch"
    with pytest.raises(CurrencyMismatch):
        xcd("1") - usd


def test_ordering_two_currencies_raises_but_equality_is_simply_false() -> None:
    usd = Money(100, "USD")
    assert xcd("1") != usd
    with pytest.raises(CurrencyMismatch):
        _ = xcd("1") < usd
    with pytest.raises(CurrencyMismatch):
        _ = xcd("1") >= usd


def test_it_refuses_a_float_amount() -> None:
    with pytest.raises(TypeError, match="never holds a float"):
        Money(12.5, "XCD")  # type: ignore[arg-type]


@pytest.mark.parametrize("minor", [True, Decimal("1250"), "1250"])
def test_it_refuses_an_amount_that_is_not_an_int(minor: object) -> None:
    with pytest.raises(TypeError):
        Money(minor, "XCD")  # type: ignore[arg-type]


def test_multiplying_by_a_float_or_a_decimal_is_refused() -> None:
    with pytest.raises(TypeError):
        xcd("1") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Decimal("1.5") * xcd("1")  # type: ignore[operator]


# -- currencies ---------------------------------------------------------------------------

ISO_4217_MINOR_UNITS = {
    # The common case.
    "XCD": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "SVC": 2,
    # Every ISO 4217 currency with no decimals.
    **dict.fromkeys(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"], 0),
    **dict.fromkeys(["RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"], 0),
    # Every one with three and four.
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
    # Where CLDR's everyday digits (0) differ from the ISO 4217 minor unit (2).
    **dict.fromkeys(["AFN", "ALL", "COP", "HUF", "IDR", "IRR", "KPW", "LAK"], 2),
    **dict.fromkeys(["LBP", "MGA", "MMK", "SOS", "SYP", "YER"], 2),
}


@pytest.mark.parametrize(("currency", "digits"), sorted(ISO_4217_MINOR_UNITS.items()))
def test_minor_unit_digits_follow_iso_4217(currency: str, digits: int) -> None:
    assert minor_unit_digits(currency) == digits


def test_every_known_currency_has_an_iso_4217_exponent() -> None:
    assert len(known_currencies()) > 150
    assert {minor_unit_digits(code) for code in known_currencies()} == {0, 2, 3, 4}


@pytest.mark.parametrize("currency", ["xcd", "XC", "XCDX", "", "ESP", "ANG", "CNH", "ABC"])
def test_codes_that_are_not_current_iso_4217_currencies_are_unknown(currency: str) -> None:
    with pytest.raises(UnknownCurrency, match="not an ISO 4217 currency code") as caught:
        Money(100, currency)
    assert caught.value.code == "currency_unknown"


@pytest.mark.parametrize("currency", ["XAU", "XDR", "XTS", "XXX"])
def test_codes_without_a_minor_unit_cannot_hold_money(currency: str) -> None:
    with pytest.raises(UnknownCurrency, match="has no minor unit"):
        Money(100, currency)


# -- allocation ---------------------------------------------------------------------------

ratio_lists = st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(
    lambda ratios: sum(ratios) > 0
)


@given(amounts, ratio_lists)
def test_allocation_never_loses_or_creates_a_minor_unit(amount: Money, ratios: list[int]) -> None:
    parts = amount.allocate(ratios)
    assert len(parts) == len(ratios)
    assert sum_money(parts, amount.currency) == amount
    total = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        # Each part is its exact share rounded down or up: off by less than one minor unit.
        assert abs(part.minor * total - amount.minor * ratio) < total


@given(amounts, st.integers(min_value=1, max_value=50))
def test_the_parts_of_a_split_differ_by_at_most_one_minor_unit(amount: Money, n: int) -> None:
    parts = [part.minor for part in amount.split(n)]
    assert sum(parts) == amount.minor
    assert max(parts) - min(parts) <= 1


@given(amounts, ratio_lists)
def test_allocating_a_negative_amount_mirrors_the_positive_one(
    amount: Money, ratios: list[int]
) -> None:
    assert (-amount).allocate(ratios) == [-part for part in amount.allocate(ratios)]


def test_the_spare_minor_units_go_to_the_first_parts() -> None:
    assert xcd("1.00").split(3) == [xcd("0.34"), xcd("0.33"), xcd("0.33")]
    assert xcd("0.05").allocate([1, 1, 1, 1]) == [
        xcd("0.02"),
        xcd("0.01"),
        xcd("0.01"),
        xcd("0.01"),
    ]


def test_a_part_with_ratio_zero_gets_nothing() -> None:
    assert xcd("0.10").allocate([0, 1, 1]) == [XCD_ZERO, xcd("0.05"), xcd("0.05")]
    assert xcd("0.03").allocate([0, 1, 1]) == [XCD_ZERO, xcd("0.02"), xcd("0.01")]


@pytest.mark.parametrize("ratios", [[], [0, 0], [1, -1], [1.5, 1], [True, 1]])
def test_allocation_refuses_ratios_that_share_nothing(ratios: list[int]) -> None:
    with pytest.raises((ValueError, TypeError)):
        xcd("1").allocate(ratios)


def test_a_split_into_no_parts_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one part"):
        xcd("1").split(0)


# -- fees ---------------------------------------------------------------------------------


def test_a_fee_rounds_half_up_unless_told_otherwise() -> None:
    # 1% of 2.50 is 0.025: exactly half a cent.
    assert xcd("2.50").percentage_fee(100) == xcd("0.03")
    assert xcd("2.50").percentage_fee(100, rounding=ROUND_HALF_EVEN) == xcd("0.02")
    assert xcd("2.50").percentage_fee(100, rounding=ROUND_DOWN) == xcd("0.02")
    assert xcd("12.50").percentage_fee(250) == xcd("0.31")  # 0.3125
    assert Money(1999, "JPY").percentage_fee(150) == Money(30, "JPY")  # 29.985


@given(amounts, st.integers(min_value=0, max_value=100_000))
def test_a_fee_is_within_half_a_minor_unit_of_the_exact_fee(amount: Money, points: int) -> None:
    fee = amount.percentage_fee(points)
    assert abs(fee.minor * 10_000 - amount.minor * points) <= 5_000


@given(amounts, st.integers(min_value=0, max_value=100_000))
def test_the_fee_on_a_refund_mirrors_the_fee_on_the_payment(amount: Money, points: int) -> None:
    assert (-amount).percentage_fee(points) == -amount.percentage_fee(points)


def test_a_fee_refuses_negative_points_and_unknown_rounding_modes() -> None:
    with pytest.raises(ValueError, match="negative basis points"):
        xcd("1").percentage_fee(-1)
    with pytest.raises(ValueError, match="rounding mode"):
        xcd("1").percentage_fee(100, rounding="bankers")
    with pytest.raises(TypeError):
        xcd("1").percentage_fee(1.5)  # type: ignore[arg-type]


# -- parsing and conversion ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("-3.00", -300),
        ("0", 0),
        ("0.01", 1),
        # Zeros past the minor unit change nothing, so they are not "too many decimals".
        ("12.500", 1250),
    ],
)
def test_parse_reads_plain_decimal_amounts(text: str, minor: int) -> None:
    assert Money.parse(text, "XCD") == Money(minor, "XCD")


def test_parse_uses_the_currency_exponent() -> None:
    assert Money.parse("1200", "JPY") == Money(1200, "JPY")
    assert Money.parse("1.250", "BHD") == Money(1250, "BHD")
    assert Money.parse("0.0001", "CLF") == Money(1, "CLF")


@pytest.mark.parametrize(
    ("text", "currency"), [("12.505", "XCD"), ("12.5", "JPY"), ("1.2345", "BHD")]
)
def test_parse_refuses_more_decimals_than_the_currency_allows(text: str, currency: str) -> None:
    with pytest.raises(AmountError, match=f"too many decimals for {currency}") as caught:
        Money.parse(text, currency)
    assert caught.value.code == "amount_too_precise"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        " 12.50",
        "12.50 ",
        "12 50",
        "1,234.50",
        "1 234.50",
        "1_234.50",
        "12,50",
        "1e3",
        "1E3",
        "12.5e-1",
        "NaN",
        "nan",
        "Infinity",
        "inf",
        "-inf",
        "+12",
        ".5",
        "12.",
        "--1",
        "0x10",
        "١٢",  # Arabic-Indic digits
        "12.50\n",
        "XCD 12.50",
    ],
)
def test_parse_refuses_anything_but_a_plain_decimal(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse(text, "XCD")
    assert caught.value.code == "amount_malformed"


def test_parse_refuses_absurdly_long_amounts() -> None:
    with pytest.raises(AmountError) as caught:
        Money.parse("9" * 65, "XCD")
    assert caught.value.code == "amount_too_large"
    with pytest.raises(AmountError):
        Money.parse("9" * 40, "XCD")


def test_parse_refuses_an_unknown_currency() -> None:
    with pytest.raises(UnknownCurrency):
        Money.parse("12.50", "XYZ")


@given(amounts)
def test_parsing_the_fixed_form_gives_back_the_same_amount(amount: Money) -> None:
    assert Money.parse(amount.to_fixed(), amount.currency) == amount


@given(amounts)
def test_parsing_the_wire_form_gives_back_the_same_amount(amount: Money) -> None:
    assert Money.parse(amount.to_wire(), amount.currency) == amount


@given(amounts)
def test_the_decimal_form_round_trips_exactly(amount: Money) -> None:
    value = amount.to_decimal()
    assert value.as_tuple().exponent == -minor_unit_digits(amount.currency)
    assert Money.from_decimal(value, amount.currency) == amount


@given(
    st.sampled_from(CURRENCIES).flatmap(
        lambda currency: st.builds(
            Money,
            # FSPIOP allows at most 18 digits before the point.
            st.integers(min_value=0, max_value=10 ** (18 + minor_unit_digits(currency)) - 1),
            st.just(currency),
        )
    )
)
def test_the_wire_form_matches_the_fspiop_amount_pattern(amount: Money) -> None:
    assert FSPIOP_AMOUNT.fullmatch(amount.to_wire())


@pytest.mark.parametrize(
    ("amount", "fixed", "wire"),
    [
        (Money(1250, "XCD"), "12.50", "12.5"),
        (Money(1200, "XCD"), "12.00", "12"),
        (Money(5, "XCD"), "0.05", "0.05"),
        (Money(0, "XCD"), "0.00", "0"),
        (Money(-300, "XCD"), "-3.00", "-3"),
        (Money(1200, "JPY"), "1200", "1200"),
        (Money(1250, "BHD"), "1.250", "1.25"),
        (Money(10, "CLF"), "0.0010", "0.001"),
    ],
)
def test_fixed_and_wire_forms(amount: Money, fixed: str, wire: str) -> None:
    assert amount.to_fixed() == fixed
    assert amount.to_wire() == wire


@pytest.mark.parametrize(
    ("value", "minor"),
    [(Decimal("12.5"), 1250), (Decimal("1E+2"), 10000), (Decimal("-0.010"), -1)],
)
def test_from_decimal_takes_any_exact_decimal(value: Decimal, minor: int) -> None:
    assert Money.from_decimal(value, "XCD") == Money(minor, "XCD")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (Decimal("NaN"), "amount_malformed"),
        (Decimal("sNaN"), "amount_malformed"),
        (Decimal("Infinity"), "amount_malformed"),
        (Decimal("-Infinity"), "amount_malformed"),
        (Decimal("12.505"), "amount_too_precise"),
        (Decimal("1E-999999"), "amount_too_precise"),
        (Decimal("1E+999999"), "amount_too_large"),
    ],
)
def test_from_decimal_refuses_what_parse_refuses(value: Decimal, code: str) -> None:
    with pytest.raises(AmountError) as caught:
        Money.from_decimal(value, "XCD")
    assert caught.value.code == code


def test_from_decimal_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        Money.from_decimal(12.5, "XCD")  # type: ignore[arg-type]


# -- formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "locale", "expected"),
    [
        (xcd("12.50"), "en", f"XCD{NBSP}12.50"),
        (xcd("12.50"), "fr", f"12,50{NBSP}XCD"),
        (xcd("1234.50"), "en", f"XCD{NBSP}1,234.50"),
        (xcd("1234.50"), "fr", f"1{NNBSP}234,50{NBSP}XCD"),
        (xcd("1234.50"), "fr-FR", f"1{NNBSP}234,50{NBSP}XCD"),
        (xcd("-12.50"), "en", f"-XCD{NBSP}12.50"),
        (xcd("-1234.50"), "fr", f"-1{NNBSP}234,50{NBSP}XCD"),
        (Money(123456, "JPY"), "en", f"JPY{NBSP}123,456"),
        (Money(1250, "BHD"), "en", f"BHD{NBSP}1.250"),
        (Money(1250, "BHD"), "fr", f"1,250{NBSP}BHD"),
        # The ISO exponent wins over CLDR's everyday digits: COP keeps its cents.
        (Money(150, "COP"), "en", f"COP{NBSP}1.50"),
    ],
)
def test_format_money_shows_the_iso_code_in_the_locale_style(
    amount: Money, locale: str, expected: str
) -> None:
    assert format_money(amount, locale) == expected


def test_formatted_amounts_read_as_expected_once_spaces_are_plain() -> None:
    assert plain(format_money(xcd("12.50"), "en")) == "XCD 12.50"
    assert plain(format_money(xcd("12.50"), "fr")) == "12,50 XCD"
    assert plain(format_money(xcd("1234.50"), "en")) == "XCD 1,234.50"
    assert plain(format_money(xcd("1234.50"), "fr")) == "1 234,50 XCD"


def test_negative_amounts_use_the_locale_minus_sign() -> None:
    assert format_money(xcd("-1234.50"), "sv") == f"\u22121{NBSP}234,50{NBSP}XCD"


# -- errors -------------------------------------------------------------------------------


def test_every_money_error_is_a_value_error_with_a_stable_code() -> None:
    assert issubclass(MoneyError, ValueError)
    for error_class in (AmountError, CurrencyMismatch, UnknownCurrency):
        assert issubclass(error_class, MoneyError)
    assert CurrencyMismatch.code == "currency_mismatch"
    assert UnknownCurrency.code == "currency_unknown"
    refusals = {
        AmountMissing: "amount_missing",
        AmountMalformed: "amount_malformed",
        AmountTooPrecise: "amount_too_precise",
        AmountTooLarge: "amount_too_large",
        AmountNegative: "amount_negative",
    }
    for refusal, code in refusals.items():
        assert issubclass(refusal, AmountError)
        assert refusal("Bad.").code == code
