"""A seller's answers to the shop's requests: the callback (`apply_callback`) records each
answer on its order, a refusal included, and clears the order's wait; a request the seller did
not take (a NACK, or no answer in time) is recorded by `cancel_wait`."""

from __future__ import annotations

import uuid
from typing import Any, Final

from comptoir.apps.buyer.models import BuyerOrder
from comptoir.apps.buyer.service.context import Buyer
from comptoir.apps.buyer.service.messages import (
    error_of,
    payment_of,
    quote_of,
    seller_state_of,
    terms_of,
)
from comptoir.apps.buyer.service.orders import CANCELLED, CONFIRMED, INITIALISED, QUOTED


def cancel_wait(buyer: Buyer, *, order_id: uuid.UUID, code: str, message: str) -> None:
    """The seller did not take the request (a NACK, or no answer): record why."""
    with buyer.database.transaction() as session:
        order = session.get(BuyerOrder, order_id, with_for_update=True)
        if order is not None and order.pending_action is not None:
            order.pending_action = None
            order.error_code, order.error_message = code[:16], message[:500]


def apply_callback(
    buyer: Buyer, *, action: str, context: dict[str, Any], message: dict[str, Any]
) -> bool:
    """Record a seller's answer to one of our requests; False if it answers nothing we asked."""
    try:
        order_id = uuid.UUID(str(context.get("transactionId")))
        message_id = uuid.UUID(str(context.get("messageId")))
    except ValueError:
        return False
    with buyer.database.transaction() as session:
        order = session.get(BuyerOrder, order_id, with_for_update=True)
        if order is None or order.bpp_id != context.get("bppId"):
            return False
        solicited = order.last_message_id == message_id
        if solicited:
            order.pending_action = None
        order.updated_at = buyer.clock.now()
        if action in ("on_track", "on_rate", "on_support"):
            _apply_aside(order, action, message)
        elif solicited or action == "on_status":
            _apply_contract(order, action, message.get("contract") or {})
        return True


def _apply_aside(order: BuyerOrder, action: str, message: dict[str, Any]) -> None:
    if action == "on_track":
        tracking = message.get("tracking") or {}
        order.tracking = {
            "url": str(tracking.get("url", ""))[:500],
            "status": str(tracking.get("status", "")),
        }
    elif action == "on_rate":
        ratings = message.get("ratings") or []
        value = ((ratings[0] or {}).get("range") or {}).get("value") if ratings else None
        if isinstance(value, int):
            order.rating = value
    else:
        support = message.get("support") or {}
        channels = [
            {key: str(value)[:300] for key, value in channel.items() if key in ("phone", "url")}
            for channel in support.get("channels") or []
            if isinstance(channel, dict)
        ]
        name = str((support.get("descriptor") or {}).get("name", ""))[:200]
        order.support = {"name": name, "channels": channels}


_NEXT_STATE: Final = {"on_select": QUOTED, "on_init": INITIALISED}


def _apply_contract(order: BuyerOrder, action: str, found: dict[str, Any]) -> None:
    refused = error_of(found)
    if refused is not None:
        order.error_code, order.error_message = refused
        if refused[0] == "40003" and order.state == INITIALISED:
            order.state = QUOTED  # the shopper must see and accept the new price
        return
    quote = quote_of(found)
    if quote is not None and action in ("on_select", "on_init", "on_confirm"):
        order.quote = {**quote, "terms": terms_of(found)}
    if isinstance(found.get("id"), str):
        order.contract_id = found["id"]
    payment = payment_of(found)
    if payment is not None:
        order.payment = payment
    order.seller_state = seller_state_of(found) or order.seller_state
    status = (found.get("status") or {}).get("code")
    if action in _NEXT_STATE:
        order.state = _NEXT_STATE[action]
    elif action == "on_confirm" and status == "ACTIVE":
        order.state = CONFIRMED
    elif status == "CANCELLED":
        order.state = CANCELLED


def waiting(buyer: Buyer, *, order_id: uuid.UUID) -> bool:
    with buyer.database.reading() as session:
        order = session.get(BuyerOrder, order_id)
        return order is not None and order.pending_action is not None
