"""Phone numbers as people type them, brought to E.164 ("+17585550101").

People write their number as their country dials it: "758 555 0101", "(758) 555-0101", even
"555 0101" inside Saint Lucia. A node serves one country (the `phone_region` setting, "LC" for
Saint Lucia; the pages set it per request beside the language), so such a number is read as
that country's. A number with "+" or the international prefix "00" is read as written, from
any country. A node with no country reads digits alone as international ("17585550101").

"Possible" rather than "valid" is checked: a length the country's plan allows, with its area
code. Numbering plans change faster than the library, and the fictional 555 numbers of the
demo must work. A number possible only for local dialling ("+1 555 0101", seven digits with no
area code) is refused: nobody could call it from elsewhere.
"""

from __future__ import annotations

from contextvars import ContextVar

import phonenumbers

# The country whose numbers may be written without their country code, set per request from
# the node's `phone_region`; None outside a request (commands and services read E.164 only).
_current_region: ContextVar[str | None] = ContextVar("comptoir_phone_region", default=None)


def current_phone_region() -> str | None:
    return _current_region.get()


def set_current_phone_region(region: str | None) -> None:
    _current_region.set(region)


def known_region(region: str) -> bool:
    """Whether `region` is a country the numbering library knows ("LC", "FR")."""
    return region in phonenumbers.SUPPORTED_REGIONS


def e164_phone(text: str, *, region: str | None = None) -> str | None:
    """The number in E.164, or None when what was typed cannot be one. `region` is the country
    a number written without its country code belongs to: the node's by default."""
    cleaned = text.strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    country = region or current_phone_region()
    if not cleaned.startswith("+") and country is None:
        cleaned = "+" + cleaned
    try:
        parsed = phonenumbers.parse(cleaned, None if cleaned.startswith("+") else country)
    except phonenumbers.NumberParseException:
        return None
    if (
        phonenumbers.is_possible_number_with_reason(parsed)
        != phonenumbers.ValidationResult.IS_POSSIBLE
        or phonenumbers.region_code_for_country_code(parsed.country_code or 0) == "ZZ"
    ):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def shown_phone(number: str) -> str:
    """A number as pages show it, grouped as its country writes it ("+1 758 555 0101"); what
    is not a number in E.164 is shown as it is."""
    if not number.startswith("+"):
        return number
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    grouped = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    # Spaces rather than the dashes the library puts in some plans: one way on every page.
    return grouped.replace("-", " ")


def phone_country(number: str) -> str | None:
    """The country (ISO 3166 code) of an E.164 number, or None when it names none."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None
    return region if region and region != "ZZ" else None
