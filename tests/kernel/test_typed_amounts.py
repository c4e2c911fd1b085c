"""Amounts and counts as people type them, read in the language of the page they read."""

from __future__ import annotations

import re

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.money import (
    AmountMalformed,
    AmountMissing,
    AmountNegative,
    AmountTooLarge,
    AmountTooPrecise,
    Money,
    UnknownCurrency,
    format_money,
    known_currencies,
    minor_unit_digits,
    typed_amount,
    typed_count,
    written_amount,
)

LANGUAGES = ["en", "fr"]
# Loads CLDR's data for both languages before any timed hypothesis example.
WARM = [
    typed_amount(format_money(Money(123456, "XCD"), lang), "XCD", locale=lang) for lang in LANGUAGES
]

languages = st.sampled_from(LANGUAGES)
currencies = st.sampled_from(sorted(known_currencies()))
# Up to 10**20 major units: past any real amount, inside what `Money.parse` takes.
magnitudes = st.integers(min_value=0, max_value=10**24)


def xcd(text: str, language: str) -> int:
    return typed_amount(text, "XCD", locale=language).minor


# -- what is read ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minor"),
    [
        ("12.50", 1250),
        ("12,50", 1250),
        ("12,5", 1250),
        (" 7 ", 700),
        ("0.01", 1),
        ("1 000.00", 100_000),
        (" 1 200 ", 120_000),
        ("1,200.50", 120_050),
        ("1.200,50", 120_050),
        ("1,234,567", 123_456_700),
        ("1.234.567", 123_456_700),
        ("1\u202f234,50", 123_450),
        ("1\u00a0234,50", 123_450),
    ],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_amount_is_read_with_a_decimal_point_or_a_decimal_comma_in_either_language(
    typed: str, minor: int, language: str
) -> None:
    assert xcd(typed, language) == minor


def test_a_lone_comma_before_three_figures_groups_thousands_only_for_an_english_reader() -> None:
    assert xcd("1,234", "en") == 123_400
    assert xcd("12,345", "en") == 1_234_500
    assert xcd("1,23", "en") == 123  # two figures: a decimal comma
    assert xcd("1,200", "fr") == 120  # 1,2 as French writes it
    with pytest.raises(AmountTooPrecise):
        xcd("1,234", "fr")  # 1.234: too many decimals, never a thousand
    with pytest.raises(AmountTooPrecise):
        xcd("1,2345", "en")  # not a group of three: not thousands


def test_a_lone_point_is_a_decimal_point_in_either_language() -> None:
    assert xcd("1.5", "fr") == 150
    with pytest.raises(AmountTooPrecise):
        xcd("1.234", "en")
    with pytest.raises(AmountTooPrecise):
        xcd("1.234", "fr")


def test_a_first_group_starting_with_zero_is_a_decimal_never_thousands() -> None:
    with pytest.raises(AmountTooPrecise):
        xcd("0,125", "en")  # 0.125, not 125
    with pytest.raises(AmountMalformed):
        xcd("0,125.50", "en")


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("XCD 12.50", "en"),
        ("xcd12.50", "en"),
        ("12,50 XCD", "fr"),
        ("12,50\u00a0XCD", "fr"),
        ("EC$12.50", "en"),
        ("EC$ 12,50", "fr"),
        ("ec$12.50", "en"),
        ("$12.50", "en"),
        ("12.50$", "fr"),
    ],
)
def test_the_currency_copied_along_with_an_amount_is_left_aside(typed: str, language: str) -> None:
    assert xcd(typed, language) == 1250


def test_a_dollar_sign_is_no_mark_of_a_currency_that_is_not_a_dollar() -> None:
    assert typed_amount("12,50 €", "EUR", locale="fr") == Money(1250, "EUR")
    with pytest.raises(AmountMalformed):
        typed_amount("$12.50", "EUR", locale="en")


def test_a_symbol_with_a_space_or_a_point_in_it_is_left_aside_whole() -> None:
    assert typed_amount("1\u202f500 F\u202fCFA", "XOF", locale="fr") == Money(1500, "XOF")
    assert typed_amount("F CFA 1,500", "XOF", locale="en") == Money(1500, "XOF")
    assert typed_amount("Cg. 12.50", "XCG", locale="en") == Money(1250, "XCG")


def test_a_currency_mark_is_compared_letter_for_letter_never_through_a_longer_capital() -> None:
    # "ß" becomes "SS" in capitals: cutting three characters after "SSP" would read 2.
    with pytest.raises(AmountMalformed):
        typed_amount("ßP12", "SSP", locale="en")


def test_the_currency_exponent_decides_how_many_decimals_are_allowed() -> None:
    assert typed_amount("1,200", "JPY", locale="en") == Money(1200, "JPY")
    assert typed_amount("1.250", "BHD", locale="en") == Money(1250, "BHD")
    assert typed_amount("1,250", "BHD", locale="fr") == Money(1250, "BHD")
    with pytest.raises(AmountTooPrecise):
        typed_amount("12,5", "JPY", locale="fr")


# -- what is refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("", AmountMissing),
        ("   ", AmountMissing),
        ("XCD", AmountMissing),
        ("EC$ ", AmountMissing),
        ("abc", AmountMalformed),
        ("twelve", AmountMalformed),
        ("1e3", AmountMalformed),
        ("-", AmountMalformed),
        ("--5", AmountMalformed),
        ("+5", AmountMalformed),
        ("1,2,3", AmountMalformed),
        ("1,20.50", AmountMalformed),
        ("1.200.5,0", AmountMalformed),
        ("12 50", AmountMalformed),
        ("1 2", AmountMalformed),
        ("012 500", AmountMalformed),
        ("1 2345,00", AmountMalformed),
        ("1 234 56", AmountMalformed),
        ("12\u202f50 XCD", AmountMalformed),
        ("١٢", AmountMalformed),
        ("1.001", AmountTooPrecise),
        ("12.505", AmountTooPrecise),
        ("9" * 65, AmountTooLarge),
        ("-5", AmountNegative),
        ("-XCD 12.50", AmountNegative),
        ("XCD -12.50", AmountNegative),
        ("-1 234.50", AmountNegative),
    ],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_amount_that_is_not_clear_is_refused_with_its_reason(
    typed: str, refusal: type[Exception], language: str
) -> None:
    with pytest.raises(refusal):
        typed_amount(typed, "XCD", locale=language)


def test_a_minus_before_nothing_but_zeros_is_zero_not_a_negative_amount() -> None:
    assert typed_amount("-0.00", "XCD", locale="en") == Money.zero("XCD")


def test_an_unknown_currency_is_refused_before_the_text_is_read() -> None:
    with pytest.raises(UnknownCurrency):
        typed_amount("", "ABC", locale="en")


# -- properties -----------------------------------------------------------------------------


@given(magnitudes, currencies, languages)
def test_any_amount_written_as_the_pages_write_it_reads_back_the_same(
    minor: int, currency: str, language: str
) -> None:
    money = Money(minor, currency)
    assert typed_amount(format_money(money, language), currency, locale=language) == money


@given(magnitudes, currencies, languages)
def test_any_amount_written_with_the_readers_decimal_mark_reads_back_the_same(
    minor: int, currency: str, language: str
) -> None:
    money = Money(minor, currency)
    typed = money.to_fixed().replace(".", "," if language == "fr" else ".")
    assert typed_amount(typed, currency, locale=language) == money


@given(magnitudes, currencies, languages)
def test_any_amount_a_form_field_shows_reads_back_the_same(
    minor: int, currency: str, language: str
) -> None:
    money = Money(minor, currency)
    assert typed_amount(written_amount(money, locale=language), currency, locale=language) == money


def test_a_form_field_shows_an_amount_with_the_readers_decimal_mark_and_nothing_else() -> None:
    assert written_amount(Money(123456, "XCD"), locale="fr") == "1234,56"
    assert written_amount(Money(123456, "XCD"), locale="en") == "1234.56"
    assert written_amount(Money(5, "JPY"), locale="fr") == "5"


@given(
    magnitudes,
    currencies,
    languages,
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=1, max_value=9),
)
def test_a_digit_below_the_minor_unit_is_refused_never_rounded(
    minor: int, currency: str, language: str, zeros: int, digit: int
) -> None:
    money = Money(minor, currency)
    more = "0" * zeros + str(digit)
    if minor_unit_digits(currency) == 0:
        more = ("," if language == "fr" else ".") + more
    written = format_money(money, language)
    # The number comes last in English ("XCD 1,234.50") and first in French ("1 234,50 XCD").
    if language == "en":
        typed = written + more
    else:
        typed = f"{written.removesuffix(chr(0xA0) + currency)}{more} {currency}"
    with pytest.raises(AmountTooPrecise):
        typed_amount(typed, currency, locale=language)


@given(st.integers(min_value=1, max_value=10**24), currencies, languages)
def test_any_amount_below_zero_is_refused_however_it_is_written(
    minor: int, currency: str, language: str
) -> None:
    money = Money(-minor, currency)
    for typed in (format_money(money, language), money.to_fixed()):
        with pytest.raises(AmountNegative):
            typed_amount(typed, currency, locale=language)


@given(st.text(alphabet="0123456789,. ", max_size=24), languages)
def test_every_digit_typed_is_a_digit_of_the_amount_read(typed: str, language: str) -> None:
    try:
        money = typed_amount(typed, "XCD", locale=language)
    except (AmountMissing, AmountMalformed, AmountTooPrecise, AmountTooLarge):
        return
    assert re.sub("[^0-9]", "", typed).strip("0") == re.sub("[^0-9]", "", money.to_fixed()).strip(
        "0"
    )


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=99), languages)
def test_a_space_that_groups_no_thousands_is_never_read_as_one_number(
    whole: int, cents: int, language: str
) -> None:
    # "12 50" meant as 12.50 must not be paid as 1,250.00.
    with pytest.raises(AmountMalformed):
        typed_amount(f"{whole} {cents:02d}", "XCD", locale=language)


# -- counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "language", "count"),
    [
        ("12", "en", 12),
        (" 1 000 ", "fr", 1000),
        ("1\u202f000", "fr", 1000),
        ("1,000", "en", 1000),
        ("1,000,000", "en", 1_000_000),
        ("0", "en", 0),
    ],
)
def test_a_count_is_read_as_the_reader_writes_it(typed: str, language: str, count: int) -> None:
    assert typed_count(typed, locale=language) == count


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("", "en"),
        ("twelve", "en"),
        ("-3", "en"),
        ("1.5", "en"),
        ("1,000", "fr"),  # a French reader's 1,000 is one
        ("1.000", "en"),
        ("0,100", "en"),
        ("1,00", "en"),
        ("9" * 19, "en"),
        ("12 50", "fr"),
        ("1 00", "en"),
    ],
)
def test_what_is_not_a_whole_count_is_none(typed: str, language: str) -> None:
    assert typed_count(typed, locale=language) is None


@given(st.integers(min_value=0, max_value=10**17), languages)
def test_any_count_written_as_babel_writes_it_reads_back_the_same(
    count: int, language: str
) -> None:
    assert typed_count(format_decimal(count, locale=language), locale=language) == count
