"""The fields of a merchant QR code, each checked against the specification when it is built.

`MerchantQr` holds the root tags, `MerchantAccount` a merchant account template (26 to 51) and
`AdditionalData` the additional data template (62); the tags this codec does not interpret are
kept raw, checked only for their shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Final

import pycountry

from comptoir.kernel.emvco_qr.currency import check_amount, numeric_currency
from comptoir.kernel.emvco_qr.errors import QrError
from comptoir.kernel.emvco_qr.kept_tags import check_kept_tags
from comptoir.kernel.emvco_qr.tlv import TWO_DIGITS, raw_gui, template
from comptoir.kernel.money import Money

__all__ = [
    "ADDITIONAL_FIELDS",
    "COMPTOIR_GUI",
    "CRC_TAG",
    "KNOWN_ROOT_TAGS",
    "AdditionalData",
    "MerchantAccount",
    "MerchantQr",
    "PointOfInitiation",
    "first_account_tag",
]

COMPTOIR_GUI: Final = "org.comptoir"
"""The globally unique identifier of Comptoir's merchant account template (reverse domain)."""

# The tags this codec interprets; every other root tag is kept raw in `unknown_tags`.
KNOWN_ROOT_TAGS: Final = frozenset({"00", "01", "52", "53", "54", "58", "59", "60", "61", "62"})
CRC_TAG: Final = "63"
ADDITIONAL_FIELDS: Final = {
    "01": "bill_number",
    "05": "reference_label",
    "07": "terminal_label",
    "08": "purpose",
}

# The specification's other sub-tags of tag 62 with a format this codec checks: "ans", up to 25.
_OTHER_ADDITIONAL_FIELDS: Final = {
    "02": "mobile number",
    "03": "store label",
    "04": "loyalty number",
    "06": "customer label",
}

# EMV Book 4's common character set, the "ans" format: printable ASCII.
_ANS: Final = re.compile(r"[\x20-\x7e]+")


class PointOfInitiation(StrEnum):
    """Tag 01: a static QR is printed once and reused; a dynamic one is made for one payment."""

    STATIC = "11"
    DYNAMIC = "12"


def _check_text(value: object, what: str, field: str, longest: int, *, ans: bool = True) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, not {type(value).__name__}.")
    if not 1 <= len(value) <= longest:
        raise QrError(
            "invalid_field",
            f"{what} must be 1 to {longest} characters long, not {len(value)}.",
            field=field,
        )
    if ans and not _ANS.fullmatch(value):
        bad = next(char for char in value if not _ANS.fullmatch(char))
        raise QrError(
            "invalid_field",
            f"{what} contains {bad!r}, which is outside the EMVCo character set "
            "(printable ASCII, without accents).",
            field=field,
        )
    if not value.isprintable():
        bad = next(char for char in value if not char.isprintable())
        raise QrError(
            "invalid_field", f"{what} contains {bad!r}, a control character.", field=field
        )


def _frozen_tags(tags: Mapping[str, str], what: str, field: str) -> Mapping[str, str]:
    """Check raw data objects (two-digit ID, 1 to 99 characters) and freeze them, sorted."""
    for tag, value in tags.items():
        if not isinstance(tag, str) or not TWO_DIGITS.fullmatch(tag):
            raise QrError(
                "invalid_field", f"The ID {tag!r} in {what} is not two digits.", field=field
            )
        _check_text(value, f"Tag {tag} in {what}", field, 99, ans=False)
    return MappingProxyType(dict(sorted(tags.items())))


@dataclass(frozen=True, slots=True)
class MerchantAccount:
    """A merchant account template (tags 26 to 51): the scheme's GUI and, for Comptoir, the alias.

    `other` holds the template's other sub-tags (02 to 99) as they were.
    """

    alias: str | None
    gui: str = COMPTOIR_GUI
    tag: str = "26"
    other: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not (isinstance(self.tag, str) and TWO_DIGITS.fullmatch(self.tag)):
            raise QrError(
                "invalid_field", f"{self.tag!r} is not a two-digit tag.", field="account.tag"
            )
        if not "26" <= self.tag <= "51":
            raise QrError(
                "invalid_field",
                f"A merchant account template uses a tag from 26 to 51, not {self.tag}.",
                field="account.tag",
            )
        what = f"the merchant account template (tag {self.tag})"
        _check_text(self.gui, f"The GUI (sub-tag 00) of {what}", "account.gui", 32)
        if self.alias is not None:
            _check_text(self.alias, f"The payee alias (sub-tag 01) in {what}", "account.alias", 90)
        other = _frozen_tags(self.other, what, "account.other")
        if {"00", "01"} & other.keys():
            raise QrError(
                "invalid_field",
                f"The GUI and the alias of {what} go in their own fields, not among the others.",
                field="account.other",
            )
        object.__setattr__(self, "other", other)
        self.value()

    def value(self) -> str:
        """The template's value: its sub-tags in order."""
        parts = [("00", self.gui), *self.other.items()]
        if self.alias is not None:
            parts.append(("01", self.alias))
        return template(parts, f"The merchant account template (tag {self.tag})", "account")

    @property
    def is_comptoir(self) -> bool:
        """Whether sub-tag 01 is a Comptoir alias (GUIs compare case-insensitively)."""
        return self.gui.lower() == COMPTOIR_GUI


@dataclass(frozen=True, slots=True)
class AdditionalData:
    """Tag 62. "***" in a field asks the payer's app to prompt for it. `other`: other sub-tags."""

    bill_number: str | None = None  # 01
    reference_label: str | None = None  # 05
    terminal_label: str | None = None  # 07
    purpose: str | None = None  # 08
    other: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for sub, name in ADDITIONAL_FIELDS.items():
            value = getattr(self, name)
            if value is not None:
                what = f"The {name.replace('_', ' ')} (tag 62, sub-tag {sub})"
                _check_text(value, what, f"additional_data.{name}", 25)
        other = _frozen_tags(self.other, "the additional data template", "additional_data.other")
        for sub, name in _OTHER_ADDITIONAL_FIELDS.items():
            if sub in other:
                what = f"The {name} (tag 62, sub-tag {sub})"
                _check_text(other[sub], what, "additional_data.other", 25)
        request = other.get("09")
        if request is not None and (
            not 1 <= len(request) <= 3
            or set(request) - set("AME")
            or len(set(request)) < len(request)
        ):
            # The payer's app is asked for its address (A), mobile number (M) or email (E).
            raise QrError(
                "invalid_field",
                f"The additional consumer data request (tag 62, sub-tag 09) is one to three of "
                f"the letters A, M and E, each at most once, not {request!r}.",
                field="additional_data.other",
            )
        if ADDITIONAL_FIELDS.keys() & other.keys():
            raise QrError(
                "invalid_field",
                "The additional data template keeps sub-tags 01, 05, 07 and 08 in their own "
                "fields, not among the others.",
                field="additional_data.other",
            )
        object.__setattr__(self, "other", other)
        self.value()

    def value(self) -> str:
        """The template's value ("" when empty, and then tag 62 is left out)."""
        parts = [(sub, getattr(self, name)) for sub, name in ADDITIONAL_FIELDS.items()]
        present = [(sub, value) for sub, value in parts if value is not None]
        return template(
            [*present, *self.other.items()],
            "The additional data template (tag 62)",
            "additional_data",
        )


# Kosovo's code is user-assigned in ISO 3166-1, yet the one its banks, the EU and SWIFT use.
_COUNTRIES_IN_USE_BEYOND_ISO: Final = frozenset({"XK"})


@cache
def _is_country(code: str) -> bool:
    return code in _COUNTRIES_IN_USE_BEYOND_ISO or pycountry.countries.get(alpha_2=code) is not None


def first_account_tag(templates: Mapping[str, str | None]) -> str | None:
    """The template a payer's app reads: the first with Comptoir's GUI, else the first of all."""
    ordered = sorted(templates)
    comptoir = [tag for tag in ordered if (templates[tag] or "").lower() == COMPTOIR_GUI]
    first = comptoir or ordered
    return first[0] if first else None


@dataclass(frozen=True, slots=True)
class MerchantQr:
    """The fields of a merchant-presented QR code. Construction validates every field.

    A dynamic QR normally carries an amount; one without (`amount` None) is allowed, and then
    the payer's app asks the payer for the amount, as with a static QR.
    """

    account: MerchantAccount | None
    merchant_name: str  # 59, at most 25 characters
    merchant_city: str  # 60, at most 15
    country: str  # 58, ISO 3166-1 alpha-2
    currency: str = "XCD"  # 53, sent as its ISO 4217 numeric code
    amount: Money | None = None  # 54
    point_of_initiation: PointOfInitiation | None = PointOfInitiation.STATIC  # 01
    merchant_category_code: str = "5999"  # 52, ISO 18245
    postal_code: str | None = None  # 61
    additional_data: AdditionalData = AdditionalData()  # 62
    unknown_tags: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        point = self.point_of_initiation
        if point is not None and point not in {"11", "12"}:
            raise QrError(
                "invalid_field",
                f"The point of initiation method (tag 01) must be '11' (static) or '12' "
                f"(dynamic), not {point!r}.",
                field="point_of_initiation",
            )
        if point is not None:
            object.__setattr__(self, "point_of_initiation", PointOfInitiation(point))
        mcc = self.merchant_category_code
        if not (isinstance(mcc, str) and re.fullmatch(r"[0-9]{4}", mcc)):
            raise QrError(
                "invalid_field",
                f"The merchant category code (tag 52) must be four digits, "
                f"not {self.merchant_category_code!r}.",
                field="merchant_category_code",
            )
        numeric_currency(self.currency)
        if self.amount is not None:
            check_amount(self.amount, self.currency)
        if not (isinstance(self.country, str) and re.fullmatch(r"[A-Z]{2}", self.country)):
            raise QrError(
                "invalid_field",
                f"The country code (tag 58) must be two capital letters (ISO 3166-1 alpha-2), "
                f"not {self.country!r}.",
                field="country",
            )
        if not _is_country(self.country):
            raise QrError(
                "invalid_field",
                f"The country code (tag 58) {self.country!r} names no country in ISO 3166-1.",
                field="country",
            )
        _check_text(self.merchant_name, "The merchant name (tag 59)", "merchant_name", 25)
        _check_text(self.merchant_city, "The merchant city (tag 60)", "merchant_city", 15)
        if self.postal_code is not None:
            _check_text(self.postal_code, "The postal code (tag 61)", "postal_code", 10)
        self._check_unknown_tags()

    def _check_unknown_tags(self) -> None:
        unknown = _frozen_tags(self.unknown_tags, "the unknown tags", "unknown_tags")
        taken = KNOWN_ROOT_TAGS | {CRC_TAG} | ({self.account.tag} if self.account else set())
        clash = sorted(taken & unknown.keys())
        if clash:
            raise QrError(
                "invalid_field",
                f"Tag {clash[0]} has its own field, so it cannot also be an unknown tag.",
                field="unknown_tags",
            )
        object.__setattr__(self, "unknown_tags", unknown)
        templates = {tag: raw_gui(value) for tag, value in unknown.items() if "26" <= tag <= "51"}
        if self.account is not None:
            templates[self.account.tag] = self.account.gui
        elif not any("02" <= tag <= "25" for tag in unknown) and not templates:
            raise QrError(
                "missing_field",
                "The QR has no merchant account information (tags 02 to 51).",
                field="account",
            )
        check_kept_tags(unknown)
        chosen = first_account_tag(templates)
        if chosen is not None and (self.account is None or chosen != self.account.tag):
            raise QrError(
                "invalid_field",
                f"The merchant account template in tag {chosen} comes first for a payer's app, "
                "so it must be the account rather than an unknown tag.",
                field="account",
            )

    @property
    def alias(self) -> str | None:
        """The payee's Comptoir alias, or None when the QR names no Comptoir account."""
        return self.account.alias if self.account and self.account.is_comptoir else None
