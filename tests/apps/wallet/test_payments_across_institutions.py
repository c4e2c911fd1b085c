"""Payments between two institutions through the stand-in switch: the wallet's payer side and
payee side, each speaking FSPIOP only, agree on every message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.service.customers import get_customer_view
from comptoir.apps.wallet.service.history import book_balances
from comptoir.apps.wallet.service.payer import (
    cancel_payment,
    confirm_payment,
    payment_view,
    start_payment,
)
from comptoir.kernel.fspiop.ilp import decode, fulfils
from comptoir.kernel.money import Money
from tests.apps.wallet.conftest import ALICE, BOB, SHOP, Node


def balance(node: Node, institution_id: str, customer_id: object) -> int:
    view = get_customer_view(node.wallet, institution_id=institution_id, customer_id=customer_id)  # type: ignore[arg-type]
    return view.balance.minor


def assert_books_balance(node: Node, *institutions: str) -> None:
    for institution_id in institutions:
        assert sum(book_balances(node.wallet, institution_id=institution_id).values()) == 0


def test_a_person_pays_a_person_at_another_institution_after_seeing_the_fees(
    two_banks: Node,
) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    bob = node.customer("wallet-b", BOB, "Bob Charles")

    payment_id = start_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice.id,
        recipient="+1 758 555 0202",
        amount="25.50",
        note="lunch",
    )
    node.pump()

    quoted = payment_view(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    assert quoted.state == "quoted"
    assert quoted.payee_name == "Bob Charles"
    assert quoted.payee_fee == Money(0, "XCD")
    assert quoted.total == Money(2550, "XCD")
    assert balance(node, "wallet-b", bob.id) == 0  # nothing moves before the payer agrees

    done = confirm_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    assert done.state == "sending"
    assert balance(node, "wallet-a", alice.id) == 10_000 - 2550  # reserved
    node.pump()

    receipt = payment_view(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    assert receipt.state == "committed"
    assert balance(node, "wallet-a", alice.id) == 10_000 - 2550
    assert balance(node, "wallet-b", bob.id) == 2550
    quote_id = node.switch.last("POST", "/quotes").body["quoteId"]  # type: ignore[index]
    assert node.switch.paths()[-6:] == [
        "GET /parties/MSISDN/17585550202",
        "PUT /parties/MSISDN/17585550202",
        "POST /quotes",
        f"PUT /quotes/{quote_id}",
        "POST /transfers",
        f"PUT /transfers/{receipt.transfer_id}",
    ]
    assert_books_balance(node, "wallet-a", "wallet-b")
    books_a = book_balances(node.wallet, institution_id="wallet-a")
    books_b = book_balances(node.wallet, institution_id="wallet-b")
    assert books_a["settlement"] == 2550  # wallet-a owes the switch
    assert books_b["settlement"] == -2550  # the switch owes wallet-b
    assert books_a["holding"] == 0


def test_the_messages_carry_what_fspiop_asks_for(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    payment_id = start_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice.id,
        recipient="shop@wallet-b",
        amount="40",
    )
    node.pump()
    confirm_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    node.pump()

    lookup = node.switch.last("GET", "/parties/")
    assert lookup.path == "/parties/ALIAS/shop@wallet-b"
    assert lookup.source == "wallet-a" and "fspiop-destination" not in lookup.headers
    party = node.switch.last("PUT", "/parties/").body["party"]  # type: ignore[index]
    assert party["partyIdInfo"] == {
        "partyIdType": "ALIAS",
        "partyIdentifier": "shop@wallet-b",
        "fspId": "wallet-b",
    }
    assert party["name"] == "Chez Marie" and party["merchantClassificationCode"] == "5999"

    quote = node.switch.last("POST", "/quotes").body
    assert quote is not None
    assert quote["amountType"] == "SEND"
    assert quote["amount"] == {"currency": "XCD", "amount": "40"}
    assert quote["transactionType"] == {
        "scenario": "PAYMENT",
        "initiator": "PAYER",
        "initiatorType": "CONSUMER",
    }
    assert quote["payer"]["partyIdInfo"] == {
        "partyIdType": "MSISDN",
        "partyIdentifier": "17585550101",
        "fspId": "wallet-a",
    }
    answer = node.switch.last("PUT", "/quotes/").body
    assert answer is not None
    assert answer["transferAmount"] == {"currency": "XCD", "amount": "40"}
    assert answer["payeeFspFee"] == {"currency": "XCD", "amount": "0.4"}  # 1 % for merchants
    assert answer["payeeReceiveAmount"] == {"currency": "XCD", "amount": "39.6"}
    packet = decode(answer["ilpPacket"])
    transaction = packet.transaction()
    assert transaction is not None and transaction["quoteId"] == quote["quoteId"]
    assert packet.amount == 4000

    prepare = node.switch.last("POST", "/transfers")
    assert prepare.headers["fspiop-destination"] == "wallet-b"
    assert prepare.body is not None
    assert set(prepare.body) == {
        "transferId",
        "payerFsp",
        "payeeFsp",
        "amount",
        "ilpPacket",
        "condition",
        "expiration",
    }
    assert prepare.body["condition"] == answer["condition"]
    fulfil = node.switch.last("PUT", "/transfers/").body
    assert fulfil is not None and fulfil["transferState"] == "COMMITTED"
    assert fulfils(fulfil["fulfilment"], answer["condition"])


def test_a_merchant_payment_shows_the_merchant_fee_and_credits_the_rest(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    payment_id = start_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice.id,
        recipient="shop@wallet-b",
        amount="12.50",
    )
    node.pump()
    view = payment_view(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    assert (view.payee_fee, view.payee_receive_amount, view.total) == (
        Money(13, "XCD"),
        Money(1237, "XCD"),
        Money(1250, "XCD"),
    )
    confirm_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    node.pump()
    assert balance(node, "wallet-b", shop.id) == 1237
    assert book_balances(node.wallet, institution_id="wallet-b")["fees"] == 13
    assert_books_balance(node, "wallet-a", "wallet-b")


def test_an_unknown_phone_number_fails_the_payment_and_moves_nothing(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    payment_id = start_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice.id,
        recipient="+17585559999",
        amount="5",
    )
    node.pump()
    view = payment_view(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    assert view.state == "failed" and view.error_code == "3204"
    assert balance(node, "wallet-a", alice.id) == 10_000


def test_a_transfer_error_releases_the_reservation(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", BOB, "Bob Charles")
    payment_id = start_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, recipient=BOB, amount="30"
    )
    node.pump()
    node.switch.forwarding = False
    confirm_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    node.pump()
    assert balance(node, "wallet-a", alice.id) == 7000
    transfer_id = node.switch.last("POST", "/transfers").body["transferId"]  # type: ignore[index]

    answer = node.switch.originate(
        "PUT",
        f"/transfers/{transfer_id}/error",
        {
            "errorInformation": {
                "errorCode": "4001",
                "errorDescription": "Payer FSP insufficient liquidity",
            }
        },
        "wallet-a",
    )

    assert answer.status_code == 200
    view = payment_view(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    assert view.state == "failed" and view.error_code == "4001"
    assert balance(node, "wallet-a", alice.id) == 10_000
    assert_books_balance(node, "wallet-a")


def test_the_payer_cannot_agree_to_an_expired_quote(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", BOB, "Bob Charles")
    payment_id = start_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, recipient=BOB, amount="30"
    )
    node.pump()
    node.clock.advance(timedelta(minutes=6))
    view = confirm_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    assert view.state == "failed" and view.error_code == "3302"
    assert balance(node, "wallet-a", alice.id) == 10_000


def test_a_payment_beyond_the_balance_is_refused_before_anything_is_sent(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=1000)
    sent = len(node.switch.received)
    with pytest.raises(WalletError) as refused:
        start_payment(
            node.wallet,
            institution_id="wallet-a",
            customer_id=alice.id,
            recipient=BOB,
            amount="10.01",
        )
    assert refused.value.code == "insufficient_funds"
    assert len(node.switch.received) == sent


def test_a_cancelled_payment_sends_no_transfer(two_banks: Node) -> None:
    node = two_banks
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", BOB, "Bob Charles")
    payment_id = start_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, recipient=BOB, amount="30"
    )
    node.pump()
    view = cancel_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    node.pump()
    assert view.state == "cancelled"
    assert "POST /transfers" not in node.switch.paths()
    with pytest.raises(WalletError):
        confirm_payment(
            node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
        )


def sent_transfer(node: Node) -> tuple[object, object, str]:
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", BOB, "Bob Charles")
    payment_id = start_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, recipient=BOB, amount="30"
    )
    node.pump()
    node.switch.forwarding = False
    confirm_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, payment_id=payment_id
    )
    node.pump()
    transfer_id = node.switch.last("POST", "/transfers").body["transferId"]  # type: ignore[index]
    return alice.id, payment_id, transfer_id


def test_an_overdue_transfer_is_asked_about_and_its_money_stays_reserved(two_banks: Node) -> None:
    node = two_banks
    alice_id, payment_id, transfer_id = sent_transfer(node)
    node.clock.advance(timedelta(seconds=90))

    view = payment_view(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice_id,  # type: ignore[arg-type]
        payment_id=payment_id,  # type: ignore[arg-type]
    )
    node.pump()

    assert view.state == "sending"
    assert node.switch.last("GET", "/transfers/").path == f"/transfers/{transfer_id}"
    assert balance(node, "wallet-a", alice_id) == 7000
    expired = {"errorInformation": {"errorCode": "3303", "errorDescription": "Transfer expired"}}
    node.switch.originate("PUT", f"/transfers/{transfer_id}/error", expired, "wallet-a")
    assert balance(node, "wallet-a", alice_id) == 10_000


def test_a_fulfilment_that_does_not_meet_the_condition_is_refused(two_banks: Node) -> None:
    node = two_banks
    alice_id, payment_id, transfer_id = sent_transfer(node)
    answer = node.switch.originate(
        "PUT",
        f"/transfers/{transfer_id}",
        {
            "fulfilment": "A" * 43,
            "completedTimestamp": "2026-01-01T00:00:00.000Z",
            "transferState": "COMMITTED",
        },
        "wallet-a",
    )
    assert answer.status_code == 400
    assert answer.json()["errorInformation"]["errorCode"] == "3100"
    view = payment_view(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice_id,  # type: ignore[arg-type]
        payment_id=payment_id,  # type: ignore[arg-type]
    )
    assert view.state == "sending"
    assert balance(node, "wallet-a", alice_id) == 7000
