"""Answering twice, as people do on a slow connection: a second click, another tab, the back
button. Nothing is paid twice, and the page says where things stand in the reader's words."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import update

from comptoir.apps.wallet.models import TransactionRequest
from tests.apps.wallet.conftest import ALICE, SHOP, Node
from tests.apps.wallet.test_pages import csrf, offer_to_shop, sign_in
from tests.apps.wallet.test_requests_and_refunds import balance
from tests.support.texts import Texts


def asked_to_pay(node: Node, texts: Texts) -> tuple[TestClient, str, str]:
    """Chez Marie asks Alice for XCD 20.00; Alice's requests page, and its approve action."""
    merchant = sign_in(node, "wallet-b", SHOP, texts)
    page = merchant.get("/wallets/wallet-b/requests")
    merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": ALICE, "amount": "20", "csrf_token": csrf(page.text)},
    )
    node.pump()
    customer = sign_in(node, "wallet-a", ALICE, texts)
    listed = customer.get("/wallets/wallet-a/requests").text
    action = re.search(r'action="(/wallets/wallet-a/requests/[^"]+)/approve"', listed)
    assert action is not None
    return customer, listed, action.group(1)


def test_a_request_to_pay_approved_twice_is_paid_once(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    customer, listed, request_path = asked_to_pay(node, texts)

    # Two tabs of the same requests page, "See the fees and pay" pressed in each.
    first = customer.post(
        request_path + "/approve", data={"csrf_token": csrf(listed)}, follow_redirects=False
    )
    second = customer.post(
        request_path + "/approve", data={"csrf_token": csrf(listed)}, follow_redirects=False
    )
    assert first.headers["location"] == second.headers["location"]
    node.pump()
    offer = customer.get(first.headers["location"])
    customer.post(first.headers["location"] + "/confirm", data={"csrf_token": csrf(offer.text)})
    node.pump()

    assert balance(node, "wallet-a", alice.id) == 10_000 - 2_000


def test_declining_after_seeing_the_fees_cancels_the_offer_and_pays_nothing(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    customer, listed, request_path = asked_to_pay(node, texts)
    approved = customer.post(
        request_path + "/approve", data={"csrf_token": csrf(listed)}, follow_redirects=False
    )
    node.pump()
    offer = customer.get(approved.headers["location"])
    assert "Pay XCD\xa020.00" in offer.text

    customer.post(request_path + "/reject", data={"csrf_token": csrf(listed)})
    node.pump()
    late = customer.post(
        approved.headers["location"] + "/confirm",
        data={"csrf_token": csrf(offer.text)},
        follow_redirects=True,
    )
    node.pump()

    assert "Cancelled" in late.text and "Nothing was paid twice." in late.text
    assert balance(node, "wallet-a", alice.id) == 10_000


def test_a_payment_agreed_again_from_an_old_page_says_so_in_french_and_pays_once(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    customer, page, offer, alice_id = offer_to_shop(node, texts)
    customer.post(page + "/confirm", data={"csrf_token": csrf(offer.text)})

    again = customer.post(
        page + "/confirm",
        data={"csrf_token": csrf(offer.text)},
        headers={"accept-language": "fr"},
        follow_redirects=False,
    )
    assert again.status_code == 303
    shown = customer.get(again.headers["location"], headers={"accept-language": "fr"})
    node.pump()

    assert shown.status_code == 200
    assert "sending" not in shown.text and "committed" not in shown.text
    assert balance(node, "wallet-a", alice_id) == 10_000 - 1_000


def test_a_second_offer_left_from_before_is_refused_once_the_request_is_paid(
    two_banks: Node, texts: Texts
) -> None:
    """Two offers for one request, as approving twice made them before it was paid once."""
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    customer, listed, request_path = asked_to_pay(node, texts)
    offers = []
    for _ in range(2):
        approved = customer.post(
            request_path + "/approve", data={"csrf_token": csrf(listed)}, follow_redirects=False
        )
        offers.append(approved.headers["location"])
        with node.wallet.database.transaction() as session:  # forget it, as before the fix
            session.execute(update(TransactionRequest).values(payment_id=None))
    with node.wallet.database.transaction() as session:
        session.execute(
            update(TransactionRequest).values(payment_id=uuid.UUID(offers[1].rsplit("/", 1)[1]))
        )
    node.pump()
    for offer in reversed(offers):
        page = customer.get(offer)
        answer = customer.post(offer + "/confirm", data={"csrf_token": csrf(page.text)})
        node.pump()

    assert answer.status_code == 400
    assert "This request to pay was already answered. Nothing more was paid." in answer.text
    assert balance(node, "wallet-a", alice.id) == 10_000 - 2_000
