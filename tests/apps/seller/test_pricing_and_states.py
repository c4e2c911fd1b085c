"""Quotes show every fee as its own line; an order moves only along its allowed states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.apps.seller.domain.pricing import Fulfilment, Line, make_quote
from comptoir.apps.seller.domain.states import (
    IllegalMove,
    OrderState,
    move,
    owner_choices,
    return_open,
    returns_stock,
)
from comptoir.kernel.money import Money


def xcd(minor: int) -> Money:
    return Money(minor, "XCD")


def test_a_delivered_order_shows_the_delivery_and_service_fees_as_lines() -> None:
    quote = make_quote(
        [Line("a", "Nutmeg", 2, xcd(800))],
        currency="XCD",
        fulfilment=Fulfilment.DELIVERY,
        delivery_fee=xcd(700),
        service_fee=xcd(100),
    )

    assert [(fee.code, fee.amount.minor) for fee in quote.fees] == [
        ("DELIVERY", 700),
        ("SERVICE", 100),
    ]
    assert quote.items_total == xcd(1600)
    assert quote.total == xcd(2400)


def test_pickup_has_no_delivery_fee_and_a_zero_fee_is_not_shown() -> None:
    quote = make_quote(
        [Line("a", "Nutmeg", 1, xcd(800))],
        currency="XCD",
        fulfilment=Fulfilment.PICKUP,
        delivery_fee=xcd(700),
        service_fee=xcd(0),
    )

    assert quote.fees == ()
    assert quote.total == xcd(800)


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_it_refuses_a_quantity_out_of_range(quantity: int) -> None:
    with pytest.raises(ValueError, match="quantity"):
        make_quote(
            [Line("a", "Nutmeg", quantity, xcd(800))],
            currency="XCD",
            fulfilment=Fulfilment.PICKUP,
            delivery_fee=xcd(0),
            service_fee=xcd(0),
        )


@given(
    lines=st.lists(st.tuples(st.integers(1, 99), st.integers(1, 10**7)), min_size=1, max_size=10),
    delivery=st.integers(0, 10**5),
    service=st.integers(0, 10**5),
    delivered=st.booleans(),
)
def test_the_total_is_always_the_sum_of_its_lines_and_fees(
    lines: list[tuple[int, int]], delivery: int, service: int, delivered: bool
) -> None:
    quote = make_quote(
        [
            Line(str(index), "x", quantity, xcd(price))
            for index, (quantity, price) in enumerate(lines)
        ],
        currency="XCD",
        fulfilment=Fulfilment.DELIVERY if delivered else Fulfilment.PICKUP,
        delivery_fee=xcd(delivery),
        service_fee=xcd(service),
    )

    shown = sum(q * p for q, p in lines) + sum(fee.amount.minor for fee in quote.fees)
    assert quote.total.minor == shown
    assert all(fee.amount.is_positive() for fee in quote.fees)


def test_an_order_follows_its_states_and_refuses_a_jump() -> None:
    state = OrderState.DRAFT
    for wanted in (
        OrderState.CONFIRMED,
        OrderState.PACKED,
        OrderState.SHIPPED,
        OrderState.DELIVERED,
    ):
        state = move(state, wanted)

    assert state is OrderState.DELIVERED
    with pytest.raises(IllegalMove):
        move(OrderState.DRAFT, OrderState.SHIPPED)
    with pytest.raises(IllegalMove):
        move(OrderState.SHIPPED, OrderState.CANCELLED)


def test_cancelling_a_confirmed_order_gives_its_stock_back_but_not_a_draft() -> None:
    assert returns_stock(OrderState.CONFIRMED, OrderState.CANCELLED)
    assert returns_stock(OrderState.RETURN_REQUESTED, OrderState.RETURNED)
    assert not returns_stock(OrderState.DRAFT, OrderState.CONFIRMED)


def test_the_return_right_lasts_fourteen_days_for_goods_that_allow_it() -> None:
    delivered = datetime(2026, 1, 1, tzinfo=UTC)

    assert return_open(
        delivered_at=delivered, now=delivered + timedelta(days=14), return_days=14, returnable=True
    )
    assert not return_open(
        delivered_at=delivered, now=delivered + timedelta(days=15), return_days=14, returnable=True
    )
    assert not return_open(delivered_at=delivered, now=delivered, return_days=14, returnable=False)


def test_the_owner_is_offered_to_ship_a_delivery_and_to_make_a_pickup_ready_never_the_other() -> (
    None
):
    assert owner_choices(OrderState.PACKED, "DELIVERY") == [
        OrderState.SHIPPED,
        OrderState.CANCELLED,
    ]
    assert owner_choices(OrderState.PACKED, "PICKUP") == [OrderState.READY, OrderState.CANCELLED]
    assert owner_choices(OrderState.CONFIRMED, "DELIVERY") == [
        OrderState.PACKED,
        OrderState.CANCELLED,
    ]
