"""The merchant API: API keys, requests to pay by reference, their status and signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.merchant import service
from comptoir.apps.wallet.merchant.models import MerchantApiKey, MerchantRequest
from comptoir.apps.wallet.merchant.service import IssuedKey, issue_key, sweep
from comptoir.apps.wallet.models import TransactionRequest
from comptoir.apps.wallet.pages.common import failure_text
from comptoir.apps.wallet.service.approvals import approve_request, reject_request
from comptoir.apps.wallet.service.customers import list_customers
from comptoir.apps.wallet.service.payer import confirm_payment
from comptoir.apps.wallet.service.requests import list_requests
from tests.apps.wallet.conftest import ALICE, SHOP, Node
from tests.support.texts import Texts

API = "/wallets/wallet-b/api/v1/requests-to-pay"
HOOK = "https://shop.example/hooks/wallet"


class Receiver:
    """The merchant's own server, outside the wallet: it keeps what it was sent."""

    def __init__(self) -> None:
        self.received: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        return httpx.Response(204)


@pytest.fixture
def shop_node(two_banks: Node) -> Node:
    two_banks.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    two_banks.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    return two_banks


@pytest.fixture
def key(shop_node: Node) -> IssuedKey:
    return issue_key(shop_node.wallet, alias="shop@wallet-b")


@pytest.fixture
def receiver(shop_node: Node) -> Receiver:
    found = Receiver()
    shop_node.client.app.state.wallet_webhooks.transport = httpx.MockTransport(found)  # type: ignore[attr-defined]
    return found


def body(reference: str = "order-1", **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "payer": ALICE,
        "amount": {"value": 2500, "currency": "XCD"},
        "reference": reference,
        "callback_url": HOOK,
    }
    document.update(changes)
    return document


def auth(key: IssuedKey) -> dict[str, str]:
    return {"Authorization": f"Bearer {key.api_key}"}


def count(node: Node, model: type[Any]) -> int:
    with node.wallet.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def asked_of_alice(node: Node) -> TransactionRequest:
    """The request to pay as Alice's institution holds it."""
    with node.wallet.database.transaction() as session:
        return session.scalars(
            select(TransactionRequest).where(TransactionRequest.direction == "incoming")
        ).one()


def alice_approves(node: Node) -> None:
    alice = node.client.app.state.wallet  # type: ignore[attr-defined]
    assert alice is node.wallet
    asked = asked_of_alice(node)
    alice_id, row_id = asked.customer_id, asked.id
    payment_id = approve_request(
        node.wallet, institution_id="wallet-a", customer_id=alice_id, request_row_id=row_id
    )
    node.pump()
    confirm_payment(
        node.wallet, institution_id="wallet-a", customer_id=alice_id, payment_id=payment_id
    )
    node.pump()


def alice_balance(node: Node) -> int:
    alice = next(
        c for c in list_customers(node.wallet, institution_id="wallet-a") if c.phone == ALICE
    )
    return alice.balance.minor


def test_the_api_refuses_a_call_without_a_key(shop_node: Node) -> None:
    answer = shop_node.client.post(API, json=body())
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert count(shop_node, MerchantRequest) == 0


def test_the_api_refuses_a_wrong_key_and_a_key_of_another_institution(
    shop_node: Node, key: IssuedKey
) -> None:
    wrong = key.api_key[:-4] + "abcd"
    answer = shop_node.client.post(API, json=body(), headers={"Authorization": f"Bearer {wrong}"})
    assert answer.status_code == 401
    elsewhere = shop_node.client.post(
        "/wallets/wallet-a/api/v1/requests-to-pay", json=body(), headers=auth(key)
    )
    assert elsewhere.status_code == 401
    assert count(shop_node, MerchantRequest) == 0


def test_only_the_digest_of_a_key_is_kept(shop_node: Node, key: IssuedKey) -> None:
    with shop_node.wallet.database.transaction() as session:
        row = session.scalars(select(MerchantApiKey)).one()
        assert row.key_digest == hashlib.sha256(key.api_key.encode()).hexdigest()
        assert key.api_key not in (row.key_digest, row.prefix)


def test_a_person_cannot_have_an_api_key(shop_node: Node) -> None:
    shop_node.customer("wallet-b", "+17585550909", "Paul Person", alias="paul@wallet-b")
    with pytest.raises(WalletError) as refused:
        issue_key(shop_node.wallet, alias="paul@wallet-b")
    assert refused.value.code == "not_merchant"


def test_a_merchant_asks_to_be_paid_and_the_same_reference_gets_the_same_request(
    shop_node: Node, key: IssuedKey
) -> None:
    first = shop_node.client.post(API, json=body(), headers=auth(key))
    assert first.status_code == 201, first.text
    document = first.json()
    assert document["status"] == "pending"
    assert document["amount"] == {"value": 2500, "currency": "XCD"}
    assert first.headers["location"] == f"{API}/{document['id']}"

    again = shop_node.client.post(API, json=body(), headers=auth(key))
    assert again.status_code == 200
    assert again.json()["id"] == document["id"]
    assert count(shop_node, MerchantRequest) == 1
    assert count(shop_node, TransactionRequest) == 1

    other = shop_node.client.post(
        API, json=body(amount={"value": 9900, "currency": "XCD"}), headers=auth(key)
    )
    assert other.status_code == 409
    assert count(shop_node, MerchantRequest) == 1


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"amount": {"value": 0, "currency": "XCD"}}, "/amount/value"),
        ({"amount": {"value": 100, "currency": "xcd"}}, "/amount/currency"),
        ({"payer": ""}, "/payer"),
        ({"callback_url": "not a url"}, "/callback_url"),
    ],
)
def test_bad_input_gets_a_problem_and_records_nothing(
    shop_node: Node, key: IssuedKey, change: dict[str, Any], pointer: str
) -> None:
    answer = shop_node.client.post(API, json=body(**change), headers=auth(key))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert pointer in json.dumps(answer.json())
    assert count(shop_node, MerchantRequest) == 0
    assert count(shop_node, TransactionRequest) == 0


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"amount": {"value": 100, "currency": "USD"}}, "wrong_currency"),
        ({"payer": "not a phone"}, "bad_phone"),
        ({"payer": SHOP}, "pay_yourself"),
    ],
)
def test_a_request_the_wallet_refuses_is_a_problem_with_no_half_made_record(
    shop_node: Node, key: IssuedKey, change: dict[str, Any], code: str
) -> None:
    answer = shop_node.client.post(API, json=body(**change), headers=auth(key))
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == code
    assert count(shop_node, MerchantRequest) == 0
    assert count(shop_node, TransactionRequest) == 0


def test_an_approved_request_is_paid_and_the_merchant_gets_a_signed_webhook(
    shop_node: Node, key: IssuedKey, receiver: Receiver
) -> None:
    created = shop_node.client.post(API, json=body(), headers=auth(key)).json()
    shop_node.pump()
    assert sweep(shop_node.wallet) == 0  # still waiting for Alice

    alice_approves(shop_node)
    status = shop_node.client.get(f"{API}/{created['id']}", headers=auth(key)).json()
    assert status["status"] == "paid"

    assert sweep(shop_node.wallet) == 1
    shop_node.pump()
    assert len(receiver.received) == 1
    sent = receiver.received[0]
    expected = (
        "sha256=" + hmac.new(key.webhook_secret.encode(), sent.content, hashlib.sha256).hexdigest()
    )
    assert sent.headers["comptoir-signature"] == expected
    assert service.sign(key.webhook_secret, sent.content) == expected
    event = json.loads(sent.content)
    assert event["event"] == "request_to_pay.ended"
    assert event["data"]["id"] == created["id"]
    assert event["data"]["status"] == "paid"
    assert event["data"]["reference"] == "order-1"

    assert sweep(shop_node.wallet) == 0  # told once
    shop_node.pump()
    assert len(receiver.received) == 1


def test_a_declined_request_ends_declined(
    shop_node: Node, key: IssuedKey, receiver: Receiver
) -> None:
    created = shop_node.client.post(API, json=body(), headers=auth(key)).json()
    shop_node.pump()
    alice = list_requests(
        shop_node.wallet,
        institution_id="wallet-a",
        customer_id=asked_of_alice(shop_node).customer_id,
        direction="incoming",
    )
    reject_request(
        shop_node.wallet,
        institution_id="wallet-a",
        customer_id=asked_of_alice(shop_node).customer_id,
        request_row_id=alice[0].id,
    )
    shop_node.pump()
    sweep(shop_node.wallet)
    shop_node.pump()
    status = shop_node.client.get(f"{API}/{created['id']}", headers=auth(key)).json()
    assert status["status"] == "declined"
    assert json.loads(receiver.received[0].content)["data"]["status"] == "declined"


def test_a_request_nobody_answers_expires(
    shop_node: Node, key: IssuedKey, receiver: Receiver
) -> None:
    created = shop_node.client.post(API, json=body(), headers=auth(key)).json()
    shop_node.pump()
    shop_node.clock.advance(service.REQUEST_LIFETIME + timedelta(seconds=1))
    assert sweep(shop_node.wallet) == 1
    shop_node.pump()
    status = shop_node.client.get(f"{API}/{created['id']}", headers=auth(key)).json()
    assert status["status"] == "expired"
    assert json.loads(receiver.received[0].content)["data"]["status"] == "expired"


def test_a_merchant_cannot_read_another_merchants_request(shop_node: Node, key: IssuedKey) -> None:
    created = shop_node.client.post(API, json=body(), headers=auth(key)).json()
    shop_node.customer("wallet-b", "+17585550808", "Other Shop", merchant=True, alias="o@wallet-b")
    other = issue_key(shop_node.wallet, alias="o@wallet-b")
    answer = shop_node.client.get(f"{API}/{created['id']}", headers=auth(other))
    assert answer.status_code == 404
    assert shop_node.client.get(f"{API}/nonsense", headers=auth(key)).status_code == 404


def test_a_merchant_creates_an_api_key_on_its_wallet_pages_and_it_works(
    shop_node: Node, texts: Texts
) -> None:
    from tests.apps.wallet.test_pages import csrf, sign_in

    client = sign_in(shop_node, "wallet-b", SHOP, texts)
    receive = client.get("/wallets/wallet-b/receive")
    assert 'href="/wallets/wallet-b/merchant-api"' in receive.text
    page = client.get("/wallets/wallet-b/merchant-api")
    assert page.status_code == 200
    made = client.post("/wallets/wallet-b/merchant-api", data={"csrf_token": csrf(page.text)})
    assert made.status_code == 200
    found = re.search(r'id="api-key" type="text" size="70" readonly value="([^"]+)"', made.text)
    assert found, made.text
    answer = shop_node.client.post(
        API, json=body(), headers={"Authorization": f"Bearer {found.group(1)}"}
    )
    assert answer.status_code == 201


def test_a_person_sees_no_api_key_button(shop_node: Node, texts: Texts) -> None:
    from tests.apps.wallet.test_pages import csrf, sign_in

    client = sign_in(shop_node, "wallet-a", ALICE, texts)
    page = client.get("/wallets/wallet-a/merchant-api")
    assert "Create an API key" not in page.text
    refused = client.post("/wallets/wallet-a/merchant-api", data={"csrf_token": csrf(page.text)})
    assert refused.status_code == 400
    assert count(shop_node, MerchantApiKey) == 0


def test_a_payment_in_flight_when_the_request_expired_is_reported_paid_after_all(
    shop_node: Node, key: IssuedKey, receiver: Receiver
) -> None:
    created = shop_node.client.post(API, json=body(), headers=auth(key)).json()
    shop_node.pump()
    asked = asked_of_alice(shop_node)
    alice_id, row_id = asked.customer_id, asked.id
    payment_id = approve_request(
        shop_node.wallet, institution_id="wallet-a", customer_id=alice_id, request_row_id=row_id
    )
    shop_node.pump()
    confirm_payment(
        shop_node.wallet, institution_id="wallet-a", customer_id=alice_id, payment_id=payment_id
    )
    # Alice agreed in time, but the shop's clock passes the expiry before the transfer lands.
    with shop_node.wallet.database.transaction() as session:
        merchant_row = session.get(MerchantRequest, uuid.UUID(created["id"]))
        assert merchant_row is not None
        merchant_row.expires_at = shop_node.clock.now() - timedelta(seconds=1)
    assert sweep(shop_node.wallet) == 1
    shop_node.pump()
    assert sweep(shop_node.wallet) == 1
    shop_node.pump()
    assert [json.loads(sent.content)["data"]["status"] for sent in receiver.received] == [
        "expired",
        "paid",
    ]
    status = shop_node.client.get(f"{API}/{created['id']}", headers=auth(key)).json()
    assert status["status"] == "paid"
    assert sweep(shop_node.wallet) == 0


def test_the_payer_can_no_longer_pay_a_request_once_it_expired(
    shop_node: Node, key: IssuedKey, receiver: Receiver
) -> None:
    shop_node.client.post(API, json=body(), headers=auth(key)).json()
    shop_node.pump()
    asked = asked_of_alice(shop_node)
    alice_id, row_id = asked.customer_id, asked.id
    assert asked.expires_at is not None  # it carried its expiration to Alice's institution
    shop_node.clock.advance(service.REQUEST_LIFETIME + timedelta(seconds=1))
    balance = alice_balance(shop_node)
    with pytest.raises(WalletError) as refused:
        approve_request(
            shop_node.wallet, institution_id="wallet-a", customer_id=alice_id, request_row_id=row_id
        )
    assert refused.value.code == "request_expired"
    [shown] = list_requests(
        shop_node.wallet, institution_id="wallet-a", customer_id=alice_id, direction="incoming"
    )
    assert shown.state == "expired"
    assert sweep(shop_node.wallet) == 1
    shop_node.pump()
    assert alice_balance(shop_node) == balance
    assert [json.loads(sent.content)["data"]["status"] for sent in receiver.received] == ["expired"]


def test_a_payment_agreed_to_after_the_request_expired_is_not_sent(
    shop_node: Node, key: IssuedKey
) -> None:
    shop_node.client.post(API, json=body(), headers=auth(key)).json()
    shop_node.pump()
    asked = asked_of_alice(shop_node)
    alice_id, row_id = asked.customer_id, asked.id
    payment_id = approve_request(
        shop_node.wallet, institution_id="wallet-a", customer_id=alice_id, request_row_id=row_id
    )
    shop_node.pump()
    # The fees were shown while the request was open; Alice agrees after it expired.
    with shop_node.wallet.database.transaction() as session:
        asked = session.get(TransactionRequest, row_id)
        assert asked is not None
        asked.expires_at = shop_node.clock.now() - timedelta(seconds=1)
    balance = alice_balance(shop_node)
    view = confirm_payment(
        shop_node.wallet, institution_id="wallet-a", customer_id=alice_id, payment_id=payment_id
    )
    shop_node.pump()
    assert view.state == "failed"
    assert view.error_code == "3301"
    assert failure_text(view.error_code).startswith("The request to pay expired")
    assert alice_balance(shop_node) == balance
