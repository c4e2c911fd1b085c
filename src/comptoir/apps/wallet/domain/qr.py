"""Read what paying needs from an EMVCo merchant-presented QR payload.

The kernel's codec (`comptoir.kernel.emvco_qr`) reads the payload strictly: the CRC, the TLV
structure and every field. Paying needs only the payee's alias (sub-tag 01 of the merchant
account template carrying Comptoir's GUI), the amount, the currency and the merchant's name.
A QR made for another scheme may decode, but its alias means whatever that scheme says, so it
is not paid here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.kernel.emvco_qr import COMPTOIR_GUI, QrError, decode
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import Money


@dataclass(frozen=True)
class QrPayment:
    alias: str
    merchant_name: str | None
    currency: str | None
    amount: Money | None


_REFUSALS: Final = {
    "qr_malformed": lazy("This is not a payment QR code: its fields cannot be read."),
    "qr_checksum": lazy("The QR code is damaged: its checksum does not match. Scan it again."),
    "qr_no_alias": lazy("This QR code does not name an account that can be paid here."),
    "qr_currency": lazy("This QR code asks for a currency this wallet does not hold."),
    "qr_amount": lazy("The amount in this QR code is not valid."),
}


def _refuse(code: str) -> WalletError:
    return WalletError(code, _REFUSALS[code])


def _reason(error: QrError) -> str:
    if error.code == "crc_mismatch":
        return "qr_checksum"
    if error.code == "unsupported_currency":
        return "qr_currency"
    if error.field == "amount":
        return "qr_amount"
    if error.field == "account":
        return "qr_no_alias"
    return "qr_malformed"


def parse_payment_qr(text: str) -> QrPayment:
    try:
        qr = decode(text.strip())
    except QrError as error:
        raise _refuse(_reason(error)) from None
    account = qr.account
    if account is None or account.gui.lower() != COMPTOIR_GUI or not account.alias:
        raise _refuse("qr_no_alias")
    if qr.amount is not None and not qr.amount.is_positive():
        raise _refuse("qr_amount")
    return QrPayment(
        alias=account.alias,
        merchant_name=qr.merchant_name.strip() or None,
        currency=qr.currency,
        amount=qr.amount,
    )


# EMVCo's Merchant Name (tag 59) holds at most 25 characters of printable ASCII.
QR_NAME_LENGTH: Final = 25


def names_agree(qr_name: str | None, account_name: str | None) -> bool:
    """Whether the name a QR code prints for its merchant is the name of the account it pays.

    A sticker can be swapped: a code that names a known shop but pays someone else must not go
    unnoticed. The code's name is ASCII and cut at 25 characters, so accents, case, spacing and
    punctuation are set aside, and a name as long as the tag allows need only begin the
    account's. A code that names nobody, or an account whose name is not known yet, agrees.
    """
    if not qr_name or not account_name:
        return True
    printed, holder = _comparable(qr_name), _comparable(account_name)
    if len(qr_name.strip()) >= QR_NAME_LENGTH:
        return holder.startswith(printed)
    return printed == holder


def _comparable(name: str) -> str:
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.findall(r"[a-z0-9]+", flat.casefold()))
