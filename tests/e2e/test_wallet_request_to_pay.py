"""Paying an order with a request to pay, on the demo node: the seller platform asks the
business's wallet over its merchant API, the shopper approves in her own wallet's pages, the
wallet's signed webhook tells the platform, and the buyer app hears the order is paid."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.test_network_orders import (
    Browser,
    Shopper,
    _close_browsers,
    demo,
    token,
    wait_for_page,
)
from tests.support.servers import RunningServer
from tests.support.texts import codes_sent, new_code

pytestmark = pytest.mark.slow
# The demo node fixture, shared with the QR payment test, and the autouse fixture that closes
# the browsers' HTTP clients after each test (without it here, their sockets stay open).
__all__ = ["_close_browsers", "demo"]


def test_a_shopper_approves_the_sellers_request_to_pay_and_the_order_becomes_paid(
    demo: RunningServer,
) -> None:
    shopper = Shopper(demo.url)
    page = shopper.search("nutmeg")
    block = next(
        each
        for each in page.split("<li>")[1:]
        if "<h2>Nutmeg, whole (250 g) ·" in each and "Soufriere Spice Co" in each
    )
    result = re.search(r'name="result" value="([^"]+)"', block)
    assert result
    added = shopper.client.post(
        "/shop/cart", data={"csrf_token": token(page), "result": result.group(1), "quantity": "1"}
    )
    order = httpx.URL(str(added.url)).path
    shopper.page = added.text
    shopper.checkout(order, payment="WALLET")
    # The shop will ask by request to pay: no QR code to pay before, which would pay twice.
    before = wait_for_page(shopper, order, "Do not pay before.")
    assert 'class="qr"' not in before
    assert "qr-payload" not in before
    shopper.act(order, "confirm")
    waiting = wait_for_page(shopper, order, "Waiting for your approval in your wallet")
    assert "XCD 16.00" in waiting

    marie = Browser(demo.url)
    marie.get("/wallets/island-wallet/signin")
    before = codes_sent(demo, "+17585550101")
    marie.post("/wallets/island-wallet/signin", {"phone": "+17585550101"})
    marie.post(
        "/wallets/island-wallet/signin/code",
        {"phone": "+17585550101", "code": new_code(demo, "+17585550101", before)},
    )
    asked = wait_for_page(marie, "/wallets/island-wallet/requests", "Soufriere Spice Co")
    approve = re.search(r'action="(/wallets/island-wallet/requests/[^"]+/approve)"', asked)
    assert approve, asked
    marie.post(approve.group(1), {})
    payment = marie.url
    quoted = wait_for_page(marie, payment, "Waiting for your agreement")
    assert "Soufriere Spice Co" in quoted
    marie.post(f"{payment}/confirm", {})
    wait_for_page(marie, payment, "Paid")

    paid = wait_for_page(shopper, order, "Paid with your wallet.")
    assert "Waiting for your approval" not in paid
    # The seller's own word, asked again: its contract says the settlement is complete.
    shopper.act(order, "status")
    assert "Paid with your wallet." in wait_for_page(shopper, order, "Paid with your wallet.")


def test_a_shopper_declines_the_request_to_pay_and_pays_on_delivery_instead(
    demo: RunningServer,
) -> None:
    shopper = Shopper(demo.url)
    page = shopper.search("nutmeg")
    block = next(
        each
        for each in page.split("<li>")[1:]
        if "<h2>Nutmeg, whole (250 g) ·" in each and "Soufriere Spice Co" in each
    )
    result = re.search(r'name="result" value="([^"]+)"', block)
    assert result
    added = shopper.client.post(
        "/shop/cart", data={"csrf_token": token(page), "result": result.group(1), "quantity": "1"}
    )
    order = httpx.URL(str(added.url)).path
    shopper.page = added.text
    shopper.checkout(order, payment="WALLET")
    shopper.act(order, "confirm")
    wait_for_page(shopper, order, "Waiting for your approval in your wallet")

    kwame = Browser(demo.url)  # the payer named at checkout is Marie; she declines
    kwame.get("/wallets/island-wallet/signin")
    before = codes_sent(demo, "+17585550101")
    kwame.post("/wallets/island-wallet/signin", {"phone": "+17585550101"})
    kwame.post(
        "/wallets/island-wallet/signin/code",
        {"phone": "+17585550101", "code": new_code(demo, "+17585550101", before)},
    )
    asked = wait_for_page(kwame, "/wallets/island-wallet/requests", "/reject")
    reject = re.findall(r'action="(/wallets/island-wallet/requests/[^"]+/reject)"', asked)
    assert reject, asked
    kwame.post(reject[0], {})

    declined = wait_for_page(shopper, order, "this order is not paid")
    assert "Pay in cash on delivery instead" in declined
    shopper.act(order, "update", payment="COD")
    cash = wait_for_page(shopper, order, "You pay")
    assert "this order is not paid" not in cash
