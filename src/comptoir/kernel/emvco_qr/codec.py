"""The payload: `encode` writes the fields of a `MerchantQr`, `decode` strictly reads them back.

`decode` checks the CRC, then the structure (tag 00 first, tag 63 last, no duplicates, the
mandatory tags present), then every field, and raises `QrError` at the first fault.
"""

from __future__ import annotations

import re
from typing import Final

from comptoir.kernel.emvco_qr.crc import crc_of
from comptoir.kernel.emvco_qr.currency import (
    CURRENCY_BY_NUMERIC,
    amount_text,
    numeric_currency,
    read_amount,
)
from comptoir.kernel.emvco_qr.errors import QrError
from comptoir.kernel.emvco_qr.fields import (
    ADDITIONAL_FIELDS,
    CRC_TAG,
    KNOWN_ROOT_TAGS,
    AdditionalData,
    MerchantAccount,
    MerchantQr,
    PointOfInitiation,
    first_account_tag,
)
from comptoir.kernel.emvco_qr.kept_tags import check_kept_tags
from comptoir.kernel.emvco_qr.tlv import raw_gui, split, start_of, tlv

__all__ = ["MAX_PAYLOAD_LENGTH", "decode", "encode"]

MAX_PAYLOAD_LENGTH: Final = 512
"""The specification's limit on a whole payload, in characters."""

_CRC_VALUE: Final = re.compile(r"[0-9A-F]{4}")


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
        objects["54"] = amount_text(qr.amount)
    objects["58"] = qr.country
    objects["59"] = qr.merchant_name
    objects["60"] = qr.merchant_city
    if qr.postal_code is not None:
        objects["61"] = qr.postal_code
    additional = qr.additional_data.value()
    if additional:
        objects["62"] = additional
    body = tlv("00", "01") + "".join(tlv(tag, objects[tag]) for tag in sorted(objects))
    body += CRC_TAG + "04"
    if len(body) + 4 > MAX_PAYLOAD_LENGTH:
        raise QrError(
            "payload_too_long",
            f"The payload would be {len(body) + 4} characters long; "
            f"the specification allows at most {MAX_PAYLOAD_LENGTH}.",
        )
    return body + crc_of(body)


# -- decoding -------------------------------------------------------------------------------


def _check_crc(payload: str) -> None:
    if payload[-8:-4] != CRC_TAG + "04":
        return  # the structural checks say what is wrong
    given = payload[-4:]
    if not _CRC_VALUE.fullmatch(given):
        raise QrError(
            "invalid_field",
            f"The CRC (tag 63) must be four upper-case hexadecimal digits, not {given!r}.",
        )
    computed = crc_of(payload[:-4])
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
    objects = split(payload, "the payload", 0)
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
    if CRC_TAG not in objects:
        raise QrError("missing_field", "The payload has no CRC (tag 63) at its end.")
    if tags[-1] != CRC_TAG:
        raise QrError(
            "misplaced_tag",
            f"The CRC (tag 63) must be the last data object, but tag {tags[-1]} follows it.",
        )
    if len(objects[CRC_TAG]) != 4:
        raise QrError(
            "invalid_field",
            f"The CRC (tag 63) must be 4 characters long, not {len(objects[CRC_TAG])}.",
        )
    for tag, name in _MANDATORY.items():
        if tag not in objects:
            raise QrError("missing_field", f"The payload has no {name} (tag {tag}).")
    return _fields(payload, objects)


def _fields(payload: str, objects: dict[str, str]) -> MerchantQr:
    currency = CURRENCY_BY_NUMERIC.get(objects["53"])
    if currency is None:
        raise QrError(
            "unsupported_currency",
            f"The transaction currency (tag 53) {objects['53']!r} is not the ISO 4217 numeric "
            "code of a currency in current use.",
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
    unknown = {tag: v for tag, v in objects.items() if tag not in KNOWN_ROOT_TAGS | {CRC_TAG}}
    templates = {tag: v for tag, v in unknown.items() if "26" <= tag <= "51"}
    account_tag = first_account_tag({tag: raw_gui(value) for tag, value in templates.items()})
    account = None
    if account_tag is not None:
        what = f"the merchant account template (tag {account_tag})"
        subs = split(templates[account_tag], what, start_of(payload, account_tag))
        if "00" not in subs:
            raise QrError("missing_field", f"The {what[4:]} has no GUI (sub-tag 00).")
        account = MerchantAccount(
            alias=subs.pop("01", None), gui=subs.pop("00"), tag=account_tag, other=subs
        )
        del unknown[account_tag]
    check_kept_tags(unknown, lambda tag: start_of(payload, tag))
    additional = AdditionalData()
    if "62" in objects:
        what = "the additional data template (tag 62)"
        subs = split(objects["62"], what, start_of(payload, "62"))
        named = {name: subs.pop(sub, None) for sub, name in ADDITIONAL_FIELDS.items()}
        additional = AdditionalData(**named, other=subs)
    return MerchantQr(
        account=account,
        merchant_name=objects["59"],
        merchant_city=objects["60"],
        country=objects["58"],
        currency=currency,
        amount=read_amount(objects["54"], currency) if "54" in objects else None,
        point_of_initiation=None if point is None else PointOfInitiation(point),
        merchant_category_code=objects["52"],
        postal_code=objects.get("61"),
        additional_data=additional,
        unknown_tags=unknown,
    )
