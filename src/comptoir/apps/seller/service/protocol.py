"""What the platform does with each Beckn request, and the callback it queues in answer.

Each request gets its `on_` callback, with the request's transaction and message ids, posted to
the buyer app's `bapUri`. A refusal (an item out of stock, a price that changed, an order that
can no longer be cancelled) is still an answer: the callback carries the contract as it stands
and, in its `contractAttributes`, the spec's `Error` (`errorCode`, `errorMessage`). `discover`
with nothing to offer is answered with no callback (the receiver's AckNoCallback).
"""

from __future__ import annotations

import re
from typing import Any

from comptoir.apps.seller import beckn_io
from comptoir.apps.seller.domain import errors as codes
from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.models import Business, Order, Platform
from comptoir.apps.seller.service import items as catalogue
from comptoir.apps.seller.service import orders
from comptoir.apps.seller.service.context import Seller, get_platform
from comptoir.apps.seller.service.messages import (
    agreed_total_of,
    attributes,
    buyer_of,
    catalog_json,
    contract_json,
    fulfilment_of,
    payment_method_of,
    wanted_of,
)
from comptoir.apps.seller.wallet_pay import service as wallet_pay
from comptoir.kernel import audit
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id

SELLER_ACTIONS = frozenset(
    {
        "discover",
        "select",
        "init",
        "confirm",
        "status",
        "track",
        "update",
        "cancel",
        "rate",
        "support",
    }
)
_FILTER_TERM = re.compile(r"@\.(category|city)\s*==\s*'([^']{0,100})'")


class NothingToOffer(Exception):  # noqa: N818 (the receiver answers it with AckNoCallback)
    pass


def handle(seller: Seller, *, platform_id: str, action: str, document: dict[str, Any]) -> None:
    """Act on a verified, validated request and queue the callback."""
    with seller.database.reading() as session:
        platform = get_platform(session, platform_id)
    request_context = document["context"]
    message = document["message"]
    reply = _answer(seller, platform, action, request_context, message)
    body = {
        "context": beckn_io.context(
            action=f"on_{action}",
            bap_id=request_context["bapId"],
            bap_uri=request_context["bapUri"],
            bpp_id=platform.subscriber_id,
            bpp_uri=seller.bpp_uri(platform.id),
            transaction_id=request_context["transactionId"],
            message_id=request_context["messageId"],
            clock=seller.clock,
        ),
        "message": reply,
    }
    with seller.database.transaction() as session:
        beckn_io.queue(
            session,
            platform_id=platform.id,
            subscriber_id=platform.subscriber_id,
            unique_key_id=platform.unique_key_id,
            url=request_context["bapUri"].rstrip("/") + f"/on_{action}",
            body=body,
            clock=seller.clock,
        )


def _answer(
    seller: Seller,
    platform: Platform,
    action: str,
    request_context: dict[str, Any],
    message: dict[str, Any],
) -> dict[str, Any]:
    bap_id = request_context["bapId"]
    if action == "discover":
        return {"catalogs": discover(seller, platform, message)}
    if action == "track":
        contract_id = ((message.get("tracking") or {}).get("contract") or {}).get("id", "")
        return {"tracking": _tracking(seller, platform, bap_id, contract_id)}
    if action == "rate":
        return {"ratings": _rate(seller, platform, bap_id, message)}
    if action == "support":
        return {"support": _support(seller, platform, bap_id, message.get("support") or {})}
    contract: dict[str, Any] = message.get("contract") or {}
    try:
        order = _contract_action(seller, platform, action, request_context, contract)
    except SellerError as refusal:
        return {"contract": _refused(seller, platform, bap_id, contract, refusal)}
    if isinstance(order, orders.Offer):
        return {
            "contract": contract_json(
                platform=platform, business=order.business, quote=order.quote, order=None
            )
        }
    return {"contract": _order_contract(seller, platform, order)}


def _contract_action(
    seller: Seller,
    platform: Platform,
    action: str,
    request_context: dict[str, Any],
    contract: dict[str, Any],
) -> Order | orders.Offer:
    bap_id = request_context["bapId"]
    order_id = str(contract.get("id", ""))
    if action == "select":
        return orders.quote(
            seller,
            platform_id=platform.id,
            wanted=wanted_of(contract),
            fulfilment=fulfilment_of(contract),
        )
    if action == "init":
        return orders.init_order(
            seller,
            platform_id=platform.id,
            bap_id=bap_id,
            bap_uri=request_context["bapUri"],
            transaction_id=request_context["transactionId"],
            wanted=wanted_of(contract),
            fulfilment=fulfilment_of(contract),
            payment_method=payment_method_of(contract),
            buyer=buyer_of(contract),
        )
    if action == "confirm":
        confirmed = orders.confirm_order(
            seller,
            platform_id=platform.id,
            bap_id=bap_id,
            order_id=order_id,
            agreed_total=agreed_total_of(contract, platform.currency),
        )
        wallet_pay.after_confirm(seller, order=confirmed)  # a request to pay, if linked
        return confirmed
    if action == "cancel":
        return orders.cancel_order(
            seller, platform_id=platform.id, bap_id=bap_id, order_id=order_id
        )
    if action == "update":
        request = (contract.get("contractAttributes") or {}).get("request")
        if request == "PAY_ON_DELIVERY":
            return wallet_pay.pay_on_delivery_instead(
                seller, platform_id=platform.id, bap_id=bap_id, order_id=order_id
            )
        if request == "RETURN":
            return orders.request_return(
                seller, platform_id=platform.id, bap_id=bap_id, order_id=order_id
            )
    return orders.order_for_bap(seller, platform_id=platform.id, bap_id=bap_id, order_id=order_id)


def _order_contract(seller: Seller, platform: Platform, order: Order) -> dict[str, Any]:
    with seller.database.reading() as session:
        business = session.get(Business, order.business_id)
    assert business is not None
    contract = contract_json(
        platform=platform,
        business=business,
        quote=orders.order_quote(order),
        order=order,
        track_url=seller.track_url(platform.id, order.id),
    )
    wallet_pay.decorate(
        contract,
        wallet_pay.payment_status(seller, order.id),
        asks=wallet_pay.linked_url(seller, order.business_id) is not None,
    )
    return contract


def _refused(
    seller: Seller,
    platform: Platform,
    bap_id: str,
    contract: dict[str, Any],
    refusal: SellerError,
) -> dict[str, Any]:
    """The contract as it stands (the order's, if there is one; else as the buyer sent it),
    with the refusal in its attributes."""
    answer: dict[str, Any] = dict(contract)
    order_id = contract.get("id")
    if isinstance(order_id, str):
        try:
            order = orders.order_for_bap(
                seller, platform_id=platform.id, bap_id=bap_id, order_id=order_id
            )
        except SellerError:
            pass
        else:
            answer = _order_contract(seller, platform, order)
    terms = dict(answer.get("contractAttributes") or attributes("comptoir:Terms"))
    terms["error"] = {"errorCode": refusal.code, "errorMessage": refusal.text.render("en")}
    answer["contractAttributes"] = terms
    answer.setdefault("status", {"code": "DRAFT"})
    return answer


def discover(seller: Seller, platform: Platform, message: dict[str, Any]) -> list[dict[str, Any]]:
    intent = message.get("intent") or {}
    words = str(intent.get("textSearch") or message.get("textSearch") or "")[:200]
    expression = str((intent.get("filters") or {}).get("expression", ""))
    terms = dict(_FILTER_TERM.findall(expression))
    matches = catalogue.search(
        seller,
        platform_id=platform.id,
        words=words,
        category=terms.get("category") or None,
        place=terms.get("city") or None,
    )
    if not matches:
        raise NothingToOffer()
    bpp_uri = seller.bpp_uri(platform.id)
    thumbnails = seller.base_url.rstrip("/") + f"/sellers/{platform.id}/items/{{item}}/thumbnail"
    return [
        catalog_json(platform, match.business, match.items, bpp_uri, thumbnails)
        for match in matches
    ]


def _tracking(seller: Seller, platform: Platform, bap_id: str, contract_id: str) -> dict[str, Any]:
    try:
        order = orders.order_for_bap(
            seller, platform_id=platform.id, bap_id=bap_id, order_id=contract_id
        )
    except SellerError as refusal:
        return {
            "url": seller.base_url,
            "status": "INACTIVE",
            "trackingAttributes": attributes(
                "comptoir:Tracking",
                error={"errorCode": refusal.code, "errorMessage": refusal.text.render("en")},
            ),
        }
    active = order.state in ("confirmed", "packed", "ready", "shipped")
    return {
        "url": seller.track_url(platform.id, order.id),
        "status": "ACTIVE" if active else "INACTIVE",
        "trackingAttributes": attributes("comptoir:Tracking", state=order.state),
    }


def _rate(
    seller: Seller, platform: Platform, bap_id: str, message: dict[str, Any]
) -> list[dict[str, Any]]:
    answered = []
    for rating in message.get("ratingInputs") or []:
        target = str((rating.get("target") or {}).get("id", ""))
        value = (rating.get("range") or {}).get("value")
        feedback = ((rating.get("feedbackFormSubmission") or {}).get("data") or {}).get(
            "feedback", ""
        )
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        try:
            orders.rate_order(
                seller,
                platform_id=platform.id,
                bap_id=bap_id,
                order_id=target,
                rating=value,
                feedback=str(feedback),
            )
        except SellerError:
            continue
        answered.append(rating)
    if not answered:
        raise SellerError(codes.BAD_REQUEST, lazy("Only a confirmed order can be rated."))
    return answered


def _support(
    seller: Seller, platform: Platform, bap_id: str, support: dict[str, Any]
) -> dict[str, Any]:
    order_id = str(support.get("orderId", ""))
    order = orders.order_for_bap(seller, platform_id=platform.id, bap_id=bap_id, order_id=order_id)
    with seller.database.reading() as session:
        business = session.get(Business, order.business_id)
    assert business is not None
    return {
        "orderId": order_id,
        "descriptor": {"name": business.name, "shortDesc": f"{business.name}, {business.city}"},
        "channels": [
            attributes("comptoir:Phone", phone=business.phone),
            attributes("comptoir:Web", url=seller.track_url(platform.id, order.id)),
        ],
    }


def notify_status(seller: Seller, *, platform_id: str, order: Order) -> None:
    """Tell the buyer app that the shop moved its order on: an unsolicited on_status, with a
    new message id in the order's transaction, as Beckn has sellers push status changes."""
    with seller.database.reading() as session:
        platform = get_platform(session, platform_id)
    body = {
        "context": beckn_io.context(
            action="on_status",
            bap_id=order.bap_id,
            bap_uri=order.bap_uri,
            bpp_id=platform.subscriber_id,
            bpp_uri=seller.bpp_uri(platform.id),
            transaction_id=order.transaction_id,
            clock=seller.clock,
        ),
        "message": {"contract": _order_contract(seller, platform, order)},
    }
    with seller.database.transaction() as session:
        beckn_io.queue(
            session,
            platform_id=platform.id,
            subscriber_id=platform.subscriber_id,
            unique_key_id=platform.unique_key_id,
            url=order.bap_uri.rstrip("/") + "/on_status",
            body=body,
            clock=seller.clock,
        )


def publish_catalogue(seller: Seller, *, platform_id: str) -> int:
    """Queue a catalog/publish of every business's catalogue to the gateway's index; returns
    how many catalogues. The gateway then answers discover for this platform from its index
    (faster, but only as fresh as the last publication: publish again after changes)."""
    with seller.database.reading() as session:
        platform = get_platform(session, platform_id)
    matches = catalogue.search(
        seller, platform_id=platform.id, words="", category=None, place=None, limit=100_000
    )
    if not matches:
        return 0
    bpp_uri = seller.bpp_uri(platform.id)
    thumbnails = seller.base_url.rstrip("/") + f"/sellers/{platform.id}/items/{{item}}/thumbnail"
    context = beckn_io.context(
        action="catalog/publish",
        bap_id="",
        bap_uri="",
        bpp_id=platform.subscriber_id,
        bpp_uri=bpp_uri,
        transaction_id=str(new_id()),
        clock=seller.clock,
    )
    for unused in ("bapId", "bapUri"):
        del context[unused]
    body = {
        "context": context,
        "message": {
            "catalogs": [
                catalog_json(platform, match.business, match.items, bpp_uri, thumbnails)
                for match in matches
            ]
        },
    }
    with seller.database.transaction() as session:
        beckn_io.queue(
            session,
            platform_id=platform.id,
            subscriber_id=platform.subscriber_id,
            unique_key_id=platform.unique_key_id,
            url=platform.gateway_url.rstrip("/") + "/catalog/publish",
            body=body,
            clock=seller.clock,
        )
    return len(matches)


def publication_answered(seller: Seller, *, platform_id: str, document: dict[str, Any]) -> None:
    """The gateway's catalog/on_publish: kept in the audit log, one entry per publication."""
    results = (document.get("message") or {}).get("results") or []
    counts: dict[str, int] = {}
    for result in results:
        status = str((result or {}).get("status", "UNKNOWN"))[:20]
        counts[status] = counts.get(status, 0) + 1
    with seller.database.transaction() as session:
        audit.record(
            session,
            actor=f"participant:{(document.get('context') or {}).get('bppId', '')}"[:200],
            action="seller.catalogue.published",
            subject=platform_id,
            details=counts,
            clock=seller.clock,
        )
