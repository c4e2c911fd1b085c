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

from comptoir.kernel.emvco_qr.codec import MAX_PAYLOAD_LENGTH, decode, encode
from comptoir.kernel.emvco_qr.crc import crc16_ccitt_false
from comptoir.kernel.emvco_qr.currency import (
    ISO_4217_NUMERIC,
    numeric_currency,
    parse_amount,
)
from comptoir.kernel.emvco_qr.errors import QrError
from comptoir.kernel.emvco_qr.fields import (
    COMPTOIR_GUI,
    AdditionalData,
    MerchantAccount,
    MerchantQr,
    PointOfInitiation,
)

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
