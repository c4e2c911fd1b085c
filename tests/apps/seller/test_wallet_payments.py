"""Orders paid by request to pay: the owner links the shop's wallet, the platform asks the
wallet (a stand-in for another institution's server, outside this app), and only a webhook
with the right signature marks the order paid and tells the buyer app."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from comptoir.apps.seller.domain.pricing import Fulfilment, PaymentMethod
from comptoir.apps.seller.models import Order
from comptoir.apps.seller.service import orders
from comptoir.apps.seller.wallet_pay import service
from comptoir.apps.seller.wallet_pay.models import WalletLink, WalletPayment
from comptoir.kernel.outbox import OutboxEventRecord
from tests.apps.seller.test_pages import csrf, sign_in, site
from tests.apps.seller.world import BAP, PLATFORM, World
from tests.support.texts import Texts

__all__ = ["site"]
SECRET = "s" * 64
JSON = {"Content-Type": "application/json"}
API = "https://bank.example/wallets/helen-cu/api/v1"


class StandInWallet:
    """The business's wallet, as its merchant API answers."""

    def __init__(self, status: int = 201) -> None:
        self.status = status
        self.asked: list[dict[str, Any]] = []
        self.keys: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(json.loads(request.content))
        self.keys.append(request.headers["authorization"])
        if self.status >= 400:
            return httpx.Response(
                self.status,
                json={"type": "/problems/x", "title": "No", "detail": "No account was found."},
            )
        return httpx.Response(self.status, json={"id": str(uuid.uuid4()), "status": "pending"})


def linked(world: World) -> None:
    service.link_wallet(
        world.seller,
        platform_id=PLATFORM,
        business_id=world.business_id,
        api_url=API,
        api_key="cmk_abc_def",
        webhook_secret=SECRET,
        actor="test",
    )


def wallet_order(world: World) -> Order:
    draft = orders.init_order(
        world.seller,
        platform_id=PLATFORM,
        bap_id=BAP,
        bap_uri="http://shop.example/shop/beckn",
        transaction_id=str(uuid.uuid4()),
        wanted=[orders.Wanted(str(world.nutmeg), 1)],
        fulfilment=Fulfilment.DELIVERY,
        payment_method=PaymentMethod.WALLET,
        buyer={"name": "Marie", "phone": "+17585550101", "address": "Bridge Street"},
    )
    return world.confirm(draft)


def on_status_count(world: World) -> int:
    with world.seller.database.reading() as session:
        rows = session.scalars(select(OutboxEventRecord)).all()
        return sum(1 for row in rows if str(row.payload.get("url", "")).endswith("/on_status"))


def signed(body: dict[str, Any], secret: str = SECRET) -> tuple[bytes, str]:
    content = json.dumps(body).encode()
    return content, "sha256=" + hmac.new(secret.encode(), content, hashlib.sha256).hexdigest()


def notified(seller: Any, platform_id: str, order: Order) -> None:
    from comptoir.apps.seller.wallet_pay.wiring import notify

    notify(seller, platform_id, order)


def test_an_owner_links_the_shop_to_its_wallet_and_a_bad_address_changes_nothing(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(f"/sellers/{PLATFORM}/shop/wallet")
    assert form.status_code == 200
    assert f'href="/sellers/{PLATFORM}/shop/wallet"' in form.text
    fields = {"api_key": "cmk_abc_def", "webhook_secret": SECRET, "csrf_token": csrf(form.text)}
    bad = client.post(f"/sellers/{PLATFORM}/shop/wallet", data={**fields, "api_url": "bank"})
    assert bad.status_code == 400
    assert "merchant API" in bad.text
    assert service.linked_url(world.seller, world.business_id) is None
    good = client.post(f"/sellers/{PLATFORM}/shop/wallet", data={**fields, "api_url": API})
    assert good.status_code == 200
    assert service.linked_url(world.seller, world.business_id) == API


def test_a_confirmed_wallet_order_asks_the_wallet_once_for_a_request_to_pay(
    site: tuple[TestClient, World],
) -> None:
    _, world = site
    linked(world)
    order = wallet_order(world)
    assert service.after_confirm(world.seller, order=order)
    assert service.after_confirm(world.seller, order=order)  # a repeated confirm
    with world.seller.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(WalletPayment)) == 1
    wallet = StandInWallet()
    asker = service.Asker(world.seller, notified, transport=httpx.MockTransport(wallet))
    event = _asking_event(world)
    asker(event)
    asker(event)  # a redelivery asks no second time
    assert len(wallet.asked) == 1
    assert wallet.asked[0]["payer"] == "+17585550101"
    assert wallet.asked[0]["amount"] == {"value": order.total, "currency": "XCD"}
    assert wallet.asked[0]["reference"] == f"order-{order.id}"
    # The payer reads the note in their own language: the shop's name and number, no words.
    assert wallet.asked[0]["note"] == f"Soufriere Spice Co · #{str(order.id)[-8:]}"
    assert wallet.keys == ["Bearer cmk_abc_def"]
    payment = service.payment_status(world.seller, order.id)
    assert payment is not None and payment.status == "pending"
    assert on_status_count(world) == 1


def test_a_refusal_from_the_wallet_leaves_the_order_unpaid_with_its_reason(
    site: tuple[TestClient, World],
) -> None:
    _, world = site
    linked(world)
    order = wallet_order(world)
    service.after_confirm(world.seller, order=order)
    asker = service.Asker(world.seller, notified, transport=httpx.MockTransport(StandInWallet(422)))
    asker(_asking_event(world))
    payment = service.payment_status(world.seller, order.id)
    assert payment is not None and payment.status == "failed"
    assert payment.detail == "No account was found."


def test_only_a_correctly_signed_webhook_marks_the_order_paid(
    site: tuple[TestClient, World],
) -> None:
    client, world = site
    linked(world)
    order = wallet_order(world)
    service.after_confirm(world.seller, order=order)
    url = f"/sellers/{PLATFORM}/wallet-webhook/{world.business_id}"
    event = {
        "event": "request_to_pay.ended",
        "data": {"reference": f"order-{order.id}", "status": "paid", "id": "r1"},
    }
    content, _ = signed(event, secret="t" * 64)
    forged = client.post(url, content=content, headers={"Comptoir-Signature": _, **JSON})
    assert forged.status_code == 401
    unsigned = client.post(url, content=content, headers=JSON)
    assert unsigned.status_code == 401
    payment = service.payment_status(world.seller, order.id)
    assert payment is not None and payment.status == "asking"

    content, signature = signed(event)
    answer = client.post(url, content=content, headers={"Comptoir-Signature": signature, **JSON})
    assert answer.status_code == 204
    payment = service.payment_status(world.seller, order.id)
    assert payment is not None and payment.status == "paid"
    assert on_status_count(world) == 1
    contract: dict[str, Any] = {
        "settlements": [
            {"status": "COMMITTED", "settlementAttributes": {"method": "WALLET", "qr": "x"}}
        ]
    }
    service.decorate(contract, payment, asks=True)
    assert contract["settlements"][0]["status"] == "COMPLETE"
    assert contract["settlements"][0]["settlementAttributes"] == {
        "method": "WALLET",
        "collection": "REQUEST_TO_PAY",
        "paymentState": "PAID",
    }

    again = client.post(url, content=content, headers={"Comptoir-Signature": signature, **JSON})
    assert again.status_code == 204
    assert on_status_count(world) == 1  # told once


def _asking_event(world: World) -> Any:
    from comptoir.kernel.outbox import OutboxEvent

    with world.seller.database.reading() as session:
        record = session.scalars(
            select(OutboxEventRecord).where(OutboxEventRecord.topic == service.TOPIC)
        ).one()
        return OutboxEvent(record.id, record.topic, record.key, record.payload, record.created_at)


def test_the_wallet_credentials_are_sealed_in_the_database(
    site: tuple[TestClient, World],
) -> None:
    _client, world = site
    linked(world)

    with world.seller.database.reading() as session:
        link = session.scalars(select(WalletLink)).one()
    assert link.api_key.startswith("sealed.v1.") and "cmk_abc_def" not in link.api_key
    assert link.webhook_secret.startswith("sealed.v1.") and SECRET not in link.webhook_secret
    key = service.seller_key(world.seller)
    assert service.revealed(key, link.api_key, purpose=service.API_KEY_PURPOSE) == "cmk_abc_def"


def test_a_link_saved_before_sealing_still_works_and_is_sealed_when_saved_again(
    site: tuple[TestClient, World],
) -> None:
    _client, world = site
    linked(world)
    with world.seller.database.transaction() as session:
        link = session.scalars(select(WalletLink)).one()
        link.api_key, link.webhook_secret = "cmk_abc_def", SECRET  # as an older version kept it
    key = service.seller_key(world.seller)
    assert service.revealed(key, "cmk_abc_def", purpose=service.API_KEY_PURPOSE) == "cmk_abc_def"

    linked(world)

    with world.seller.database.reading() as session:
        assert session.scalars(select(WalletLink)).one().api_key.startswith("sealed.v1.")


def test_a_link_is_kept_once_per_business(site: tuple[TestClient, World]) -> None:
    _, world = site
    linked(world)
    linked(world)
    with world.seller.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(WalletLink)) == 1


def test_the_owner_sees_that_an_order_was_paid_by_wallet(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    linked(world)
    order = wallet_order(world)
    service.after_confirm(world.seller, order=order)
    sign_in(client, texts)
    page = client.get(f"/sellers/{PLATFORM}/shop/orders/{order.id}")
    assert "Waiting for the buyer's approval in their wallet" in page.text.replace("&#39;", "'")
    service.record(world.seller, notified, order.id, "paid")
    page = client.get(f"/sellers/{PLATFORM}/shop/orders/{order.id}")
    assert "Paid by wallet" in page.text


def test_the_owner_reads_how_a_request_to_pay_ended_unpaid_in_their_language(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    linked(world)
    order = wallet_order(world)
    service.after_confirm(world.seller, order=order)
    service.record(world.seller, notified, order.id, "declined")
    sign_in(client, texts)

    page = client.get(
        f"/sellers/{PLATFORM}/shop/orders/{order.id}", headers={"accept-language": "fr"}
    )

    text = page.text.replace("&#39;", "'")
    assert "(Refusé)" in text
    assert "(declined)" not in text


def test_cash_on_delivery_replaces_a_request_to_pay_only_once_it_ended_unpaid(
    site: tuple[TestClient, World],
) -> None:
    from comptoir.apps.seller.domain.errors import SellerError

    _, world = site
    linked(world)
    order = wallet_order(world)
    service.after_confirm(world.seller, order=order)
    service.record(world.seller, notified, order.id, "pending")
    with pytest.raises(SellerError):
        service.pay_on_delivery_instead(
            world.seller, platform_id=PLATFORM, bap_id=BAP, order_id=str(order.id)
        )
    assert service.payment_status(world.seller, order.id) is not None
    service.record(world.seller, notified, order.id, "declined")
    cash = service.pay_on_delivery_instead(
        world.seller, platform_id=PLATFORM, bap_id=BAP, order_id=str(order.id)
    )
    assert cash.payment_method == "COD"
    assert service.payment_status(world.seller, order.id) is None


def test_a_refused_wallet_address_stays_in_its_box_to_be_corrected(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, _ = site
    sign_in(client, texts)
    form = client.get(f"/sellers/{PLATFORM}/shop/wallet")

    bad = client.post(
        f"/sellers/{PLATFORM}/shop/wallet",
        data={
            "api_url": "bank.example/wallets/bank/api/v1",
            "api_key": "cmk_abc_def",
            "webhook_secret": SECRET,
            "csrf_token": csrf(form.text),
        },
    )

    assert bad.status_code == 400
    assert 'value="bank.example/wallets/bank/api/v1"' in bad.text
    assert "cmk_abc_def" not in bad.text and SECRET not in bad.text  # secrets are not echoed
