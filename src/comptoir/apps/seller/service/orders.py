"""Orders: quotes (select), drafts (init), confirmation with stock taken atomically, and what
follows (status moves, cancel, return, rating). Every refusal is a `SellerError` with the Beckn
error code the buyer app will read, and changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from comptoir.apps.seller.domain import errors as codes
from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.domain.pricing import (
    Fulfilment,
    Line,
    PaymentMethod,
    Quote,
    make_quote,
)
from comptoir.apps.seller.domain.states import (
    OWNER_MOVES,
    IllegalMove,
    OrderState,
    move,
    return_open,
    returns_stock,
)
from comptoir.apps.seller.models import Business, Item, Order, Platform
from comptoir.apps.seller.service.context import Seller, get_platform
from comptoir.kernel import audit
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money


@dataclass(frozen=True)
class Wanted:
    item_id: str
    quantity: int


def _items(session: Session, platform_id: str, wanted: Sequence[Wanted]) -> list[Item]:
    if not wanted:
        raise SellerError(codes.BAD_REQUEST, lazy("The order has no items."))
    found: list[Item] = []
    for want in wanted:
        try:
            item_id = uuid.UUID(want.item_id)
        except ValueError:
            item = None
        else:
            item = session.get(Item, item_id)
        business = None if item is None else session.get(Business, item.business_id)
        if (
            item is None
            or business is None
            or business.platform_id != platform_id
            or not item.active
        ):
            raise SellerError(
                codes.ITEM_NOT_FOUND, lazy("An item of this order is no longer sold.")
            )
        found.append(item)
    if len({item.business_id for item in found}) != 1:
        raise SellerError(codes.BAD_REQUEST, lazy("One order holds items of one business only."))
    return found


def _quote(
    platform: Platform,
    business: Business,
    items: Sequence[Item],
    wanted: Sequence[Wanted],
    fulfilment: Fulfilment,
) -> Quote:
    if fulfilment is Fulfilment.PICKUP and not business.pickup:
        raise SellerError(
            codes.FULFILMENT_UNAVAILABLE, lazy("This business does not offer pickup.")
        )
    if fulfilment is Fulfilment.DELIVERY and not business.delivery:
        raise SellerError(codes.FULFILMENT_UNAVAILABLE, lazy("This business does not deliver."))
    lines = []
    for item, want in zip(items, wanted, strict=True):
        if want.quantity < 1 or want.quantity > 99:
            raise SellerError(codes.BAD_REQUEST, lazy("A quantity is between 1 and 99."))
        if want.quantity > item.stock:
            raise SellerError(
                codes.ITEM_OUT_OF_STOCK,
                lazy("{item}: only {count} left in stock.", item=item.name, count=item.stock),
            )
        lines.append(Line(str(item.id), item.name, want.quantity, Money(item.price, item.currency)))
    return make_quote(
        lines,
        currency=platform.currency,
        fulfilment=fulfilment,
        delivery_fee=Money(business.delivery_fee, platform.currency),
        service_fee=Money(platform.service_fee, platform.currency),
    )


@dataclass(frozen=True)
class Offer:
    """A quote, and the business that makes it."""

    business: Business
    quote: Quote


def quote(
    seller: Seller, *, platform_id: str, wanted: Sequence[Wanted], fulfilment: Fulfilment
) -> Offer:
    with seller.database.reading() as session:
        platform = get_platform(session, platform_id)
        items = _items(session, platform_id, wanted)
        business = session.get(Business, items[0].business_id)
        assert business is not None
        return Offer(business, _quote(platform, business, items, wanted, fulfilment))


def init_order(
    seller: Seller,
    *,
    platform_id: str,
    bap_id: str,
    bap_uri: str,
    transaction_id: str,
    wanted: Sequence[Wanted],
    fulfilment: Fulfilment,
    payment_method: PaymentMethod,
    buyer: dict[str, Any],
) -> Order:
    """A draft order at today's prices; a second init in the same transaction replaces it."""
    now = seller.clock.now()
    with seller.database.transaction() as session:
        platform = get_platform(session, platform_id)
        items = _items(session, platform_id, wanted)
        business = session.get(Business, items[0].business_id)
        assert business is not None
        if payment_method is PaymentMethod.CASH_ON_DELIVERY and not business.cash_on_delivery:
            raise SellerError(codes.BAD_REQUEST, lazy("This business does not take cash."))
        if payment_method is PaymentMethod.WALLET and not business.payment_alias:
            raise SellerError(codes.BAD_REQUEST, lazy("This business takes cash only."))
        offer = _quote(platform, business, items, wanted, fulfilment)
        order = session.scalar(
            select(Order).where(
                Order.platform_id == platform_id,
                Order.transaction_id == transaction_id,
                Order.bap_id == bap_id,
            )
        )
        if order is not None and order.state != OrderState.DRAFT:
            raise SellerError(codes.BAD_REQUEST, lazy("This order is already confirmed."))
        if order is None:
            order = Order(
                id=new_id(),
                platform_id=platform_id,
                transaction_id=transaction_id,
                bap_id=bap_id,
                created_at=now,
                rating=None,
                feedback=None,
                delivered_at=None,
            )
            session.add(order)
        order.business_id = business.id
        order.bap_uri = bap_uri
        order.state = OrderState.DRAFT
        order.lines = offer.lines_json()
        order.fees = offer.fees_json()
        order.fulfilment = fulfilment
        order.payment_method = payment_method
        order.total = offer.total.minor
        order.currency = offer.currency
        order.buyer = buyer
        order.updated_at = now
        session.flush()
        return order


def order_quote(order: Order) -> Quote:
    from comptoir.apps.seller.domain.pricing import Fee

    lines = tuple(
        Line(
            line["item_id"],
            line["name"],
            line["quantity"],
            Money(line["unit_price"], order.currency),
        )
        for line in order.lines
    )
    fees = tuple(Fee(fee["code"], Money(fee["amount"], order.currency)) for fee in order.fees)
    return Quote(lines, fees, order.currency)


def _order(session: Session, platform_id: str, bap_id: str | None, order_id: str) -> Order:
    try:
        key = uuid.UUID(order_id)
    except ValueError:
        key = None
    found = None if key is None else session.get(Order, key, with_for_update=True)
    if (
        found is None
        or found.platform_id != platform_id
        or (bap_id is not None and found.bap_id != bap_id)
    ):
        raise SellerError(codes.ORDER_NOT_FOUND, lazy("There is no such order."))
    return found


def confirm_order(
    seller: Seller, *, platform_id: str, bap_id: str, order_id: str, agreed_total: int | None
) -> Order:
    """Confirm a draft: refused if a price changed since the quote, or if any item is short.

    Stock is taken by one conditional UPDATE per line (`stock >= quantity`), so two confirms
    racing for the last unit cannot both win and stock never goes below zero."""
    now = seller.clock.now()
    with seller.database.transaction() as session:
        order = _order(session, platform_id, bap_id, order_id)
        if order.state != OrderState.DRAFT:
            return order  # a repeated confirm gets the same answer, with no second effect
        platform = get_platform(session, platform_id)
        business = session.get(Business, order.business_id)
        assert business is not None
        wanted = [Wanted(line["item_id"], line["quantity"]) for line in order.lines]
        items = _items(session, platform_id, wanted)
        current = make_quote(
            [
                Line(str(item.id), item.name, want.quantity, Money(item.price, item.currency))
                for item, want in zip(items, wanted, strict=True)
            ],
            currency=platform.currency,
            fulfilment=Fulfilment(order.fulfilment),
            delivery_fee=Money(business.delivery_fee, platform.currency),
            service_fee=Money(platform.service_fee, platform.currency),
        )
        if current.total.minor != order.total or (
            agreed_total is not None and agreed_total != order.total
        ):
            raise SellerError(
                codes.PRICE_CHANGED,
                lazy(
                    "The price changed since your quote: the total is now {total}.",
                    total=current.total.to_fixed() + " " + current.currency,
                ),
            )
        for item, want in zip(items, wanted, strict=True):
            taken = session.execute(
                update(Item)
                .where(Item.id == item.id, Item.stock >= want.quantity)
                .values(stock=Item.stock - want.quantity)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                raise SellerError(
                    codes.ITEM_OUT_OF_STOCK,
                    lazy("{item} is out of stock.", item=item.name),
                )
        order.state = move(OrderState(order.state), OrderState.CONFIRMED)
        order.updated_at = now
        return order


def _give_back(session: Session, order: Order) -> None:
    for line in order.lines:
        session.execute(
            update(Item)
            .where(Item.id == uuid.UUID(line["item_id"]))
            .values(stock=Item.stock + line["quantity"])
        )


def _move(session: Session, order: Order, wanted: OrderState, now: Any) -> None:
    current = OrderState(order.state)
    try:
        order.state = move(current, wanted)
    except IllegalMove:
        code = codes.CANCEL_NOT_POSSIBLE if wanted is OrderState.CANCELLED else codes.BAD_REQUEST
        raise SellerError(code, lazy("This order can no longer change that way.")) from None
    if returns_stock(current, wanted):
        _give_back(session, order)
    if wanted is OrderState.DELIVERED:
        order.delivered_at = now
    order.updated_at = now


def cancel_order(seller: Seller, *, platform_id: str, bap_id: str, order_id: str) -> Order:
    with seller.database.transaction() as session:
        order = _order(session, platform_id, bap_id, order_id)
        if order.state == OrderState.CANCELLED:
            return order
        if order.state not in (OrderState.CONFIRMED, OrderState.PACKED):
            raise SellerError(
                codes.CANCEL_NOT_POSSIBLE,
                lazy("This order can no longer be cancelled: it has left the shop."),
            )
        _move(session, order, OrderState.CANCELLED, seller.clock.now())
        return order


def request_return(seller: Seller, *, platform_id: str, bap_id: str, order_id: str) -> Order:
    now = seller.clock.now()
    with seller.database.transaction() as session:
        order = _order(session, platform_id, bap_id, order_id)
        if order.state == OrderState.RETURN_REQUESTED:
            return order
        business = session.get(Business, order.business_id)
        assert business is not None
        returnable = all(
            (item := session.get(Item, uuid.UUID(line["item_id"]))) is not None and item.returnable
            for line in order.lines
        )
        if (
            order.state != OrderState.DELIVERED
            or order.delivered_at is None
            or not return_open(
                delivered_at=order.delivered_at,
                now=now,
                return_days=business.return_days,
                returnable=returnable,
            )
        ):
            raise SellerError(
                codes.RETURN_NOT_POSSIBLE,
                lazy(
                    "This order cannot be returned (not delivered, past the return period, "
                    "or not returnable)."
                ),
            )
        _move(session, order, OrderState.RETURN_REQUESTED, now)
        return order


def rate_order(
    seller: Seller, *, platform_id: str, bap_id: str, order_id: str, rating: int, feedback: str
) -> Order:
    if not 1 <= rating <= 5:
        raise SellerError(codes.BAD_REQUEST, lazy("A rating is from 1 to 5."))
    with seller.database.transaction() as session:
        order = _order(session, platform_id, bap_id, order_id)
        if order.state == OrderState.DRAFT:
            raise SellerError(codes.BAD_REQUEST, lazy("Only a confirmed order can be rated."))
        order.rating = rating
        order.feedback = feedback[:1000] or None
        order.updated_at = seller.clock.now()
        return order


def order_for_bap(seller: Seller, *, platform_id: str, bap_id: str, order_id: str) -> Order:
    with seller.database.reading() as session:
        return _order(session, platform_id, bap_id, order_id)


def public_order(seller: Seller, *, platform_id: str, order_id: str) -> Order | None:
    with seller.database.reading() as session:
        try:
            return _order(session, platform_id, None, order_id)
        except SellerError:
            return None


def owner_move(
    seller: Seller,
    *,
    platform_id: str,
    business_id: uuid.UUID,
    order_id: str,
    wanted: str,
    actor: str,
) -> Order:
    """A shop owner moves an order on (packed, ready, shipped, delivered, cancelled, returned)."""
    try:
        target = OrderState(wanted)
    except ValueError:
        target = None
    if target is None or target not in OWNER_MOVES:
        raise SellerError("state", lazy("Choose what happened to the order."))
    with seller.database.transaction() as session:
        order = _order(session, platform_id, None, order_id)
        if order.business_id != business_id:
            raise SellerError(codes.ORDER_NOT_FOUND, lazy("There is no such order."))
        _move(session, order, target, seller.clock.now())
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="seller.order.moved",
            subject=str(order.id),
            details={"state": target.value},
            clock=seller.clock,
        )
        return order


def business_orders(seller: Seller, *, business_id: uuid.UUID) -> list[Order]:
    with seller.database.reading() as session:
        return list(
            session.scalars(
                select(Order)
                .where(Order.business_id == business_id, Order.state != OrderState.DRAFT)
                .order_by(Order.created_at.desc())
                .limit(200)
            )
        )
