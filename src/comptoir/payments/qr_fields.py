"""What `comptoir qr decode` prints: every field of a merchant QR, named, as one JSON object.

The codec keeps some root tags raw (the merchant accounts of other schemes, a tip or fee, the
name in another language, the unreserved templates); they are checked when decoded, and here
they are named too, so that a person reading the output sees what the payer's app would see.
`unknown_tags` still lists every tag kept raw, as it was in the payload, and
`additional_data.other` every sub-tag of tag 62 beyond its four own fields: scripts written
against the earlier output keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from comptoir.kernel.emvco_qr import MerchantQr, numeric_currency
from comptoir.kernel.emvco_qr.tlv import split

__all__ = ["qr_fields"]

# Tag 62's sub-tags that the codec keeps among its "other" ones, by the name the
# specification gives them.
_MORE_ADDITIONAL: Final = {
    "02": "mobile_number",
    "03": "store_label",
    "04": "loyalty_number",
    "06": "customer_label",
}
# Tag 62, sub-tag 09: what the payer's app is asked to give the merchant.
_CONSUMER_DATA: Final = {"A": "address", "M": "mobile", "E": "email"}
_TIP_KINDS: Final = {"01": "tip_prompt", "02": "fixed_fee", "03": "percentage_fee"}


def qr_fields(qr: MerchantQr, crc: str) -> dict[str, object]:
    """The JSON shape `comptoir qr decode` prints. Absent optional fields are null.

    {"payload_format_indicator": "01",
     "point_of_initiation": "static" | "dynamic" | null,
     "payee_alias": the Comptoir alias, or null when the account is not Comptoir's,
     "merchant_account": the template a payer's app reads (Comptoir's, else the first):
                         {"tag": "26", "gui": "org.comptoir", "alias": "shop@dfsp" | null,
                          "other": {sub-tag: value}} | null,
     "merchant_accounts": every merchant account in tag order: {"tag": "04", "value": ...}
                          for a card network's (02 to 25), {"tag": "31", "gui": ...,
                          "sub_tags": {sub-tag: value}} for a template (26 to 51),
     "merchant_category_code": "5999", "currency": "XCD", "currency_numeric": "951",
     "amount": "12.50" | null (with the currency's decimals), "country": "LC",
     "merchant_name": ..., "merchant_city": ..., "postal_code": ... | null,
     "tip_or_convenience_fee": {"kind": "tip_prompt" | "fixed_fee" | "percentage_fee",
                                "fixed_fee": "1.50" | null, "percentage": "3.5" | null} | null,
     "additional_data": {"bill_number", "reference_label", "terminal_label", "purpose",
                         "mobile_number", "store_label", "loyalty_number", "customer_label":
                         ... | null, "consumer_data_request": ["address", "mobile", "email"]
                         (those asked) | null, "other": {sub-tag: value}},
     "language_template": {"language": "ZH", "merchant_name": ...,
                           "merchant_city": ... | null} | null,
     "unreserved_templates": [{"tag": "80", "gui": ..., "sub_tags": {...}}],
     "unknown_tags": {tag kept raw (named above too, where it has a name): value},
     "crc": "ABCD"}
    """
    account = qr.account
    point = qr.point_of_initiation
    extra = qr.additional_data
    kept = qr.unknown_tags
    request = extra.other.get("09")
    return {
        "payload_format_indicator": "01",
        "point_of_initiation": None if point is None else point.name.lower(),
        "payee_alias": qr.alias,
        "merchant_account": None
        if account is None
        else {
            "tag": account.tag,
            "gui": account.gui,
            "alias": account.alias,
            "other": dict(account.other),
        },
        "merchant_accounts": _merchant_accounts(qr),
        "merchant_category_code": qr.merchant_category_code,
        "currency": qr.currency,
        "currency_numeric": numeric_currency(qr.currency),
        "amount": None if qr.amount is None else qr.amount.to_fixed(),
        "country": qr.country,
        "merchant_name": qr.merchant_name,
        "merchant_city": qr.merchant_city,
        "postal_code": qr.postal_code,
        "tip_or_convenience_fee": None
        if "55" not in kept
        else {
            "kind": _TIP_KINDS[kept["55"]],
            "fixed_fee": kept.get("56"),
            "percentage": kept.get("57"),
        },
        "additional_data": {
            "bill_number": extra.bill_number,
            "reference_label": extra.reference_label,
            "terminal_label": extra.terminal_label,
            "purpose": extra.purpose,
            **{name: extra.other.get(sub) for sub, name in _MORE_ADDITIONAL.items()},
            "consumer_data_request": None
            if request is None
            else [_CONSUMER_DATA[letter] for letter in request],
            "other": dict(extra.other),
        },
        "language_template": _language_template(kept.get("64")),
        "unreserved_templates": [
            _template(tag, value) for tag, value in kept.items() if "80" <= tag <= "99"
        ],
        "unknown_tags": dict(kept),
        "crc": crc,
    }


def _sub_tags(value: str) -> dict[str, str]:
    # The codec has checked every template it kept, so splitting one again cannot fail.
    return split(value, "a template", 0)


def _template(tag: str, value: str) -> dict[str, object]:
    subs = _sub_tags(value)
    return {"tag": tag, "gui": subs.pop("00", None), "sub_tags": subs}


def _merchant_accounts(qr: MerchantQr) -> list[dict[str, object]]:
    accounts: dict[str, dict[str, object]] = {}
    for tag, value in qr.unknown_tags.items():
        if "02" <= tag <= "25":
            accounts[tag] = {"tag": tag, "value": value}
        elif "26" <= tag <= "51":
            accounts[tag] = _template(tag, value)
    if qr.account is not None:
        chosen = qr.account
        subs = dict(chosen.other)
        if chosen.alias is not None:
            subs["01"] = chosen.alias
        accounts[chosen.tag] = {
            "tag": chosen.tag,
            "gui": chosen.gui,
            "sub_tags": dict(sorted(subs.items())),
        }
    return [accounts[tag] for tag in sorted(accounts)]


def _language_template(value: str | None) -> Mapping[str, str | None] | None:
    if value is None:
        return None
    subs = _sub_tags(value)
    return {
        "language": subs["00"],
        "merchant_name": subs["01"],
        "merchant_city": subs.get("02"),
    }
