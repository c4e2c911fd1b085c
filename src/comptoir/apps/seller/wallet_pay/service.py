"""Asking the business's wallet for a request to pay, and hearing how it ended.

HTTP never runs inside a database transaction: confirming an order records the payment as
"asking" and publishes an outbox event in the same transaction; the outbox handler (`Asker`)
then calls the wallet's merchant API and records what it answered. The wallet's webhook is
checked (HMAC-SHA256 of the body with the link's secret) before it is believed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import httpx
from sqlalchemy import select

from comptoir.apps.seller.domain import errors as codes
from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.domain.pricing import PaymentMethod
from comptoir.apps.seller.models import Business, Order
from comptoir.apps.seller.service import orders
from comptoir.apps.seller.service.context import Seller, get_business
from comptoir.apps.seller.wallet_pay.models import WalletLink, WalletPayment
from comptoir.kernel import audit
from comptoir.kernel.crypto.sealing import (
    is_sealed,
    load_or_create_sealing_key,
    open_text,
    seal_text,
)
from comptoir.kernel.i18n import lazy
from comptoir.kernel.outbox import OutboxEvent, declare, publish

TOPIC: Final = "seller.wallet.ask"
HANDLER: Final = "seller.wallet.asker"
declare(TOPIC, HANDLER)

ASKING: Final = "asking"
PENDING: Final = "pending"
PAID: Final = "paid"
ENDED: Final = frozenset({"paid", "declined", "expired", "failed"})
SIGNATURE_HEADER: Final = "Comptoir-Signature"
# How a linked business collects a wallet payment: it asks the buyer's wallet, after confirm.
REQUEST_TO_PAY: Final = "REQUEST_TO_PAY"

Notify = Callable[[Seller, str, Order], None]
SEALING_KEY_FILE: Final = "seller-wallet-links.key"
API_KEY_PURPOSE: Final = "seller.wallet_link.api_key"
WEBHOOK_SECRET_PURPOSE: Final = "seller.wallet_link.webhook_secret"  # noqa: S105 (a label)


def seller_key(seller: Seller) -> bytes:
    """The key that seals the wallet links' credentials, beside the platforms' signing keys."""
    return _sealing_key(seller.keys_dir / SEALING_KEY_FILE)


@lru_cache(maxsize=8)
def _sealing_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    return load_or_create_sealing_key(path)


def sealed(seller: Seller, value: str, *, purpose: str) -> str:
    return seal_text(value, key=seller_key(seller), purpose=purpose)


def revealed(key: bytes, stored: str, *, purpose: str) -> str:
    # Links saved before credentials were sealed hold them as given; they are sealed the next
    # time the owner saves the link.
    return open_text(stored, key=key, purpose=purpose) if is_sealed(stored) else stored


def link_wallet(
    seller: Seller,
    *,
    platform_id: str,
    business_id: uuid.UUID,
    api_url: str,
    api_key: str,
    webhook_secret: str,
    actor: str,
) -> None:
    """Set (or replace) where the business's wallet takes requests to pay."""
    api_url, api_key, webhook_secret = api_url.strip(), api_key.strip(), webhook_secret.strip()
    if not api_url.startswith(("http://", "https://")) or len(api_url) > 500:
        raise SellerError(
            "bad_wallet_url", lazy("Enter the web address of your wallet's merchant API.")
        )
    if not api_key or len(api_key) > 200 or not webhook_secret or len(webhook_secret) > 64:
        raise SellerError(
            "bad_wallet_key", lazy("Enter the API key and the webhook secret your wallet gave.")
        )
    with seller.database.transaction() as session:
        business = get_business(session, platform_id, business_id)
        link = session.get(WalletLink, business.id)
        if link is None:
            link = WalletLink(business_id=business.id)
            session.add(link)
        link.api_url = api_url.rstrip("/")
        link.api_key = sealed(seller, api_key, purpose=API_KEY_PURPOSE)
        link.webhook_secret = sealed(seller, webhook_secret, purpose=WEBHOOK_SECRET_PURPOSE)
        link.updated_at = seller.clock.now()
        audit.record(
            session,
            actor=actor,
            action="seller.wallet_linked",
            subject=f"business:{business.id}",
            details={"api_url": link.api_url},
            clock=seller.clock,
        )


def linked_url(seller: Seller, business_id: uuid.UUID) -> str | None:
    with seller.database.reading() as session:
        link = session.get(WalletLink, business_id)
        return None if link is None else link.api_url


def after_confirm(seller: Seller, *, order: Order) -> bool:
    """A confirmed order paid by wallet, from a linked business: ask (once) for the money."""
    if order.payment_method != PaymentMethod.WALLET.value or order.state == "draft":
        return False
    payer = str(order.buyer.get("phone", "")).strip()
    with seller.database.transaction() as session:
        if session.get(WalletLink, order.business_id) is None or not payer:
            return False
        if session.get(WalletPayment, order.id) is not None:
            return True  # a repeated confirm asks no second time
        now = seller.clock.now()
        session.add(
            WalletPayment(
                order_id=order.id,
                business_id=order.business_id,
                status=ASKING,
                payer=payer[:20],
                request_id=None,
                detail=None,
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        publish(session, topic=TOPIC, payload={"order": str(order.id)}, clock=seller.clock)
    return True


def payment_status(seller: Seller, order_id: uuid.UUID) -> WalletPayment | None:
    with seller.database.reading() as session:
        return session.get(WalletPayment, order_id)


def decorate(contract: dict[str, Any], payment: WalletPayment | None, *, asks: bool) -> None:
    """For a business whose wallet is linked (`asks`), say in the order's settlement that the
    money will be asked for by a request to pay, and where it stands (Beckn's settlement
    status is COMPLETE once paid). No QR code, alias or reference then, from the quote on:
    a buyer who paid by QR before placing the order would be asked to pay a second time."""
    if payment is None and not asks:
        return
    for settlement in contract.get("settlements") or []:
        values = settlement.setdefault("settlementAttributes", {})
        if values.get("method") != PaymentMethod.WALLET.value:
            continue
        for member in ("qr", "alias", "reference"):
            values.pop(member, None)
        values["collection"] = REQUEST_TO_PAY
        if payment is not None:
            values["paymentState"] = payment.status.upper()
            if payment.status == PAID:
                settlement["status"] = "COMPLETE"


class Asker:
    """The outbox handler: ask the wallet for the request to pay. `transport` is httpx's."""

    def __init__(
        self, seller: Seller, notify: Notify, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.seller = seller
        self.notify = notify
        self.transport = transport

    def __call__(self, event: OutboxEvent) -> None:
        order_id = uuid.UUID(event.payload["order"])
        with self.seller.database.reading() as session:
            payment = session.get(WalletPayment, order_id)
            order = session.get(Order, order_id)
            link = None if payment is None else session.get(WalletLink, payment.business_id)
            if payment is None or order is None or link is None or payment.status != ASKING:
                return
            business = session.get(Business, order.business_id)
            assert business is not None
            api_url = link.api_url
            api_key = revealed(seller_key(self.seller), link.api_key, purpose=API_KEY_PURPOSE)
            body = {
                "payer": payment.payer,
                "amount": {"value": order.total, "currency": order.currency},
                "reference": f"order-{order.id}",
                "callback_url": self.webhook_url(order.platform_id, order.business_id),
                # Read by the payer in their wallet's language, which the shop does not know:
                # the shop's name and the order's short number, no words.
                "note": f"{business.name[:80]} · #{str(order.id)[-8:]}",
            }
        with httpx.Client(transport=self.transport, timeout=10.0) as client:
            try:
                response = client.post(
                    f"{api_url}/requests-to-pay",
                    json=body,
                    headers={"Authorization": f"Bearer {api_key}"},
                )
            except httpx.HTTPError as failure:
                raise ConnectionError(f"the wallet did not answer: {failure}") from failure
        if response.status_code in (200, 201):
            answer = response.json()
            record(self.seller, self.notify, order_id, answer["status"], request_id=answer["id"])
        elif response.status_code in (408, 425, 429) or response.status_code >= 500:
            raise ConnectionError(f"the wallet answered {response.status_code}")
        else:
            try:
                detail = str(response.json().get("detail", ""))[:200]
            except ValueError:
                detail = f"HTTP {response.status_code}"
            record(self.seller, self.notify, order_id, "failed", detail=detail)

    def webhook_url(self, platform_id: str, business_id: uuid.UUID) -> str:
        base = self.seller.base_url.rstrip("/")
        return f"{base}/sellers/{platform_id}/wallet-webhook/{business_id}"


def record(
    seller: Seller,
    notify: Notify,
    order_id: uuid.UUID,
    status: str,
    *,
    request_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Keep the request's new status; tell the buyer app when it changed."""
    with seller.database.transaction() as session:
        payment = session.get(WalletPayment, order_id, with_for_update=True)
        order = session.get(Order, order_id)
        # Only "paid" is final here: a payer may still approve after an expiry or a failure.
        if payment is None or order is None or payment.status == PAID:
            return
        changed = payment.status != status
        payment.status = status[:16]
        payment.request_id = request_id or payment.request_id
        payment.detail = detail or payment.detail
        payment.updated_at = seller.clock.now()
        platform_id = order.platform_id
    if changed:
        notify(seller, platform_id, order)


def webhook(
    seller: Seller, notify: Notify, *, business_id: uuid.UUID, body: bytes, signature: str
) -> bool:
    """A wallet's webhook: believed only with the right signature. False when refused."""
    with seller.database.reading() as session:
        link = session.get(WalletLink, business_id)
        stored = None if link is None else link.webhook_secret
    if stored is None:
        return False
    secret = revealed(seller_key(seller), stored, purpose=WEBHOOK_SECRET_PURPOSE)
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return False
    try:
        data = json.loads(body)["data"]
        reference, status = str(data["reference"]), str(data["status"])
        order_id = uuid.UUID(reference.removeprefix("order-"))
    except (ValueError, KeyError, TypeError):
        return False
    with seller.database.reading() as session:
        payment = session.get(WalletPayment, order_id)
        if payment is None or payment.business_id != business_id:
            return False
    record(seller, notify, order_id, status, request_id=str(data.get("id", "")) or None)
    return True


def pending_payments(seller: Seller) -> list[tuple[uuid.UUID, str, str, str]]:
    """(order, status URL, key, request id) of requests still pending, for the status poll."""
    with seller.database.reading() as session:
        rows = session.execute(
            select(WalletPayment.order_id, WalletPayment.request_id, WalletLink.api_url)
            .join(WalletLink, WalletLink.business_id == WalletPayment.business_id)
            .where(WalletPayment.status == PENDING)
            .limit(50)
        ).all()
        key = seller_key(seller)
        keys = {
            link.api_url: revealed(key, link.api_key, purpose=API_KEY_PURPOSE)
            for link in session.scalars(select(WalletLink)).all()
        }
    return [
        (order_id, f"{url}/requests-to-pay/{request_id}", keys[url], str(request_id))
        for order_id, request_id, url in rows
        if request_id
    ]


def poll(seller: Seller, notify: Notify, transport: httpx.BaseTransport | None = None) -> None:
    """Ask the wallet where pending requests stand (in case a webhook was lost)."""
    for order_id, url, key, request_id in pending_payments(seller):
        try:
            with httpx.Client(transport=transport, timeout=10.0) as client:
                response = client.get(url, headers={"Authorization": f"Bearer {key}"})
        except httpx.HTTPError:
            continue
        if response.status_code == 200:
            record(seller, notify, order_id, str(response.json()["status"]), request_id=request_id)


def pay_on_delivery_instead(
    seller: Seller, *, platform_id: str, bap_id: str, order_id: str
) -> Order:
    """The buyer's request to pay did not go through: they pay cash on delivery instead (if
    the business takes cash). Refused while the request may still be paid, or once paid."""
    found = orders.order_for_bap(seller, platform_id=platform_id, bap_id=bap_id, order_id=order_id)
    with seller.database.transaction() as session:
        order = session.get(Order, found.id, with_for_update=True)
        business = None if order is None else session.get(Business, order.business_id)
        assert order is not None
        assert business is not None
        if order.payment_method == PaymentMethod.CASH_ON_DELIVERY.value:
            return order
        payment = session.get(WalletPayment, order.id)
        if not business.cash_on_delivery or (
            payment is not None and payment.status not in ENDED - {PAID}
        ):
            raise SellerError(
                codes.BAD_REQUEST,
                lazy("This order cannot be paid on delivery now."),
            )
        if payment is not None:
            session.delete(payment)
        order.payment_method = PaymentMethod.CASH_ON_DELIVERY.value
        order.updated_at = seller.clock.now()
        audit.record(
            session,
            actor=f"bap:{bap_id}",
            action="seller.order_pay_on_delivery",
            subject=f"order:{order.id}",
            clock=seller.clock,
        )
        return order
