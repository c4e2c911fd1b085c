"""A merchant's refunds through the wallet's pages: from the sales page, and a refund that
another one of the same sale overtook."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.apps.wallet.conftest import ALICE, SHOP, Node
from tests.apps.wallet.test_pages import csrf, offer_to_shop, sign_in
from tests.apps.wallet.test_requests_and_refunds import balance, pay
from tests.support.texts import Texts


def test_a_merchant_refunds_from_the_sales_page(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    customer, page, offer, _ = offer_to_shop(node, texts)
    customer.post(page + "/confirm", data={"csrf_token": csrf(offer.text)})
    node.pump()

    merchant = sign_in(node, "wallet-b", SHOP, texts)
    sales = merchant.get("/wallets/wallet-b/received")
    assert "from Alice Joseph" in sales.text
    # The shop holds only this sale, less its fee: it can refund that much now.
    assert "XCD\xa010.00 is left to refund" in sales.text and "up to XCD\xa09.90 now" in sales.text
    action = re.search(r'action="(/wallets/wallet-b/received/[^"]+/refund)"', sales.text)
    assert action is not None
    too_much = merchant.post(action.group(1), data={"amount": "11", "csrf_token": csrf(sales.text)})
    assert too_much.status_code == 400 and "at most XCD\xa010.00" in too_much.text
    started_refund = merchant.post(
        action.group(1),
        data={"amount": "4", "reason": "damaged", "csrf_token": csrf(sales.text)},
        follow_redirects=False,
    )
    assert started_refund.status_code == 303
    node.pump()
    offer = merchant.get(started_refund.headers["location"])
    assert "Refund to Alice Joseph" in offer.text
    assert re.search(r"<dt>Reason for the refund</dt><dd>damaged</dd>", offer.text)
    merchant.post(
        started_refund.headers["location"] + "/confirm", data={"csrf_token": csrf(offer.text)}
    )
    node.pump()
    after = merchant.get("/wallets/wallet-b/received").text
    assert "XCD\xa06.00 is left to refund" in after and "up to XCD\xa05.90 now" in after
    home = customer.get("/wallets/wallet-a/home").text
    assert "XCD\xa094.00" in home
    # The customer refunded reads why, in the history and among the payments received.
    assert "Chez Marie \u00b7 damaged" in home
    received = customer.get("/wallets/wallet-a/received").text
    assert "This was a refund to you. Reason: damaged" in " ".join(received.split())


def _refund_drafted(node: Node, merchant: TestClient, amount: str) -> str:
    sales = merchant.get("/wallets/wallet-b/received")
    action = re.search(r'action="(/wallets/wallet-b/received/[^"]+/refund)"', sales.text)
    assert action is not None
    started = merchant.post(
        action.group(1),
        data={"amount": amount, "csrf_token": csrf(sales.text)},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    node.pump()
    return str(started.headers["location"])


def test_a_refund_overtaken_by_another_of_the_same_sale_ends_failed_without_a_pay_button(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer(
        "wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b", balance=5000
    )
    pay(node, "wallet-a", alice.id, "shop@wallet-b", "10")
    merchant = sign_in(node, "wallet-b", SHOP, texts)
    first = _refund_drafted(node, merchant, "6")
    second = _refund_drafted(node, merchant, "6")  # both fit what is left, until one is paid
    first_offer = merchant.get(first)
    merchant.post(first + "/confirm", data={"csrf_token": csrf(first_offer.text)})
    node.pump()

    second_offer = merchant.get(second)
    refused = merchant.post(second + "/confirm", data={"csrf_token": csrf(second_offer.text)})

    assert refused.status_code == 400
    assert "at most XCD\xa04.00" in refused.text
    assert "/confirm" not in refused.text  # no "Pay" button left to press again
    assert 'class="button" href="/wallets/wallet-b/received"' in refused.text
    again = merchant.get(second)
    assert "/confirm" not in again.text and "Failed" in again.text
    # Only the first refund moved money: Alice has 6 of her 10 back.
    assert balance(node, "wallet-a", alice.id) == 10_000 - 1000 + 600
    assert "up to XCD\xa04.00" in merchant.get("/wallets/wallet-b/received").text
