"""An order's life on the seller's side, and which moves are allowed from each state.

    draft --confirm--> confirmed --> packed --> ready (pickup) | shipped (delivery)
          --> delivered --return--> return_requested --> returned
    confirmed | packed --cancel--> cancelled

A draft is what `init` creates; only `confirm` takes stock. Cancelling gives the stock back;
a return is possible only within the return window, for goods that allow it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final


class OrderState(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PACKED = "packed"
    READY = "ready"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"


MOVES: Final[dict[OrderState, frozenset[OrderState]]] = {
    OrderState.DRAFT: frozenset({OrderState.CONFIRMED}),
    OrderState.CONFIRMED: frozenset({OrderState.PACKED, OrderState.CANCELLED}),
    OrderState.PACKED: frozenset({OrderState.READY, OrderState.SHIPPED, OrderState.CANCELLED}),
    OrderState.READY: frozenset({OrderState.DELIVERED}),
    OrderState.SHIPPED: frozenset({OrderState.DELIVERED}),
    OrderState.DELIVERED: frozenset({OrderState.RETURN_REQUESTED}),
    OrderState.RETURN_REQUESTED: frozenset({OrderState.RETURNED}),
    OrderState.CANCELLED: frozenset(),
    OrderState.RETURNED: frozenset(),
}

# What a shop owner may move an order to by hand (the others come from the buyer's messages).
OWNER_MOVES: Final = frozenset(
    {
        OrderState.PACKED,
        OrderState.READY,
        OrderState.SHIPPED,
        OrderState.DELIVERED,
        OrderState.CANCELLED,
        OrderState.RETURNED,
    }
)

# Beckn v2.0 contract states (Contract.status.code) for each of ours.
CONTRACT_STATUS: Final[dict[OrderState, str]] = {
    OrderState.DRAFT: "DRAFT",
    OrderState.CONFIRMED: "ACTIVE",
    OrderState.PACKED: "ACTIVE",
    OrderState.READY: "ACTIVE",
    OrderState.SHIPPED: "ACTIVE",
    OrderState.DELIVERED: "COMPLETE",
    OrderState.RETURN_REQUESTED: "COMPLETE",
    OrderState.RETURNED: "COMPLETE",
    OrderState.CANCELLED: "CANCELLED",
}

DEFAULT_RETURN_DAYS: Final = 14


class IllegalMove(ValueError):  # noqa: N818 (a refused move, named as the domain says it)
    def __init__(self, current: OrderState, wanted: OrderState) -> None:
        super().__init__(f"an order cannot go from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


def can_move(current: OrderState, wanted: OrderState) -> bool:
    return wanted in MOVES[current]


def owner_choices(current: OrderState, fulfilment: str) -> list[OrderState]:
    """The moves to offer the owner, in the order's life order: a delivery is shipped, never
    made ready for pickup, and a pickup is made ready, never shipped."""
    unfit = OrderState.READY if fulfilment == "DELIVERY" else OrderState.SHIPPED
    return [
        state
        for state in OrderState
        if state in MOVES[current] and state in OWNER_MOVES and state != unfit
    ]


def move(current: OrderState, wanted: OrderState) -> OrderState:
    if not can_move(current, wanted):
        raise IllegalMove(current, wanted)
    return wanted


def returns_stock(current: OrderState, wanted: OrderState) -> bool:
    """Cancelling a confirmed order, or taking goods back, puts them back on the shelf."""
    return wanted in (OrderState.CANCELLED, OrderState.RETURNED) and current != OrderState.DRAFT


def return_open(
    *, delivered_at: datetime, now: datetime, return_days: int, returnable: bool
) -> bool:
    """Whether the buyer may still send goods back: returnable goods, within the window."""
    return returnable and return_days > 0 and now <= delivered_at + timedelta(days=return_days)
