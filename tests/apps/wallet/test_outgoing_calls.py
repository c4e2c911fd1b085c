"""Outgoing FSPIOP calls go through the outbox: signed, retried when the switch cannot take
them, and applied as errors (once) when it refuses them for good."""

from __future__ import annotations

from datetime import timedelta

from comptoir.apps.wallet.service.customers import get_customer_view, list_customers
from comptoir.apps.wallet.service.history import book_balances
from comptoir.apps.wallet.service.payer import confirm_payment, payment_view, start_payment
from comptoir.kernel.fspiop import content_type, parse_http_date
from comptoir.kernel.outbox import DELIVERED, PENDING, deliveries
from tests.apps.wallet.conftest import ALICE, BOB, Node

REFUSAL = {
    "errorInformation": {"errorCode": "3100", "errorDescription": "Generic validation error"}
}


def quoted_payment(node: Node) -> tuple[object, object]:
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", BOB, "Bob Charles")
    payment_id = start_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice.id, recipient=BOB, amount="30"
    )
    node.pump()
    return alice.id, payment_id


def test_each_call_carries_the_fspiop_headers_and_a_fresh_date(two_banks: Node) -> None:
    node = two_banks
    quoted_payment(node)
    lookup = node.switch.last("GET", "/parties/")
    assert lookup.headers["accept"] == content_type("parties")
    assert lookup.headers["content-type"] == content_type("parties")
    assert lookup.headers["fspiop-http-method"] == "GET"
    assert lookup.headers["fspiop-uri"] == "/parties/MSISDN/17585550202"
    assert parse_http_date(lookup.headers["date"]) == node.clock.now()
    callback = node.switch.last("PUT", "/quotes/")
    assert "accept" not in callback.headers  # a callback carries no Accept (table 1)
    assert '"protectedHeader"' in callback.headers["fspiop-signature"]


def test_a_switch_that_cannot_answer_gets_the_same_call_again_later(two_banks: Node) -> None:
    node = two_banks
    alice_id, payment_id = quoted_payment(node)
    node.switch.refuse_next = (503, None)
    confirm_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice_id,
        payment_id=payment_id,  # type: ignore[arg-type]
    )
    node.pump()
    with node.wallet.database.transaction() as session:
        waiting = deliveries(session, status=PENDING)
        assert [d.attempts for d in waiting] == [1]
    first = node.switch.last("POST", "/transfers")

    node.clock.advance(timedelta(seconds=5))  # past the first backoff, before expiry
    node.pump()

    again = [m for m in node.switch.received if m.method == "POST" and m.path == "/transfers"]
    assert len(again) == 2 and again[1].body == first.body
    view = payment_view(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice_id,
        payment_id=payment_id,  # type: ignore[arg-type]
    )
    assert view.state == "committed"


def test_a_transfer_the_switch_refuses_outright_fails_and_releases_the_money(
    two_banks: Node,
) -> None:
    node = two_banks
    alice_id, payment_id = quoted_payment(node)
    node.switch.refuse_next = (400, REFUSAL)
    confirm_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice_id,
        payment_id=payment_id,  # type: ignore[arg-type]
    )
    node.pump()

    view = payment_view(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice_id,
        payment_id=payment_id,  # type: ignore[arg-type]
    )
    assert view.state == "failed" and view.error_code == "3100"
    balance = get_customer_view(node.wallet, institution_id="wallet-a", customer_id=alice_id)  # type: ignore[arg-type]
    assert balance.balance.minor == 10_000
    assert sum(book_balances(node.wallet, institution_id="wallet-a").values()) == 0
    with node.wallet.database.transaction() as session:
        assert not deliveries(session, status=PENDING)


def test_a_refused_fulfilment_reverses_the_payees_credit(two_banks: Node) -> None:
    node = two_banks
    alice_id, payment_id = quoted_payment(node)
    node.switch.forwarding = False
    confirm_payment(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice_id,
        payment_id=payment_id,  # type: ignore[arg-type]
    )
    node.pump()
    prepare = node.switch.last("POST", "/transfers")
    node.switch.refuse_next = (400, REFUSAL)
    node.switch.forward(
        "POST", "/transfers", prepare.headers, _raw(prepare.body), destination="wallet-b"
    )
    node.pump()

    bob = next(c for c in list_customers(node.wallet, institution_id="wallet-b") if c.phone == BOB)
    assert bob.balance.minor == 0
    assert sum(book_balances(node.wallet, institution_id="wallet-b").values()) == 0


def test_an_identifier_the_directory_refuses_is_marked_failed(two_banks: Node) -> None:
    node = two_banks
    node.switch.refuse_next = (
        400,
        {
            "errorInformation": {
                "errorCode": "3003",
                "errorDescription": "Add Party information error",
            }
        },
    )
    node.customer("wallet-a", ALICE, "Alice Joseph")
    alice = list_customers(node.wallet, institution_id="wallet-a")[0]
    assert [(i.registration, i.error) for i in alice.identifiers] == [
        ("failed", "Add Party information error")
    ]
    with node.wallet.database.transaction() as session:
        assert all(d.status == DELIVERED for d in deliveries(session))


def _raw(body: object) -> bytes:
    from comptoir.kernel.fspiop import json_body

    return json_body(body)
