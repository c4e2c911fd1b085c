"""Carts and orders: one per seller, from cart to select, init, confirm and after.

A request to a seller is prepared here (the order marked as waiting for that answer, with the
message id the answer must carry) and sent by the page; `service/answers.py` then records the
seller's answer, a refusal included, and clears the wait.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.buyer import beckn_io
from comptoir.apps.buyer.domain import CartLine, add_line, contact_phone, set_quantity
from comptoir.apps.buyer.models import BuyerOrder, Result
from comptoir.apps.buyer.service.context import AppView, Buyer
from comptoir.apps.buyer.service.messages import (
    contract,
)
from comptoir.kernel.i18n import N_, LazyText
from comptoir.kernel.ids import new_id
from comptoir.kernel.text import typed_text

CART: Final = "cart"
QUOTED: Final = "quoted"
INITIALISED: Final = "initialised"
CONFIRMED: Final = "confirmed"
CANCELLED: Final = "cancelled"


class BuyerError(Exception):
    """A refusal: a sentence (an N_() message id), and for a form, each field's own sentence."""

    def __init__(
        self, message: str | LazyText, fields: Mapping[str, LazyText] | None = None
    ) -> None:
        self.text = message if isinstance(message, LazyText) else LazyText(message)
        super().__init__(self.text.message)
        self.fields: dict[str, LazyText] = dict(fields or {})


MAX_NAME: Final = 128
MAX_ADDRESS: Final = 300
_NAME_AND_PHONE: Final = N_("Give your name and phone number, so the seller can reach you.")


def _too_long(limit: int) -> LazyText:
    return LazyText(N_("This is too long ({limit} characters at most)."), {"limit": limit})


def shopper_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _order(
    session: Session, shopper: str, order_id: uuid.UUID, *, lock: bool = False
) -> BuyerOrder:
    found = session.get(BuyerOrder, order_id, with_for_update=lock)
    if found is None or found.shopper != shopper:
        raise BuyerError(N_("There is no such order."))
    return found


def add_to_cart(
    buyer: Buyer, *, app: AppView, shopper: str, result: Result, quantity: int
) -> uuid.UUID:
    """Put an item in this shopper's cart with its seller (one cart per seller)."""
    if not 1 <= quantity <= 99:
        raise BuyerError(N_("Choose a quantity from 1 to 99."))
    now = buyer.clock.now()
    with buyer.database.transaction() as session:
        order = session.scalar(
            select(BuyerOrder).where(
                BuyerOrder.shopper == shopper,
                BuyerOrder.state == CART,
                BuyerOrder.bpp_id == result.bpp_id,
                BuyerOrder.provider_id == result.provider_id,
            )
        )
        if order is None:
            order = BuyerOrder(
                id=new_id(),
                app_id=app.id,
                shopper=shopper,
                bpp_id=result.bpp_id,
                bpp_uri=result.bpp_uri,
                provider_id=result.provider_id,
                provider_name=result.provider_name,
                state=CART,
                lines=[],
                created_at=now,
            )
            session.add(order)
        lines = [CartLine(**line) for line in order.lines]
        in_cart = sum(line.quantity for line in lines if line.resource_id == result.resource_id)
        if in_cart + quantity > result.available:
            # Said now, beside the offer, rather than by the seller's refusal of the quote.
            raise BuyerError(
                LazyText(
                    N_("{item}: only {count} left in stock."),
                    {"item": result.name, "count": result.available},
                )
            )
        line = CartLine(
            result.resource_id,
            result.name,
            quantity,
            result.price,
            result.currency,
            result.age_restricted,
        )
        order.lines = [line.__dict__ for line in add_line(lines, line)]
        order.updated_at = now
        return order.id


def change_quantity(
    buyer: Buyer, *, shopper: str, order_id: uuid.UUID, resource_id: str, quantity: int
) -> None:
    with buyer.database.transaction() as session:
        order = _order(session, shopper, order_id, lock=True)
        if order.state not in (CART, QUOTED):
            raise BuyerError(N_("This order is already placed."))
        try:
            lines = set_quantity([CartLine(**line) for line in order.lines], resource_id, quantity)
        except ValueError:
            raise BuyerError(N_("Choose a quantity from 1 to 99.")) from None
        order.lines = [line.__dict__ for line in lines]
        order.state, order.quote, order.error_code = CART, None, None
        order.updated_at = buyer.clock.now()


def shopper_orders(buyer: Buyer, *, shopper: str) -> list[BuyerOrder]:
    with buyer.database.reading() as session:
        return list(
            session.scalars(
                select(BuyerOrder)
                .where(BuyerOrder.shopper == shopper)
                .order_by(BuyerOrder.created_at.desc())
                .limit(100)
            )
        )


def get_order(buyer: Buyer, *, shopper: str, order_id: uuid.UUID) -> BuyerOrder:
    with buyer.database.reading() as session:
        return _order(session, shopper, order_id)


@dataclass(frozen=True)
class Outgoing:
    url: str
    body: dict[str, Any]


# Which request each state allows, and what the page asks for with it.
ALLOWED: Final[dict[str, frozenset[str]]] = {
    "select": frozenset({CART, QUOTED, INITIALISED}),
    "init": frozenset({QUOTED, INITIALISED}),
    "confirm": frozenset({INITIALISED}),
    "status": frozenset({CONFIRMED, CANCELLED}),
    "track": frozenset({CONFIRMED}),
    "cancel": frozenset({CONFIRMED}),
    "update": frozenset({CONFIRMED}),
    "rate": frozenset({CONFIRMED, CANCELLED}),
    "support": frozenset({CONFIRMED, CANCELLED}),
}


def returnable(order: BuyerOrder) -> bool:
    """Whether the shopper may ask to return the goods now: placed, and delivered."""
    return order.state == CONFIRMED and order.seller_state == "delivered"


# The state a request leaves the order in, for requests a second press must not repeat.
LEADS_TO: Final[dict[str, str]] = {"confirm": CONFIRMED, "cancel": CANCELLED}


def already_done(buyer: Buyer, *, shopper: str, order_id: uuid.UUID, action: str) -> bool:
    """Whether the order is already where `action` takes it (the button was pressed twice)."""
    try:
        order = get_order(buyer, shopper=shopper, order_id=order_id)
    except BuyerError:
        return False
    return action in LEADS_TO and order.state == LEADS_TO[action]


def prepare(
    buyer: Buyer,
    *,
    app: AppView,
    shopper: str,
    order_id: uuid.UUID,
    action: str,
    fulfilment: str | None = None,
    details: dict[str, str] | None = None,
    payment_method: str | None = None,
    rating: int | None = None,
    feedback: str = "",
    question: str = "",
) -> Outgoing:
    """Check the request, mark the order as waiting for its answer, and build it."""
    now = buyer.clock.now()
    message_id = beckn_io.new_message_id()
    with buyer.database.transaction() as session:
        order = _order(session, shopper, order_id, lock=True)
        if order.state not in ALLOWED[action]:
            raise BuyerError(N_("This order cannot do that now."))
        if not order.lines:
            raise BuyerError(N_("Your cart with this seller is empty."))
        if action == "select":
            if fulfilment not in ("PICKUP", "DELIVERY"):
                raise BuyerError(N_("Choose pickup or delivery."))
            order.fulfilment = fulfilment
        if action == "init":
            details = details or {}
            name = typed_text(details.get("name", "")).strip()
            phone = typed_text(details.get("phone", "")).strip()
            address = typed_text(details.get("address", "")).strip()
            delivered = order.fulfilment == "DELIVERY"
            problems = checkout_problems(
                name, phone, address if delivered else None, payment_method
            )
            e164 = contact_phone(phone)
            if problems or e164 is None:
                raise BuyerError(next(iter(problems.values()), LazyText(_NAME_AND_PHONE)), problems)
            order.buyer = {"name": name, "phone": e164, "address": address if delivered else ""}
            order.payment_method = payment_method
        if action in ("init", "confirm"):
            order.checkout_draft = None  # sent as the order's details: no draft to keep
        # After a declined request to pay, "update" with COD asks to pay on delivery instead.
        request = "PAY_ON_DELIVERY" if action == "update" and payment_method == "COD" else "RETURN"
        if action == "rate" and (rating is None or not 1 <= rating <= 5):
            stars = LazyText(N_("Choose a rating from 1 to 5 stars."))
            raise BuyerError(stars, {"rating": stars})  # said beside the stars too
        order.pending_action = action
        order.last_message_id = uuid.UUID(message_id)
        order.error_code = order.error_message = None
        order.updated_at = now
        session.flush()
        message = _message(
            order,
            action,
            rating=rating,
            feedback=typed_text(feedback),
            question=typed_text(question),
            request=request,
        )
        body = {
            "context": beckn_io.context(
                action=action,
                bap_id=app.subscriber_id,
                bap_uri=buyer.bap_uri,
                transaction_id=str(order.id),
                message_id=message_id,
                bpp_id=order.bpp_id,
                bpp_uri=order.bpp_uri,
                clock=buyer.clock,
            ),
            "message": message,
        }
        return Outgoing(order.bpp_uri.rstrip("/") + f"/{action}", body)


def checkout_problems(
    name: str, phone: str, address: str | None, payment_method: str | None
) -> dict[str, LazyText]:
    """What is wrong with each checkout field, all at once (`address` None: no delivery).
    Nothing is cut short: a name the seller would get truncated is refused instead."""
    problems: dict[str, LazyText] = {}
    if not name:
        problems["name"] = LazyText(_NAME_AND_PHONE)
    elif len(name) > MAX_NAME:
        problems["name"] = _too_long(MAX_NAME)
    if not phone:
        problems["phone"] = LazyText(_NAME_AND_PHONE)
    elif contact_phone(phone) is None:
        problems["phone"] = LazyText(
            N_("Write the phone number with its country code, for example +1 758 555 0101.")
        )
    if address is not None and not address:
        problems["address"] = LazyText(N_("Give the delivery address."))
    elif address is not None and len(address) > MAX_ADDRESS:
        problems["address"] = _too_long(MAX_ADDRESS)
    if payment_method not in ("COD", "WALLET"):
        problems["payment"] = LazyText(N_("Choose how you will pay."))
    return problems


def _message(
    order: BuyerOrder,
    action: str,
    *,
    rating: int | None,
    feedback: str,
    question: str,
    request: str = "RETURN",
) -> dict[str, Any]:
    if action == "track":
        return {
            "tracking": {
                "url": order.bpp_uri,
                "status": "ACTIVE",
                "contract": contract(order, with_id=True),
            }
        }
    if action == "rate":
        submission = {"data": {"feedback": feedback[:1000]}} if feedback else None
        rating_input: dict[str, Any] = {
            "target": {"id": order.contract_id, "descriptor": {"code": "ORDER"}},
            "range": {"value": rating, "best": 5, "worst": 1},
        }
        if submission:
            rating_input["feedbackFormSubmission"] = submission
        return {"ratingInputs": [rating_input]}
    if action == "support":
        return {
            "support": {
                "orderId": order.contract_id,
                "descriptor": {"shortDesc": question[:500] or "Help with this order"},
            }
        }
    if action == "update":
        return {
            "contract": contract(
                order,
                with_id=True,
                extra={
                    "contractAttributes": beckn_io.attributes("comptoir:Request", request=request)
                },
            )
        }
    return {"contract": contract(order, with_id=action not in ("select", "init"))}
