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
from comptoir.kernel.emvco_qr import (
    COMPTOIR_GUI,
    AdditionalData,
    MerchantAccount,
    MerchantQr,
    PointOfInitiation,
    QrError,
    decode,
    encode,
)
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import Money


@dataclass(frozen=True)
class QrPayment:
    alias: str
    merchant_name: str | None
    currency: str | None
    amount: Money | None
    # What the merchant matches the payment with (tag 62's reference label, or its bill
    # number): it goes to the merchant as the payment's note.
    reference: str | None = None


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
        reference=_reference(qr.additional_data),
    )


def _reference(data: AdditionalData) -> str | None:
    for value in (data.reference_label, data.bill_number):
        # "***" asks the payer's app to prompt for the value: there is none to pass on.
        if value and value.strip() and value != "***":
            return value.strip()
    return None


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
    return " ".join(re.findall(r"[a-z0-9]+", _printable(name).casefold()))


# EMVCo's Merchant City (tag 60) holds at most 15 characters.
QR_CITY_LENGTH: Final = 15


def merchant_qr(
    *,
    alias: str,
    name: str,
    city: str,
    country: str,
    currency: str,
    amount: Money | None,
    category: str | None,
) -> str:
    """The EMVCo payload a merchant shows to be paid at its alias: static (no amount: the
    payer types it; printed once for the counter) or for one sale (the amount fixed)."""
    town = _printable(city)[:QR_CITY_LENGTH].strip()
    if not town:
        raise WalletError(
            "qr_city", lazy("Write the town where you sell: a payment code prints it.")
        )
    try:
        return encode(
            MerchantQr(
                account=MerchantAccount(alias=alias),
                merchant_name=_printable(name)[:QR_NAME_LENGTH].strip() or alias[:QR_NAME_LENGTH],
                merchant_city=town,
                country=country,
                currency=currency,
                amount=amount,
                point_of_initiation=(
                    PointOfInitiation.STATIC if amount is None else PointOfInitiation.DYNAMIC
                ),
                merchant_category_code=category or "5999",
            )
        )
    except QrError:  # an alias or a category the scheme's fields cannot hold
        raise WalletError(
            "qr_not_made", lazy("No payment code can be made for this account.")
        ) from None


def _printable(text: str) -> str:
    """EMVCo's character set is printable ASCII: accents are dropped, anything else removed."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(character for character in flat if " " <= character <= "~")
