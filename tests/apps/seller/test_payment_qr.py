"""The dynamic QR a seller gives for an order is an EMVCo merchant QR that a wallet can pay:
the business's alias, the order's total and its reference."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.apps.seller.models import Business
from comptoir.apps.seller.service.messages import payment_qr
from comptoir.apps.wallet.domain.qr import parse_payment_qr
from comptoir.kernel.emvco_qr import decode
from comptoir.kernel.money import Money


def business(name: str = "Épices de Basse-Terre", city: str = "Basse-Terre") -> Business:
    return Business(name=name, city=city, payment_alias="spices@helen-cu")


def test_the_qr_names_the_alias_the_amount_and_the_order() -> None:
    order_id = str(uuid.uuid4())

    payload = payment_qr(business(), Money(2400, "XCD"), order_id)
    qr = decode(payload)

    assert qr.alias == "spices@helen-cu"
    assert qr.amount == Money(2400, "XCD")
    assert qr.additional_data.reference_label == order_id[-25:]
    assert qr.merchant_name == "Epices de Basse-Terre"


def test_the_reference_wallet_reads_it_as_a_payment_to_the_alias() -> None:
    payload = payment_qr(business(), Money(1250, "XCD"), str(uuid.uuid4()))

    payment = parse_payment_qr(payload)

    assert payment.alias == "spices@helen-cu"
    assert payment.amount == Money(1250, "XCD")


@settings(max_examples=50)
@given(
    name=st.text(min_size=1, max_size=60),
    city=st.text(max_size=40),
    minor=st.integers(1, 10**9),
)
def test_any_shop_name_and_total_give_a_valid_qr(name: str, city: str, minor: int) -> None:
    payload = payment_qr(business(name, city), Money(minor, "XCD"), str(uuid.uuid4()))

    assert decode(payload).amount == Money(minor, "XCD")
