"""The demo's seller platforms: Caribbean micro-businesses and their goods, in English and French.

Hundreds of items come from small hand-written lists: each product line below (a name and a
description in the business's language, and a price for its smallest size) is offered in a
few sizes or kinds, with a stock drawn from a fixed seed, so every demo starts the same.
"""

import random
from dataclasses import dataclass

from comptoir.apps.seller.demo_catalogue.platforms import PLATFORMS, DemoBusiness, DemoPlatform
from comptoir.apps.seller.service.context import Seller
from comptoir.apps.seller.service.items import ItemInput, add_items
from comptoir.apps.seller.service.platforms import CreatedPlatform, add_business, create_platform
from comptoir.kernel.money import Money

__all__ = ["PLATFORMS", "DemoBusiness", "DemoItem", "DemoPlatform", "items_of", "seed"]


@dataclass(frozen=True)
class DemoItem:
    name: str
    description: str
    category: str
    price: int
    stock: int
    returnable: bool
    variants: tuple[str, ...]
    age_restricted: bool = False


def items_of(business: DemoBusiness, *, seed: int = 7) -> list[DemoItem]:
    """Each product in each of its sizes, each size at its own price (`Product.sizes`)."""
    chooser = random.Random(f"{seed}:{business.slug}")  # noqa: S311 (demo stock, not secrets)
    found: list[DemoItem] = []
    for product in business.products:
        for size, tenths in product.sizes or (("", 10),):
            price = product.price * tenths // 10
            name = f"{product.name} ({size})" if size else product.name
            found.append(
                DemoItem(
                    name,
                    product.description,
                    business.category,
                    price,
                    chooser.choice((0, 3, 8, 12, 20, 40, 60)) if chooser.random() < 0.95 else 0,
                    product.returnable,
                    (),
                    product.age_restricted,
                )
            )
    return found


def seed(seller: Seller, *, registry_url: str, gateway_url: str) -> list[CreatedPlatform]:
    """Create the demo's platforms, businesses and items; returns what to register."""
    created: list[CreatedPlatform] = []
    for platform in PLATFORMS:
        created.append(
            create_platform(
                seller,
                platform_id=platform.id,
                name=platform.name,
                subscriber_id=platform.subscriber_id,
                registry_url=registry_url,
                gateway_url=gateway_url,
                service_fee=platform.service_fee,
                actor="operator:demo",
            )
        )
        for business in platform.businesses:
            business_id = add_business(
                seller,
                platform_id=platform.id,
                slug=business.slug,
                name=business.name,
                phone=business.phone,
                city=business.city,
                description=business.description,
                payment_alias=business.alias,
                pickup=business.pickup,
                delivery=business.delivery,
                delivery_fee=business.delivery_fee,
                return_days=business.return_days,
                actor="operator:demo",
            )
            add_items(
                seller,
                platform_id=platform.id,
                business_id=business_id,
                forms=[
                    ItemInput(
                        item.name,
                        item.description,
                        item.category,
                        Money(item.price, "XCD").to_fixed(),
                        str(item.stock),
                        item.returnable,
                        ", ".join(item.variants),
                        age_restricted=item.age_restricted,
                    )
                    for item in items_of(business)
                ],
            )
    return created
