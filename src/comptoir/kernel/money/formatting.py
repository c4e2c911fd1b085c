"""Money for people: the locale's number style with the ISO code, per CLDR (through Babel)."""

from __future__ import annotations

from typing import Final

from babel import Locale
from babel.numbers import NumberPattern, get_minus_sign_symbol

from comptoir.kernel.money.amount import Money
from comptoir.kernel.money.currencies import minor_unit_digits

_NO_BREAK_SPACE: Final = "\u00a0"


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
