"""A merchant's QR code for one sale carries its reference (EMVCo tag 62: the reference label,
or the bill number); the wallet sends it as the payment's note, so the merchant finds the sale
it was paid for."""

from __future__ import annotations

import re
import uuid

from comptoir.apps.wallet.domain.qr import parse_payment_qr
from comptoir.apps.wallet.service.customers import list_customers
from comptoir.apps.wallet.service.history import history
from comptoir.apps.wallet.service.payer import confirm_payment
from tests.apps.wallet.conftest import SHOP, Node
from tests.apps.wallet.test_pages import QR, csrf, tlv, with_crc
from tests.apps.wallet.test_qr_fixed_amount import PAY, _alice, _mark, _read
from tests.support.texts import Texts

WITH_REFERENCE = QR.replace("6304", tlv("62", tlv("05", "ORDER-0042")) + "6304")


def test_the_reference_label_or_else_the_bill_number_is_the_code_s_reference() -> None:
    assert parse_payment_qr(with_crc(WITH_REFERENCE)).reference == "ORDER-0042"
    bill = QR.replace("6304", tlv("62", tlv("01", "INV 7")) + "6304")
    assert parse_payment_qr(with_crc(bill)).reference == "INV 7"
    prompt = QR.replace("6304", tlv("62", tlv("05", "***")) + "6304")  # "ask the payer"
    assert parse_payment_qr(with_crc(prompt)).reference is None
    assert parse_payment_qr(with_crc(QR)).reference is None


def test_a_code_s_reference_fills_the_note_and_reaches_the_merchant_with_the_payment(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = _alice(node, texts)

    page = _read(alice, WITH_REFERENCE)

    assert re.search(r'<input id="note" name="note"[^>]* value="ORDER-0042"', page), page
    sent = alice.browser.post(
        PAY,
        data={
            "qr": _mark(page),
            "recipient": "shop@wallet-b",
            "amount": "12.50",
            "note": "ORDER-0042",
            "csrf_token": csrf(page),
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    node.pump()
    confirm_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice.id,
        payment_id=uuid.UUID(sent.headers["location"].rsplit("/", 1)[-1]),
    )
    node.pump()

    [shop] = [c for c in list_customers(node.wallet, institution_id="wallet-b") if c.phone == SHOP]
    [sale] = history(node.wallet, institution_id="wallet-b", customer_id=shop.id)
    assert sale.kind == "receive" and sale.memo is not None and "ORDER-0042" in sale.memo
