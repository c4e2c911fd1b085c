"""A seller platform with one business and a few items, on the test's database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from comptoir.apps.seller.domain.pricing import Fulfilment, PaymentMethod
from comptoir.apps.seller.models import Order
from comptoir.apps.seller.service import orders
from comptoir.apps.seller.service.context import Seller
from comptoir.apps.seller.service.items import ItemInput, add_item
from comptoir.apps.seller.service.platforms import add_business, create_platform
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database

PLATFORM = "island-market"
BAP = "shop.example"


@dataclass
class World:
    seller: Seller
    business_id: uuid.UUID
    nutmeg: uuid.UUID
    basket: uuid.UUID

    def init(
        self, *items: tuple[uuid.UUID, int], delivery: bool = True, transaction: str | None = None
    ) -> Order:
        return orders.init_order(
            self.seller,
            platform_id=PLATFORM,
            bap_id=BAP,
            bap_uri="http://shop.example/shop/beckn",
            transaction_id=transaction or str(uuid.uuid4()),
            wanted=[orders.Wanted(str(item), quantity) for item, quantity in items],
            fulfilment=Fulfilment.DELIVERY if delivery else Fulfilment.PICKUP,
            payment_method=PaymentMethod.CASH_ON_DELIVERY,
            buyer={"name": "Marie", "phone": "+17585550101", "address": "Bridge Street"},
        )

    def confirm(self, order: Order, agreed: int | None = None) -> Order:
        return orders.confirm_order(
            self.seller,
            platform_id=PLATFORM,
            bap_id=BAP,
            order_id=str(order.id),
            agreed_total=agreed,
        )


def make_world(database: Database, clock: FrozenClock, keys_dir: Path) -> World:
    seller = Seller(
        database=database, keys_dir=keys_dir, base_url="http://node.example", clock=clock
    )
    create_platform(
        seller,
        platform_id=PLATFORM,
        name="Island Market",
        subscriber_id="island-market.example",
        registry_url="http://node.example/registry",
        gateway_url="http://node.example/gateway",
        service_fee=100,
    )
    business_id = add_business(
        seller,
        platform_id=PLATFORM,
        slug="soufriere-spice",
        name="Soufriere Spice Co",
        phone="+17585550302",
        city="Soufrière",
        description="Spices",
        payment_alias="spices@helen-cu",
        delivery_fee=700,
    )
    nutmeg = add_item(
        seller,
        platform_id=PLATFORM,
        business_id=business_id,
        form=ItemInput("Nutmeg", "Whole nutmegs", "spices", "8.00", "5", True, ""),
    )
    basket = add_item(
        seller,
        platform_id=PLATFORM,
        business_id=business_id,
        form=ItemInput("Basket", "Woven", "crafts", "45.00", "1", False, "small, large"),
    )
    return World(seller, business_id, nutmeg, basket)
