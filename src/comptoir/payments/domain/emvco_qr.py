"""Merchant QR codes: the EMVCo merchant-presented mode (MPM) payload, encoded and strictly decoded.

This is the payload that Pix, UPI, PayNow, PromptPay and most national schemes print on a
merchant's counter sticker (EMV QR Code Specification for Payment Systems, Merchant-Presented
Mode). It is a string of data objects, each a two-digit ID, a two-digit length counted in
characters, and the value; IDs 26 to 51 and 62 are templates holding data objects of their own.
The payload starts with the payload format indicator (00) and ends with a CRC-16/CCITT-FALSE of
everything before its four hex digits, "6304" included.

Comptoir's payee travels in a merchant account template (26 by default) whose globally unique
identifier is `COMPTOIR_GUI` and whose sub-tag 01 is the payee's alias (`shop@dfsp`). A wallet
must check that GUI before paying the alias: a QR made for another scheme still decodes (its
merchant account and the tags this codec does not interpret are kept as they were), but its
sub-tag 01 means whatever that scheme says.

`decode` is strict: a wrong CRC, a broken TLV, a missing or misplaced mandatory tag, a duplicate
tag or a value that breaks its format raises `QrError` with a stable `code` and one English
sentence. A valid `MerchantQr` round-trips: `decode(encode(qr)) == qr`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

from comptoir.kernel.money import Money, MoneyError, minor_unit_digits

__all__ = [
    "COMPTOIR_GUI",
    "ISO_4217_NUMERIC",
    "MAX_PAYLOAD_LENGTH",
    "AdditionalData",
    "MerchantAccount",
    "MerchantQr",
    "PointOfInitiation",
    "QrError",
    "crc16_ccitt_false",
    "decode",
    "encode",
    "numeric_currency",
    "parse_amount",
]

COMPTOIR_GUI: Final = "org.comptoir"
"""The globally unique identifier of Comptoir's merchant account template (reverse domain)."""

MAX_PAYLOAD_LENGTH: Final = 512
"""The specification's limit on a whole payload, in characters."""

# ISO 4217 numeric codes for the currencies a Comptoir QR may carry: the Caribbean's, the main
# trading currencies, and those of the published sample payloads. Each must also be a currency
# `comptoir.kernel.money` accepts; a test checks both. Unknown codes are refused, not guessed.
ISO_4217_NUMERIC: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{"XCD": "951", "XCG": "532", "AWG": "533", "BBD": "052", "BMD": "060", "BSD": "044"},
        **{"BZD": "084", "CUP": "192", "DOP": "214", "GYD": "328", "HTG": "332", "JMD": "388"},
        **{"KYD": "136", "SRD": "968", "TTD": "780", "USD": "840", "CAD": "124", "EUR": "978"},
        **{"GBP": "826", "BRL": "986", "CNY": "156", "INR": "356", "JPY": "392", "KHR": "116"},
        **{"SGD": "702", "THB": "764", "BHD": "048", "XOF": "952", "XAF": "950", "KES": "404"},
        **{"NGN": "566", "GHS": "936", "RWF": "646", "TZS": "834"},
    }
)
_CURRENCY_BY_NUMERIC: Final = {numeric: alpha for alpha, numeric in ISO_4217_NUMERIC.items()}

# The tags this codec interprets; every other root tag is kept raw in `unknown_tags`.
_KNOWN_ROOT_TAGS: Final = frozenset({"00", "01", "52", "53", "54", "58", "59", "60", "61", "62"})
_CRC_TAG: Final = "63"
_ADDITIONAL_FIELDS: Final = {
    "01": "bill_number",
    "05": "reference_label",
    "07": "terminal_label",
    "08": "purpose",
}

# EMV Book 4's common character set, the "ans" format: printable ASCII.
_ANS: Final = re.compile(r"[\x20-\x7e]+")
_TWO_DIGITS: Final = re.compile(r"[0-9]{2}")
_AMOUNT: Final = re.compile(r"[0-9]+(?:\.([0-9]+))?")
_CRC_VALUE: Final = re.compile(r"[0-9A-F]{4}")

QrErrorCode = Literal[
    "crc_mismatch",
    "malformed_tlv",
    "missing_field",
    "misplaced_tag",
    "duplicate_tag",
    "invalid_field",
    "unsupported_currency",
    "payload_too_long",
]


class QrError(ValueError):
    """A payload or a field that breaks the specification; `code` is stable, the text one sentence.

    `field` names the `MerchantQr` attribute at fault when there is one ("merchant_name",
    "additional_data.purpose"), so a form can point at it.
    """

    def __init__(self, code: QrErrorCode, sentence: str, *, field: str | None = None) -> None:
        super().__init__(sentence)
        self.code: QrErrorCode = code
        self.sentence = sentence
        self.field = field


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
        if not isinstance(tag, str) or not _TWO_DIGITS.fullmatch(tag):
            raise QrError(
                "invalid_field", f"The ID {tag!r} in {what} is not two digits.", field=field
            )
        _check_text(value, f"Tag {tag} in {what}", field, 99, ans=False)
    return MappingProxyType(dict(sorted(tags.items())))


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _template(parts: Iterable[tuple[str, str]], what: str, field: str) -> str:
    value = "".join(_tlv(tag, sub) for tag, sub in sorted(parts))
    if len(value) > 99:
        raise QrError(
            "invalid_field",
            f"{what} would be {len(value)} characters long; a data object holds at most 99.",
            field=field,
        )
    return value


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
        if not (isinstance(self.tag, str) and _TWO_DIGITS.fullmatch(self.tag)):
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
        return _template(parts, f"The merchant account template (tag {self.tag})", "account")

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
        for sub, name in _ADDITIONAL_FIELDS.items():
            value = getattr(self, name)
            if value is not None:
                what = f"The {name.replace('_', ' ')} (tag 62, sub-tag {sub})"
                _check_text(value, what, f"additional_data.{name}", 25)
        other = _frozen_tags(self.other, "the additional data template", "additional_data.other")
        if _ADDITIONAL_FIELDS.keys() & other.keys():
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
        parts = [(sub, getattr(self, name)) for sub, name in _ADDITIONAL_FIELDS.items()]
        present = [(sub, value) for sub, value in parts if value is not None]
        return _template(
            [*present, *self.other.items()],
            "The additional data template (tag 62)",
            "additional_data",
        )


def _account_tag(templates: Mapping[str, str | None]) -> str | None:
    """The template a payer's app reads: the first with Comptoir's GUI, else the first of all."""
    ordered = sorted(templates)
    comptoir = [tag for tag in ordered if (templates[tag] or "").lower() == COMPTOIR_GUI]
    first = comptoir or ordered
    return first[0] if first else None


def _raw_gui(value: str) -> str | None:
    """The GUI at the head of a template kept raw, if it starts with a well-formed sub-tag 00."""
    size = value[2:4]
    if value[:2] == "00" and _TWO_DIGITS.fullmatch(size) and 4 + int(size) <= len(value):
        return value[4 : 4 + int(size)]
    return None


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
            _check_amount(self.amount, self.currency)
        if not (isinstance(self.country, str) and re.fullmatch(r"[A-Z]{2}", self.country)):
            raise QrError(
                "invalid_field",
                f"The country code (tag 58) must be two capital letters (ISO 3166-1 alpha-2), "
                f"not {self.country!r}.",
                field="country",
            )
        _check_text(self.merchant_name, "The merchant name (tag 59)", "merchant_name", 25)
        _check_text(self.merchant_city, "The merchant city (tag 60)", "merchant_city", 15)
        if self.postal_code is not None:
            _check_text(self.postal_code, "The postal code (tag 61)", "postal_code", 10)
        self._check_unknown_tags()

    def _check_unknown_tags(self) -> None:
        unknown = _frozen_tags(self.unknown_tags, "the unknown tags", "unknown_tags")
        taken = _KNOWN_ROOT_TAGS | {_CRC_TAG} | ({self.account.tag} if self.account else set())
        clash = sorted(taken & unknown.keys())
        if clash:
            raise QrError(
                "invalid_field",
                f"Tag {clash[0]} has its own field, so it cannot also be an unknown tag.",
                field="unknown_tags",
            )
        object.__setattr__(self, "unknown_tags", unknown)
        templates = {tag: _raw_gui(value) for tag, value in unknown.items() if "26" <= tag <= "51"}
        if self.account is not None:
            templates[self.account.tag] = self.account.gui
        elif not any("02" <= tag <= "25" for tag in unknown) and not templates:
            raise QrError(
                "missing_field",
                "The QR has no merchant account information (tags 02 to 51).",
                field="account",
            )
        chosen = _account_tag(templates)
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


def numeric_currency(currency: str) -> str:
    """The ISO 4217 numeric code for tag 53 ("XCD" -> "951"); QrError for a currency not kept."""
    numeric = ISO_4217_NUMERIC.get(currency) if isinstance(currency, str) else None
    if numeric is None:
        raise QrError(
            "unsupported_currency",
            f"{currency!r} is not a currency Comptoir's merchant QR supports "
            f"({', '.join(sorted(ISO_4217_NUMERIC))}).",
            field="currency",
        )
    return numeric


def _check_amount(amount: Money, currency: str) -> None:
    if not isinstance(amount, Money):
        raise TypeError(f"amount must be a Money, not {type(amount).__name__}.")
    if amount.currency != currency:
        raise QrError(
            "invalid_field",
            f"The amount is in {amount.currency} but the QR's currency (tag 53) is {currency}.",
            field="amount",
        )
    if not amount.is_positive():
        raise QrError(
            "invalid_field",
            f"The transaction amount (tag 54) must be more than zero, not {amount.to_fixed()}.",
            field="amount",
        )
    if len(amount.to_fixed()) > 13:
        raise QrError(
            "invalid_field",
            f"The transaction amount (tag 54) {amount.to_fixed()} is longer than 13 characters.",
            field="amount",
        )


def parse_amount(text: str, currency: str) -> Money:
    """Read a tag 54 amount ("12.50", "12.5", "12"): digits, an optional point, no more
    decimals than the currency has, more than zero, at most 13 characters."""
    numeric_currency(currency)
    digits = minor_unit_digits(currency)
    match = _AMOUNT.fullmatch(text)
    if match is None or len(text) > 13:
        raise QrError(
            "invalid_field",
            f"The transaction amount (tag 54) {text!r} is not a plain amount such as 12.50 "
            "(at most 13 characters: digits and an optional decimal point).",
            field="amount",
        )
    if len(match.group(1) or "") > digits:
        raise QrError(
            "invalid_field",
            f"The transaction amount (tag 54) {text} has more decimals than {currency} allows "
            f"({digits}).",
            field="amount",
        )
    try:
        amount = Money.parse(text, currency)
    except MoneyError as exc:  # pragma: no cover - the checks above leave nothing for it
        raise QrError("invalid_field", str(exc), field="amount") from exc
    _check_amount(amount, currency)
    return amount


# -- CRC ------------------------------------------------------------------------------------


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC_TABLE: Final = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return crc


def _crc_of(body: str) -> str:
    """The four hex digits for a payload whose text up to and including "6304" is `body`."""
    # A lone surrogate (from undecodable command-line bytes) still gets a CRC, so that the
    # payload is refused with a sentence rather than a UnicodeEncodeError.
    return f"{crc16_ccitt_false(body.encode('utf-8', 'surrogatepass')):04X}"


# -- encoding -------------------------------------------------------------------------------


def encode(qr: MerchantQr) -> str:
    """The payload string: tag 00 first, the other tags in ascending order, the CRC last."""
    objects: dict[str, str] = dict(qr.unknown_tags)
    if qr.point_of_initiation is not None:
        objects["01"] = qr.point_of_initiation.value
    if qr.account is not None:
        objects[qr.account.tag] = qr.account.value()
    objects["52"] = qr.merchant_category_code
    objects["53"] = numeric_currency(qr.currency)
    if qr.amount is not None:
        objects["54"] = qr.amount.to_fixed()
    objects["58"] = qr.country
    objects["59"] = qr.merchant_name
    objects["60"] = qr.merchant_city
    if qr.postal_code is not None:
        objects["61"] = qr.postal_code
    additional = qr.additional_data.value()
    if additional:
        objects["62"] = additional
    body = _tlv("00", "01") + "".join(_tlv(tag, objects[tag]) for tag in sorted(objects))
    body += _CRC_TAG + "04"
    if len(body) + 4 > MAX_PAYLOAD_LENGTH:
        raise QrError(
            "payload_too_long",
            f"The payload would be {len(body) + 4} characters long; "
            f"the specification allows at most {MAX_PAYLOAD_LENGTH}.",
        )
    return body + _crc_of(body)


# -- decoding -------------------------------------------------------------------------------


def _split(text: str, where: str, start: int) -> dict[str, str]:
    """The data objects in `text` (`where` names it), which begins at `start` in the payload."""
    objects: dict[str, str] = {}
    index = 0
    while index < len(text):
        at = start + index + 1  # people count characters from 1
        tag, size = text[index : index + 2], text[index + 2 : index + 4]
        if len(text) - index < 4:
            raise QrError(
                "malformed_tlv",
                f"{where[0].upper()}{where[1:]} ends at character {at} with {text[index:]!r}, "
                "too short for a data object's ID and length.",
            )
        if not _TWO_DIGITS.fullmatch(tag):
            raise QrError(
                "malformed_tlv",
                f"The data object at character {at} in {where} has the ID {tag!r}, not two digits.",
            )
        if not _TWO_DIGITS.fullmatch(size):
            raise QrError(
                "malformed_tlv",
                f"The length of tag {tag} at character {at} in {where} is {size!r}, "
                "not two digits.",
            )
        length, remaining = int(size), len(text) - index - 4
        if length == 0:
            raise QrError(
                "malformed_tlv", f"Tag {tag} at character {at} in {where} has an empty value."
            )
        if length > remaining:
            raise QrError(
                "malformed_tlv",
                f"Tag {tag} at character {at} claims {length} characters but only "
                f"{remaining} remain in {where}.",
            )
        if tag in objects:
            raise QrError("duplicate_tag", f"Tag {tag} appears twice in {where}.")
        objects[tag] = text[index + 4 : index + 4 + length]
        index += 4 + length
    return objects


def _check_crc(payload: str) -> None:
    if payload[-8:-4] != _CRC_TAG + "04":
        return  # the structural checks say what is wrong
    given = payload[-4:]
    if not _CRC_VALUE.fullmatch(given):
        raise QrError(
            "invalid_field",
            f"The CRC (tag 63) must be four upper-case hexadecimal digits, not {given!r}.",
        )
    computed = _crc_of(payload[:-4])
    if given != computed:
        raise QrError(
            "crc_mismatch", f"The CRC is {given} but the payload's content gives {computed}."
        )


_MANDATORY: Final = {
    "52": "merchant category code",
    "53": "transaction currency",
    "58": "country code",
    "59": "merchant name",
    "60": "merchant city",
}


def decode(payload: str) -> MerchantQr:
    """The fields of a payload, after checking its CRC, its structure and every field."""
    if not isinstance(payload, str):
        raise TypeError(f"decode reads a str, not {type(payload).__name__}.")
    if not payload:
        raise QrError("malformed_tlv", "The payload is empty.")
    if len(payload) > MAX_PAYLOAD_LENGTH:
        raise QrError(
            "payload_too_long",
            f"The payload is {len(payload)} characters long; "
            f"the specification allows at most {MAX_PAYLOAD_LENGTH}.",
        )
    _check_crc(payload)
    objects = _split(payload, "the payload", 0)
    tags = list(objects)
    if tags[0] != "00":
        where = "has none" if "00" not in objects else f"starts with tag {tags[0]}"
        raise QrError(
            "misplaced_tag" if "00" in objects else "missing_field",
            f"The payload format indicator (tag 00) must come first, but the payload {where}.",
        )
    if objects["00"] != "01":
        raise QrError(
            "invalid_field",
            f"The payload format indicator (tag 00) must be '01', not {objects['00']!r}.",
        )
    if _CRC_TAG not in objects:
        raise QrError("missing_field", "The payload has no CRC (tag 63) at its end.")
    if tags[-1] != _CRC_TAG:
        raise QrError(
            "misplaced_tag",
            f"The CRC (tag 63) must be the last data object, but tag {tags[-1]} follows it.",
        )
    if len(objects[_CRC_TAG]) != 4:
        raise QrError(
            "invalid_field",
            f"The CRC (tag 63) must be 4 characters long, not {len(objects[_CRC_TAG])}.",
        )
    for tag, name in _MANDATORY.items():
        if tag not in objects:
            raise QrError("missing_field", f"The payload has no {name} (tag {tag}).")
    return _fields(payload, objects)


def _fields(payload: str, objects: dict[str, str]) -> MerchantQr:
    currency = _CURRENCY_BY_NUMERIC.get(objects["53"])
    if currency is None:
        raise QrError(
            "unsupported_currency",
            f"The transaction currency (tag 53) {objects['53']!r} is not an ISO 4217 numeric "
            "code that Comptoir's merchant QR supports.",
            field="currency",
        )
    point = objects.get("01")
    if point is not None and point not in {"11", "12"}:
        raise QrError(
            "invalid_field",
            f"The point of initiation method (tag 01) must be '11' (static) or '12' (dynamic), "
            f"not {point!r}.",
            field="point_of_initiation",
        )
    unknown = {tag: v for tag, v in objects.items() if tag not in _KNOWN_ROOT_TAGS | {_CRC_TAG}}
    templates = {tag: v for tag, v in unknown.items() if "26" <= tag <= "51"}
    account_tag = _account_tag({tag: _raw_gui(value) for tag, value in templates.items()})
    account = None
    if account_tag is not None:
        what = f"the merchant account template (tag {account_tag})"
        subs = _split(templates[account_tag], what, _start_of(payload, account_tag))
        if "00" not in subs:
            raise QrError("missing_field", f"The {what[4:]} has no GUI (sub-tag 00).")
        account = MerchantAccount(
            alias=subs.pop("01", None), gui=subs.pop("00"), tag=account_tag, other=subs
        )
        del unknown[account_tag]
    additional = AdditionalData()
    if "62" in objects:
        what = "the additional data template (tag 62)"
        subs = _split(objects["62"], what, _start_of(payload, "62"))
        named = {name: subs.pop(sub, None) for sub, name in _ADDITIONAL_FIELDS.items()}
        additional = AdditionalData(**named, other=subs)
    return MerchantQr(
        account=account,
        merchant_name=objects["59"],
        merchant_city=objects["60"],
        country=objects["58"],
        currency=currency,
        amount=parse_amount(objects["54"], currency) if "54" in objects else None,
        point_of_initiation=None if point is None else PointOfInitiation(point),
        merchant_category_code=objects["52"],
        postal_code=objects.get("61"),
        additional_data=additional,
        unknown_tags=unknown,
    )


def _start_of(payload: str, wanted: str) -> int:
    """Where the value of the root tag `wanted` begins in a payload already split once."""
    index = 0
    while payload[index : index + 2] != wanted:
        index += 4 + int(payload[index + 2 : index + 4])
    return index + 4
