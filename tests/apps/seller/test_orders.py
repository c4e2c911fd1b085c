"""Orders on SQLite and PostgreSQL: stock taken only at confirm, never below zero, refusals
that change nothing, cancel and return."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from comptoir.apps.seller.domain import errors as codes
from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.domain.states import OrderState
from comptoir.apps.seller.models import Item
from comptoir.apps.seller.service import orders
from comptoir.apps.seller.service.items import ItemInput, change_item
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from tests.apps.seller.world import BAP, PLATFORM, World, make_world


@pytest.fixture
def world(database: Database, clock: FrozenClock, tmp_path: Path) -> World:
    return make_world(database, clock, tmp_path / "keys")


def stock(world: World, item: uuid.UUID) -> int:
    with world.seller.database.reading() as session:
        found = session.get(Item, item)
        assert found is not None
        return found.stock


def test_init_quotes_every_fee_and_takes_no_stock(world: World) -> None:
    order = world.init((world.nutmeg, 2))

    assert order.state == OrderState.DRAFT
    assert order.fees == [{"code": "DELIVERY", "amount": 700}, {"code": "SERVICE", "amount": 100}]
    assert order.total == 2 * 800 + 700 + 100
    assert stock(world, world.nutmeg) == 5


def test_confirm_takes_the_stock_once_even_when_repeated(world: World) -> None:
    order = world.init((world.nutmeg, 2))

    world.confirm(order, agreed=order.total)
    again = world.confirm(order, agreed=order.total)

    assert again.state == OrderState.CONFIRMED
    assert stock(world, world.nutmeg) == 3


def test_confirm_is_refused_when_the_item_sold_out_since_init(world: World) -> None:
    first = world.init((world.basket, 1))
    second = world.init((world.basket, 1))
    world.confirm(first)

    with pytest.raises(SellerError) as refused:
        world.confirm(second)

    assert refused.value.code == codes.ITEM_OUT_OF_STOCK
    assert stock(world, world.basket) == 0
    assert (
        orders.order_for_bap(
            world.seller, platform_id=PLATFORM, bap_id=BAP, order_id=str(second.id)
        ).state
        == OrderState.DRAFT
    )


def test_confirm_is_refused_when_the_price_changed_since_the_quote(world: World) -> None:
    order = world.init((world.nutmeg, 1))
    change_item(
        world.seller,
        platform_id=PLATFORM,
        business_id=world.business_id,
        item_id=world.nutmeg,
        form=ItemInput("Nutmeg", "Whole nutmegs", "spices", "9.50", "5", True, ""),
    )

    with pytest.raises(SellerError) as refused:
        world.confirm(order, agreed=order.total)

    assert refused.value.code == codes.PRICE_CHANGED
    assert stock(world, world.nutmeg) == 5


def test_confirm_is_refused_when_the_buyer_agreed_to_another_total(world: World) -> None:
    order = world.init((world.nutmeg, 1))

    with pytest.raises(SellerError) as refused:
        world.confirm(order, agreed=order.total - 1)

    assert refused.value.code == codes.PRICE_CHANGED


def test_select_refuses_more_than_the_stock(world: World) -> None:
    with pytest.raises(SellerError) as refused:
        world.init((world.nutmeg, 6))

    assert refused.value.code == codes.ITEM_OUT_OF_STOCK


def test_stock_never_goes_negative_under_concurrent_confirms(world: World) -> None:
    drafts = [world.init((world.nutmeg, 1)) for _ in range(8)]
    outcomes: list[str] = []
    lock = threading.Lock()

    def confirm(order_id: uuid.UUID) -> None:
        try:
            orders.confirm_order(
                world.seller,
                platform_id=PLATFORM,
                bap_id=BAP,
                order_id=str(order_id),
                agreed_total=None,
            )
            outcome = "confirmed"
        except SellerError as error:
            outcome = error.code
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=confirm, args=(draft.id,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("confirmed") == 5
    assert outcomes.count(codes.ITEM_OUT_OF_STOCK) == 3
    assert stock(world, world.nutmeg) == 0


def test_cancel_gives_the_stock_back_and_a_shipped_order_cannot_be_cancelled(world: World) -> None:
    order = world.confirm(world.init((world.nutmeg, 2)))
    cancelled = orders.cancel_order(
        world.seller, platform_id=PLATFORM, bap_id=BAP, order_id=str(order.id)
    )
    assert cancelled.state == OrderState.CANCELLED
    assert stock(world, world.nutmeg) == 5

    shipped = world.confirm(world.init((world.nutmeg, 1)))
    for state in ("packed", "shipped"):
        orders.owner_move(
            world.seller,
            platform_id=PLATFORM,
            business_id=world.business_id,
            order_id=str(shipped.id),
            wanted=state,
            actor="test",
        )
    with pytest.raises(SellerError) as refused:
        orders.cancel_order(
            world.seller, platform_id=PLATFORM, bap_id=BAP, order_id=str(shipped.id)
        )
    assert refused.value.code == codes.CANCEL_NOT_POSSIBLE


def test_a_return_is_accepted_within_fourteen_days_of_delivery_only(
    world: World, clock: FrozenClock
) -> None:
    order = world.confirm(world.init((world.nutmeg, 1)))
    for state in ("packed", "shipped", "delivered"):
        orders.owner_move(
            world.seller,
            platform_id=PLATFORM,
            business_id=world.business_id,
            order_id=str(order.id),
            wanted=state,
            actor="test",
        )
    late = world.confirm(world.init((world.nutmeg, 1)))
    for state in ("packed", "ready", "delivered"):
        orders.owner_move(
            world.seller,
            platform_id=PLATFORM,
            business_id=world.business_id,
            order_id=str(late.id),
            wanted=state,
            actor="test",
        )

    clock.advance(timedelta(days=10))
    returned = orders.request_return(
        world.seller, platform_id=PLATFORM, bap_id=BAP, order_id=str(order.id)
    )
    clock.advance(timedelta(days=5))
    with pytest.raises(SellerError) as refused:
        orders.request_return(world.seller, platform_id=PLATFORM, bap_id=BAP, order_id=str(late.id))

    assert returned.state == OrderState.RETURN_REQUESTED
    assert refused.value.code == codes.RETURN_NOT_POSSIBLE


def test_another_buyer_app_cannot_see_an_order(world: World) -> None:
    order = world.init((world.nutmeg, 1))

    with pytest.raises(SellerError) as refused:
        orders.order_for_bap(
            world.seller, platform_id=PLATFORM, bap_id="other.example", order_id=str(order.id)
        )

    assert refused.value.code == codes.ORDER_NOT_FOUND
