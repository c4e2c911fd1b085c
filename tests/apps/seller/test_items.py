"""A business's items through the service, on SQLite and PostgreSQL: what is refused, and
that a refusal names every field and stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.models import Item
from comptoir.apps.seller.service.items import MAX_VARIANTS, ItemInput, add_item, change_item
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from tests.apps.seller.world import PLATFORM, World, make_world


@pytest.fixture
def world(database: Database, clock: FrozenClock, tmp_path: Path) -> World:
    return make_world(database, clock, tmp_path / "keys")


def _sizes(count: int) -> str:
    return ", ".join(f"size {number}" for number in range(1, count + 1))


def test_an_item_may_have_twelve_variants_and_keeps_every_one(world: World) -> None:
    item_id = add_item(
        world.seller,
        platform_id=PLATFORM,
        business_id=world.business_id,
        form=ItemInput("Sandals", "", "clothing", "30.00", "4", True, _sizes(MAX_VARIANTS)),
    )

    with world.seller.database.reading() as session:
        item = session.get(Item, item_id)
        assert item is not None
        assert item.variants == [f"size {number}" for number in range(1, 13)]


def test_an_item_with_more_than_twelve_variants_is_refused_beside_them_and_not_added(
    world: World,
) -> None:
    with pytest.raises(SellerError) as refused:
        add_item(
            world.seller,
            platform_id=PLATFORM,
            business_id=world.business_id,
            form=ItemInput("Sandals", "", "clothing", "douze", "4", True, _sizes(13)),
        )

    assert set(refused.value.fields) == {"price", "variants"}
    assert refused.value.fields["variants"].render("en") == (
        "An item has at most 12 variants; you wrote 13."
    )
    with world.seller.database.reading() as session:
        assert session.scalar(select(Item).where(Item.name == "Sandals")) is None


def test_a_change_to_more_than_twelve_variants_is_refused_and_keeps_the_old_ones(
    world: World,
) -> None:
    with pytest.raises(SellerError) as refused:
        change_item(
            world.seller,
            platform_id=PLATFORM,
            business_id=world.business_id,
            item_id=world.basket,
            form=ItemInput("Basket", "Woven", "crafts", "45.00", "1", False, _sizes(20)),
        )

    assert set(refused.value.fields) == {"variants"}
    with world.seller.database.reading() as session:
        basket = session.get(Item, world.basket)
        assert basket is not None
        assert basket.variants == ["small", "large"]
