"""Requests to pay and refunds, across institutions and on us."""

from __future__ import annotations

import pytest

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.service.approvals import approve_request, reject_request
from comptoir.apps.wallet.service.customers import get_customer_view
from comptoir.apps.wallet.service.history import book_balances, history
from comptoir.apps.wallet.service.payer import confirm_payment, payment_view, start_payment
from comptoir.apps.wallet.service.refunds import received_payments, refund_payment
from comptoir.apps.wallet.service.requests import list_requests, request_payment
from comptoir.kernel.money import Money
from tests.apps.wallet.conftest import ALICE, BOB, SHOP, Node
from tests.apps.wallet.test_pages import sign_in
from tests.support.texts import Texts


def balance(node: Node, institution_id: str, customer_id: object) -> int:
    view = get_customer_view(
        node.wallet,
        institution_id=institution_id,
        customer_id=customer_id,  # type: ignore[arg-type]
    )
    return view.balance.minor


def pay(node: Node, institution_id: str, customer_id: object, recipient: str, amount: str) -> str:
    payment_id = start_payment(
        node.wallet,
        institution_id=institution_id,
        customer_id=customer_id,  # type: ignore[arg-type]
        recipient=recipient,
        amount=amount,
    )
    node.pump()
    confirm_payment(
        node.wallet,
        institution_id=institution_id,
        customer_id=customer_id,  # type: ignore[arg-type]
        payment_id=payment_id,
    )
    node.pump()
    view = payment_view(
        node.wallet,
        institution_id=institution_id,
        customer_id=customer_id,  # type: ignore[arg-type]
        payment_id=payment_id,
    )
    assert view.state == "committed", view
    assert view.transfer_id is not None
    return view.transaction_id


def test_a_merchant_asks_a_customer_elsewhere_who_approves_and_pays(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")

    request_payment(
        node.wallet,
        institution_id="wallet-b",
        customer_id=shop.id,
        payer_identifier=ALICE,
        amount="20",
        note="Invoice 42",
    )
    node.pump()

    sent = node.switch.last("POST", "/transactionRequests")
    assert sent.headers["fspiop-destination"] == "wallet-a"
    assert sent.body is not None
    assert sent.body["transactionType"] == {
        "scenario": "PAYMENT",
        "initiator": "PAYEE",
        "initiatorType": "BUSINESS",
    }
    assert sent.body["payer"] == {
        "partyIdType": "MSISDN",
        "partyIdentifier": "17585550101",
        "fspId": "wallet-a",
    }
    received = node.switch.last("PUT", "/transactionRequests/").body
    assert received == {"transactionRequestState": "RECEIVED"}
    asked = list_requests(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, direction="incoming"
    )
    assert [(r.counterpart_name, r.amount, r.note, r.state) for r in asked] == [
        ("Chez Marie", Money(2000, "XCD"), "Invoice 42", "pending")
    ]

    payment_id = approve_request(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, request_row_id=asked[0].id
    )
    node.pump()
    quote = node.switch.last("POST", "/quotes").body
    assert quote is not None and quote["transactionRequestId"] == sent.body["transactionRequestId"]
    quoted = payment_view(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    assert quoted.state == "quoted" and quoted.payee_fee == Money(20, "XCD")
    confirm_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    node.pump()

    accepted = node.switch.last("PUT", "/transactionRequests/").body
    assert accepted == {
        "transactionId": quoted.transaction_id,
        "transactionRequestState": "ACCEPTED",
    }
    assert balance(node, "wallet-b", shop.id) == 1980
    mine = list_requests(
        node.wallet, institution_id="wallet-b", customer_id=shop.id, direction="outgoing"
    )
    assert [r.state for r in mine] == ["paid"]


def test_a_customer_declines_a_request_to_pay(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer("wallet-b", SHOP, "Chez Marie", merchant=True)
    request_payment(
        node.wallet,
        institution_id="wallet-b",
        customer_id=shop.id,
        payer_identifier=ALICE,
        amount="20",
    )
    node.pump()
    asked = list_requests(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, direction="incoming"
    )
    reject_request(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, request_row_id=asked[0].id
    )
    node.pump()
    assert node.switch.last("PUT", "/transactionRequests/").body == {
        "transactionRequestState": "REJECTED"
    }
    mine = list_requests(
        node.wallet, institution_id="wallet-b", customer_id=shop.id, direction="outgoing"
    )
    assert [r.state for r in mine] == ["rejected"]
    with pytest.raises(WalletError):
        approve_request(
            node.wallet,
            institution_id="wallet-a",
            customer_id=alice.id,
            request_row_id=asked[0].id,
        )


def test_only_merchants_ask_for_payments(two_banks: Node) -> None:
    node = two_banks
    bob = node.customer("wallet-b", BOB, "Bob Charles")
    with pytest.raises(WalletError) as refused:
        request_payment(
            node.wallet,
            institution_id="wallet-b",
            customer_id=bob.id,
            payer_identifier=ALICE,
            amount="20",
        )
    assert refused.value.code == "not_merchant"


def test_a_merchant_refunds_part_then_the_rest_and_never_more(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer(
        "wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b", balance=1000
    )
    transaction_id = pay(node, "wallet-a", alice.id, "shop@wallet-b", "50")
    assert balance(node, "wallet-b", shop.id) == 5950
    sale = received_payments(node.wallet, institution_id="wallet-b", customer_id=shop.id)[0]
    assert sale.transaction_id == transaction_id and sale.refundable == Money(5000, "XCD")

    with pytest.raises(WalletError) as too_much:
        refund_payment(
            node.wallet,
            institution_id="wallet-b",
            customer_id=shop.id,
            transfer_id=sale.transfer_id,
            amount="50.01",
        )
    assert too_much.value.code == "refund_too_large"

    first = refund_payment(
        node.wallet,
        institution_id="wallet-b",
        customer_id=shop.id,
        transfer_id=sale.transfer_id,
        amount="20",
        reason="one item returned",
    )
    node.pump()
    quote = node.switch.last("POST", "/quotes").body
    assert quote is not None
    assert quote["transactionType"] == {
        "scenario": "REFUND",
        "initiator": "PAYER",
        "initiatorType": "BUSINESS",
        "refundInfo": {
            "originalTransactionId": transaction_id,
            "refundReason": "one item returned",
        },
    }
    assert quote["payee"]["partyIdInfo"]["fspId"] == "wallet-a"
    view = payment_view(
        node.wallet, institution_id="wallet-b", customer_id=shop.id, payment_id=first
    )
    assert view.payee_fee == Money(0, "XCD")  # no fee on a refund
    confirm_payment(node.wallet, institution_id="wallet-b", customer_id=shop.id, payment_id=first)
    node.pump()
    assert balance(node, "wallet-a", alice.id) == 10_000 - 5000 + 2000

    left = received_payments(node.wallet, institution_id="wallet-b", customer_id=shop.id)
    assert left[0].refundable == Money(3000, "XCD")
    with pytest.raises(WalletError):
        refund_payment(
            node.wallet,
            institution_id="wallet-b",
            customer_id=shop.id,
            transfer_id=sale.transfer_id,
            amount="30.01",
        )
    rest = refund_payment(
        node.wallet, institution_id="wallet-b", customer_id=shop.id, transfer_id=sale.transfer_id
    )
    node.pump()
    confirm_payment(node.wallet, institution_id="wallet-b", customer_id=shop.id, payment_id=rest)
    node.pump()
    assert balance(node, "wallet-a", alice.id) == 10_000
    assert balance(node, "wallet-b", shop.id) == 1000 + 4950 - 5000  # the merchant bears its fee
    final = received_payments(node.wallet, institution_id="wallet-b", customer_id=shop.id)
    assert final[0].refundable == Money(0, "XCD")
    for institution_id in ("wallet-a", "wallet-b"):
        assert sum(book_balances(node.wallet, institution_id=institution_id).values()) == 0


def test_two_refunds_agreed_at_once_cannot_pass_the_original(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer(
        "wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b", balance=10_000
    )
    pay(node, "wallet-a", alice.id, "shop@wallet-b", "10")
    sale = received_payments(node.wallet, institution_id="wallet-b", customer_id=shop.id)[0]
    first = refund_payment(
        node.wallet, institution_id="wallet-b", customer_id=shop.id, transfer_id=sale.transfer_id
    )
    second = refund_payment(
        node.wallet, institution_id="wallet-b", customer_id=shop.id, transfer_id=sale.transfer_id
    )
    node.pump()
    confirm_payment(node.wallet, institution_id="wallet-b", customer_id=shop.id, payment_id=first)
    with pytest.raises(WalletError) as refused:
        confirm_payment(
            node.wallet, institution_id="wallet-b", customer_id=shop.id, payment_id=second
        )
    assert refused.value.code == "refund_too_large"


def test_a_payment_between_two_customers_of_one_institution_stays_on_us(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer("wallet-a", SHOP, "Corner Shop", merchant=True, alias="corner@wallet-a")
    before = len(node.switch.received)

    transaction_id = pay(node, "wallet-a", alice.id, "corner@wallet-a", "10")

    assert len(node.switch.received) == before  # nothing went through the switch
    assert balance(node, "wallet-a", alice.id) == 9000
    assert balance(node, "wallet-a", shop.id) == 990
    books = book_balances(node.wallet, institution_id="wallet-a")
    assert books["settlement"] == 0 and books["holding"] == 0 and books["fees"] == 10
    sale = received_payments(node.wallet, institution_id="wallet-a", customer_id=shop.id)[0]
    assert sale.transaction_id == transaction_id
    refund = refund_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=shop.id,
        transfer_id=sale.transfer_id,
        amount="5",
    )
    confirm_payment(node.wallet, institution_id="wallet-a", customer_id=shop.id, payment_id=refund)
    assert balance(node, "wallet-a", alice.id) == 9500
    assert len(node.switch.received) == before


def test_a_request_to_pay_between_two_customers_of_one_institution(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer("wallet-a", SHOP, "Corner Shop", merchant=True)
    request_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=shop.id,
        payer_identifier=ALICE,
        amount="15",
    )
    asked = list_requests(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, direction="incoming"
    )
    payment_id = approve_request(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, request_row_id=asked[0].id
    )
    confirm_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    mine = list_requests(
        node.wallet, institution_id="wallet-a", customer_id=shop.id, direction="outgoing"
    )
    assert [r.state for r in mine] == ["paid"]
    assert balance(node, "wallet-a", shop.id) == 1485


def test_a_refund_is_a_refund_in_both_customers_history(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer(
        "wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b", balance=1000
    )
    pay(node, "wallet-a", alice.id, "shop@wallet-b", "10")
    sale = received_payments(node.wallet, institution_id="wallet-b", customer_id=shop.id)[0]
    refund = refund_payment(
        node.wallet,
        institution_id="wallet-b",
        customer_id=shop.id,
        transfer_id=sale.transfer_id,
        amount="4",
    )
    node.pump()
    confirm_payment(node.wallet, institution_id="wallet-b", customer_id=shop.id, payment_id=refund)
    node.pump()

    alice_lines = history(node.wallet, institution_id="wallet-a", customer_id=alice.id)
    shop_lines = history(node.wallet, institution_id="wallet-b", customer_id=shop.id)

    assert [(line.kind, line.refund) for line in alice_lines if line.kind != "deposit"] == [
        ("receive", True),  # the refund
        ("reserve", False),  # the payment
    ]
    assert [(line.kind, line.refund) for line in shop_lines if line.kind != "deposit"] == [
        ("reserve", True),  # the refund
        ("receive", False),  # the sale
    ]
    customer = sign_in(node, "wallet-a", ALICE, texts)
    assert "Refund received" in customer.get("/wallets/wallet-a/home").text
    french = customer.get("/wallets/wallet-a/home", headers={"accept-language": "fr"}).text
    assert "Remboursement reçu" in french


def test_a_refund_between_two_customers_of_one_institution_is_a_refund_in_both_histories(
    two_banks: Node,
) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer("wallet-a", SHOP, "Corner Shop", merchant=True, alias="corner@wallet-a")
    pay(node, "wallet-a", alice.id, "corner@wallet-a", "10")
    sale = received_payments(node.wallet, institution_id="wallet-a", customer_id=shop.id)[0]
    refund = refund_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=shop.id,
        transfer_id=sale.transfer_id,
        amount="5",
    )
    confirm_payment(node.wallet, institution_id="wallet-a", customer_id=shop.id, payment_id=refund)

    alice_lines = history(node.wallet, institution_id="wallet-a", customer_id=alice.id)
    shop_lines = history(node.wallet, institution_id="wallet-a", customer_id=shop.id)

    assert [(line.kind, line.refund) for line in alice_lines if line.kind != "deposit"] == [
        ("receive", True),  # the refund
        ("reserve", False),  # the payment
    ]
    assert [(line.kind, line.refund) for line in shop_lines if line.kind != "deposit"] == [
        ("reserve", True),  # the refund
        ("receive", False),  # the sale
    ]
