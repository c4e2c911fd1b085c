"""Amounts and counts as people type them, read in the language they read the page in.

`Money.parse` takes one plain form ("1234.50"), which is what wire formats write. People write
"1,234.50", "1 234,50 XCD", "1.234,50", "EC$12" or "12,5"; `typed_amount` brings that to the
plain form, refusing whatever it would have to guess, and lets `Money.parse` refuse the rest,
so an amount that is too precise is refused, never rounded. Each refusal is its own subclass
of `AmountError`, for the apps to word as they see fit. `written_amount` is the other way: an
amount as a form field shows it, with the reader's decimal mark, which `typed_amount` reads
back as it was.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from babel import Locale
from babel.numbers import (
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)

from comptoir.kernel.i18n import LazyText, lazy
from comptoir.kernel.money.amount import Money
from comptoir.kernel.money.currencies import (
    AmountMalformed,
    AmountMissing,
    AmountNegative,
    minor_unit_digits,
)

# A count has at most this many digits: far above any stock, and inside a BIGINT.
_MAX_COUNT_DIGITS: Final = 18
_COUNT: Final = re.compile(rf"[0-9]{{1,{_MAX_COUNT_DIGITS}}}")
# Digits with spaces between them, and the only such run that is read: thousands ("1 234 567").
_SPACED_DIGITS: Final = re.compile(r"[0-9]+(?:\s+[0-9]+)+")
_SPACED_THOUSANDS: Final = re.compile(r"[1-9][0-9]{0,2}(?:\s+[0-9]{3})+")


@cache
def _number_symbols(locale: str) -> tuple[str, frozenset[str]]:
    """The locale's thousands mark, and the minus signs it reads (its own and ASCII's)."""
    where = Locale.parse(locale, sep="-" if "-" in locale else "_")
    return get_group_symbol(where), frozenset({"-", get_minus_sign_symbol(where)})


@cache
def _currency_marks(currency: str, locale: str) -> tuple[str, ...]:
    """What people write beside an amount for `currency`, in capitals, longest first.

    The ISO code (Comptoir's pages write "XCD 12.50"), and the symbol in the reader's language
    and in English, the language of the Eastern Caribbean's own price tags ("EC$12.50"). CLDR's
    narrow symbol of every dollar is a bare "$", which Babel does not publish: it is added for
    the currencies whose symbol has a dollar sign, and for no other, so "$12" is never taken
    for euros.
    """
    where = Locale.parse(locale, sep="-" if "-" in locale else "_")
    marks = {currency, get_currency_symbol(currency, where), get_currency_symbol(currency, "en")}
    if any("$" in mark for mark in marks):
        marks.add("$")
    # Spaces go from the marks as they go from the typed text ("EC$ 12" is read as "EC$12").
    unspaced = {"".join(mark.split()).upper() for mark in marks}
    return tuple(sorted(unspaced - {""}, key=len, reverse=True))


def _groups_thousands(digits: str, mark: str) -> bool:
    """Whether `mark` splits `digits` into thousands, as in "1,234,567".

    A first group starting with 0 ("0,125") is no thousands: it is a decimal written the
    other way, and reading it as 125 would take a fraction for a hundred.
    """
    pattern = rf"[1-9][0-9]{{0,2}}(?:{re.escape(mark)}[0-9]{{3}})+"
    return re.fullmatch(pattern, digits) is not None


def _spaces_group_thousands(text: str) -> bool:
    """Whether every space between two digits of `text` groups thousands.

    Spaces are dropped before a number is read, so "12 50" would be 1250: a hundred times what
    the person who meant 12.50 had in mind. A space inside a number is read only where it
    groups thousands, as French writes "1 234,50".
    """
    return all(
        _SPACED_THOUSANDS.fullmatch(run.group()) is not None
        for run in _SPACED_DIGITS.finditer(text)
    )


def _without_currency(text: str, marks: tuple[str, ...]) -> str:
    # Compared slice by slice, never through text.upper(), whose length may differ from the
    # text's ("ß" becomes "SS") and would cut the wrong characters.
    for mark in marks:
        if text[: len(mark)].upper() == mark:
            text = text[len(mark) :]
            break
    for mark in marks:
        if len(text) >= len(mark) and text[len(text) - len(mark) :].upper() == mark:
            text = text[: len(text) - len(mark)]
            break
    return text


def _plain(unsigned: str, group: str, typed: str) -> str:
    """`unsigned` ("1,234.50", "1.234,50", "12,5") written as `Money.parse` reads it.

    With both marks, the last one is the decimal mark and the other must group thousands.
    A mark that appears more than once must group thousands. A mark alone is a decimal mark,
    unless it is the reader's thousands mark and groups thousands here: "1,234" is 1234 to an
    English reader, and 1.234 (too many decimals for most currencies) to a French one.
    """
    if "," in unsigned and "." in unsigned:
        decimal = "," if unsigned.rfind(",") > unsigned.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        whole, _, fraction = unsigned.rpartition(decimal)
        if not _groups_thousands(whole, grouping):
            raise AmountMalformed(f"{typed!r} mixes its decimal and thousands marks.")
        return whole.replace(grouping, "") + "." + fraction
    for mark in (",", "."):
        if unsigned.count(mark) > 1:
            if not _groups_thousands(unsigned, mark):
                raise AmountMalformed(f"{typed!r} has a mark out of place.")
            return unsigned.replace(mark, "")
        if mark in unsigned:
            if mark == group and _groups_thousands(unsigned, mark):
                return unsigned.replace(mark, "")
            return unsigned.replace(mark, ".")
    return unsigned


def typed_amount(text: str, currency: str, *, locale: str) -> Money:
    """An amount as a person types it, read in the language they read the page in (`locale`,
    a CLDR identifier such as "en", "fr" or "fr-CA").

    Read: "12.50", "12,5", "1,234.50", "1.234,50", "1 234,50" (spaces of every kind go, as
    French groups thousands with a narrow no-break space, but a space between digits must group
    thousands: "12 50" is refused, never read as 1250), and the currency copied along with
    it ("XCD 12.50", "12,50 XCD", "EC$12.50"). Refused, each with its own `AmountError`:
    nothing but spaces and a currency (`AmountMissing`); marks that leave the meaning in doubt,
    and anything `Money.parse` calls malformed (`AmountMalformed`); a non-zero digit below the
    minor unit (`AmountTooPrecise`: never rounded); an absurd length (`AmountTooLarge`); and a
    minus sign before a non-zero amount (`AmountNegative`), since every form asks for what is
    paid, charged or refunded, whose direction the form itself says.
    """
    if not isinstance(text, str):
        raise TypeError(f"typed_amount reads a str, not {type(text).__name__}.")
    minor_unit_digits(currency)
    group, minus_signs = _number_symbols(locale)
    marks = _currency_marks(currency, locale)
    if not _spaces_group_thousands(text):
        raise AmountMalformed(f"{text!r} has a space inside a number that groups no thousands.")
    cleaned = "".join(text.split())
    # The sign may come before the currency, as English writes it ("-XCD 12.50"), or after.
    negative = cleaned[:1] in minus_signs
    unsigned = _without_currency(cleaned[1:] if negative else cleaned, marks)
    if not negative and unsigned[:1] in minus_signs:
        negative, unsigned = True, unsigned[1:]
    if not unsigned and not negative:
        raise AmountMissing("The amount is empty.")
    money = Money.parse(("-" if negative else "") + _plain(unsigned, group, text), currency)
    if money.is_negative():
        raise AmountNegative(f"{text!r} is below zero.")
    return money


def too_precise(typed: str, currency: str) -> LazyText:
    """What to tell a person whose amount has more decimals than the currency has, saying how
    many it has, in the language the page is read in."""
    return lazy(
        "{value} has too many decimals: an amount in {currency} has at most {digits}.",
        value=typed.strip(),
        currency=currency,
        digits=minor_unit_digits(currency),
    )


def written_amount(value: Money, *, locale: str) -> str:
    """An amount to put in a form field: plain digits with the decimal mark of `locale` ("12,50"
    in French), no grouping and no currency, so that it reads back unchanged."""
    return value.to_fixed().replace(".", get_decimal_symbol(locale))


def typed_count(text: str, *, locale: str) -> int | None:
    """A whole number of things as a person types it ("12", "1 000", and "1,000" to a reader
    whose language groups thousands with a comma); None when it is not one."""
    if not _spaces_group_thousands(text):
        return None
    cleaned = "".join(text.split())
    group, _minus_signs = _number_symbols(locale)
    if group in (",", ".") and _groups_thousands(cleaned, group):
        cleaned = cleaned.replace(group, "")
    if _COUNT.fullmatch(cleaned) is None:
        return None
    return int(cleaned)
