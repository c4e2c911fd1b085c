"""Read the few fields of an EMVCo merchant-presented QR payload that paying needs.

The switch publishes the full codec; a participant app cannot import it (DESIGN.md, section 2),
and needs only this much: the payee's alias (a merchant account template, tags 26 to 51, whose
sub-tag 01 is the alias), the amount (54), the currency (53, ISO 4217 numeric) and the
merchant's name (59). The payload is a list of TLV fields (two-digit tag, two-digit length,
value) ending with the CRC-16/CCITT-FALSE in tag 63, which is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import Money, MoneyError

# ISO 4217 numeric codes of the currencies a wallet here may meet.
NUMERIC_CURRENCIES: Final = {"951": "XCD", "840": "USD", "978": "EUR", "052": "BBD", "780": "TTD"}
COMPTOIR_GUI: Final = "org.comptoir"
MAX_PAYLOAD: Final = 512


@dataclass(frozen=True)
class QrPayment:
    alias: str
    merchant_name: str | None
    currency: str | None
    amount: Money | None


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _refuse(code: str) -> WalletError:
    texts = {
        "qr_malformed": lazy("This is not a payment QR code: its fields cannot be read."),
        "qr_checksum": lazy("The QR code is damaged: its checksum does not match. Scan it again."),
        "qr_no_alias": lazy("This QR code does not name an account that can be paid here."),
        "qr_currency": lazy("This QR code asks for a currency this wallet does not hold."),
        "qr_amount": lazy("The amount in this QR code is not valid."),
    }
    return WalletError(code, texts[code])


def tlv_fields(payload: str) -> list[tuple[str, str]]:
    """The (tag, value) pairs of a TLV string; any misfit is `qr_malformed`."""
    fields: list[tuple[str, str]] = []
    at = 0
    while at < len(payload):
        tag, length = payload[at : at + 2], payload[at + 2 : at + 4]
        if len(tag) < 2 or not tag.isdigit() or len(length) < 2 or not length.isdigit():
            raise _refuse("qr_malformed")
        end = at + 4 + int(length)
        if end > len(payload):
            raise _refuse("qr_malformed")
        fields.append((tag, payload[at + 4 : end]))
        at = end
    return fields


def parse_payment_qr(text: str) -> QrPayment:
    payload = text.strip()
    if not payload or len(payload) > MAX_PAYLOAD or not payload.isascii():
        raise _refuse("qr_malformed")
    fields = tlv_fields(payload)
    if not fields or fields[0][0] != "00" or fields[-1][0] != "63" or len(fields[-1][1]) != 4:
        raise _refuse("qr_malformed")
    expected = f"{crc16(payload[:-4].encode('ascii')):04X}"
    if fields[-1][1].upper() != expected:
        raise _refuse("qr_checksum")
    values = dict(fields)
    alias = _alias(fields)
    currency: str | None = None
    if "53" in values:
        currency = NUMERIC_CURRENCIES.get(values["53"])
        if currency is None:
            raise _refuse("qr_currency")
    amount: Money | None = None
    if "54" in values:
        if currency is None:
            raise _refuse("qr_amount")
        try:
            amount = Money.parse(values["54"], currency)
        except MoneyError:
            raise _refuse("qr_amount") from None
        if not amount.is_positive():
            raise _refuse("qr_amount")
    name = values.get("59", "").strip() or None
    return QrPayment(alias=alias, merchant_name=name, currency=currency, amount=amount)


def _alias(fields: list[tuple[str, str]]) -> str:
    """The alias of the first merchant account template that carries one, Comptoir's first."""
    found: list[tuple[bool, str]] = []
    for tag, value in fields:
        if not 26 <= int(tag) <= 51:
            continue
        inner = dict(tlv_fields(value))
        alias = inner.get("01", "").strip()
        if alias:
            found.append((inner.get("00", "").lower() != COMPTOIR_GUI, alias))
    if not found:
        raise _refuse("qr_no_alias")
    return sorted(found)[0][1]
