"""A merchant refunding a sale its balance cannot cover in full: the fee its institution kept on
the sale is not given back, so a merchant holding only that sale's money can refund at most
what it received. The sales page says so and offers no refund it cannot make."""

from __future__ import annotations

import re
import uuid

import pytest

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.refunds import refundable_now
from comptoir.apps.wallet.service.payer import confirm_payment, payment_view
from comptoir.apps.wallet.service.refunds import received_payments, refund_payment
from comptoir.kernel.money import Money
from tests.apps.wallet.conftest import ALICE, SHOP, Node
from tests.apps.wallet.test_pages import csrf, offer_to_shop, sign_in
from tests.apps.wallet.test_requests_and_refunds import balance, pay
from tests.support.texts import Texts

SALES = "/wallets/wallet-b/received"


def _sale_of_ten(node: Node) -> tuple[uuid.UUID, uuid.UUID]:
    """Alice pays the shop (no money of its own) XCD 10.00; it keeps 9.90 after a 1 % fee."""
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    pay(node, "wallet-a", alice.id, "shop@wallet-b", "10")
    assert balance(node, "wallet-b", shop.id) == 990
    return alice.id, shop.id


@pytest.mark.parametrize(
    ("left", "balance_", "most"),
    [(1000, 990, 990), (1000, 5000, 1000), (10, 0, 0), (10, -5, 0), (0, 100, 0)],
)
def test_the_most_refundable_now_is_what_is_left_within_the_balance(
    left: int, balance_: int, most: int
) -> None:
    assert refundable_now(left, balance_) == most


def test_a_sale_lists_what_is_left_to_refund_and_the_most_the_balance_allows_now(
    two_banks: Node,
) -> None:
    _, shop = _sale_of_ten(two_banks)
    sale = received_payments(two_banks.wallet, institution_id="wallet-b", customer_id=shop)[0]
    assert sale.refundable == Money(1000, "XCD")
    assert sale.refundable_now == Money(990, "XCD")


def test_an_empty_refund_amount_refunds_the_most_the_balance_allows_and_the_rest_stays(
    two_banks: Node,
) -> None:
    node = two_banks
    alice, shop = _sale_of_ten(node)
    sale = received_payments(node.wallet, institution_id="wallet-b", customer_id=shop)[0]

    refund = refund_payment(
        node.wallet,
        institution_id="wallet-b",
        customer_id=shop,
        transfer_id=sale.transfer_id,
    )
    node.pump()
    offer = payment_view(
        node.wallet,
        institution_id="wallet-b",
        customer_id=shop,
        payment_id=refund,
    )
    assert offer.amount == Money(990, "XCD") and offer.scenario == "REFUND"
    confirm_payment(
        node.wallet,
        institution_id="wallet-b",
        customer_id=shop,
        payment_id=refund,
    )
    node.pump()

    assert balance(node, "wallet-a", alice) == 10_000 - 10
    assert balance(node, "wallet-b", shop) == 0
    after = received_payments(node.wallet, institution_id="wallet-b", customer_id=shop)
    sale_after = next(each for each in after if each.transfer_id == sale.transfer_id)
    assert sale_after.refundable == Money(10, "XCD")  # still owed, refundable later
    assert sale_after.refundable_now == Money(0, "XCD")
    with pytest.raises(WalletError) as refused:
        refund_payment(
            node.wallet,
            institution_id="wallet-b",
            customer_id=shop,
            transfer_id=sale.transfer_id,
        )
    assert refused.value.code == "insufficient_funds"


def test_an_amount_typed_above_the_balance_is_still_refused_with_the_balance(
    two_banks: Node,
) -> None:
    node = two_banks
    _, shop = _sale_of_ten(node)
    sale = received_payments(node.wallet, institution_id="wallet-b", customer_id=shop)[0]
    with pytest.raises(WalletError) as refused:
        refund_payment(
            node.wallet,
            institution_id="wallet-b",
            customer_id=shop,
            transfer_id=sale.transfer_id,
            amount="10",
        )
    assert refused.value.code == "insufficient_funds"
    assert "XCD\xa09.90" in str(refused.value.text) and "XCD\xa010.00" in str(refused.value.text)


def test_the_sales_page_says_the_balance_limits_the_refund_and_empty_refunds_that_much(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    customer, page, offer, _ = offer_to_shop(node, texts)
    customer.post(page + "/confirm", data={"csrf_token": csrf(offer.text)})
    node.pump()
    merchant = sign_in(node, "wallet-b", SHOP, texts)

    sales = merchant.get(SALES)

    assert "XCD\xa010.00 is left to refund, but your balance is only XCD\xa09.90." in sales.text
    assert "Amount to refund (up to XCD\xa09.90 now; empty for XCD\xa09.90)" in sales.text
    assert "empty for all of it" not in sales.text
    field = re.search(r'<input id="refund-1"[^>]*>', sales.text)
    assert field is not None and 'aria-describedby="refund-1-hint"' in field.group(0)
    action = re.search(r'action="(/wallets/wallet-b/received/[^"]+/refund)"', sales.text)
    assert action is not None

    started = merchant.post(
        action.group(1), data={"amount": "", "csrf_token": csrf(sales.text)}, follow_redirects=False
    )

    assert started.status_code == 303, started.text
    node.pump()
    refund_offer = merchant.get(started.headers["location"])
    assert "Refund to Alice Joseph" in refund_offer.text and "XCD\xa09.90" in refund_offer.text
    merchant.post(
        started.headers["location"] + "/confirm", data={"csrf_token": csrf(refund_offer.text)}
    )
    node.pump()
    after = merchant.get(SALES)
    assert (
        "XCD\xa00.10 is left to refund, but your balance (XCD\xa00.00) is too low to refund"
        " anything now." in after.text
    )
    assert "/refund" not in after.text  # no form offering a refund that cannot be made


def test_the_sales_page_offers_all_of_it_when_the_balance_covers_it(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer(
        "wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b", balance=1000
    )
    pay(node, "wallet-a", alice.id, "shop@wallet-b", "10")
    merchant = sign_in(node, "wallet-b", SHOP, texts)

    sales = merchant.get(SALES)

    assert "Amount to refund (up to XCD\xa010.00; empty for all of it)" in sales.text
    assert "is left to refund" not in sales.text
