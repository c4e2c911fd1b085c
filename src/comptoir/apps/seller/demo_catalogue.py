"""The demo's seller platforms: Caribbean micro-businesses and their goods, in English and French.

Hundreds of items come from small hand-written lists: each product line below (a name and a
description in the business's language, and a price for its smallest size) is offered in a
few sizes or kinds, with a stock drawn from a fixed seed, so every demo starts the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from comptoir.apps.seller.service.context import Seller
from comptoir.apps.seller.service.items import ItemInput, add_items
from comptoir.apps.seller.service.platforms import CreatedPlatform, add_business, create_platform
from comptoir.kernel.money import Money


@dataclass(frozen=True)
class Product:
    name: str
    description: str
    price: int  # minor units (XCD cents), for the first size
    sizes: tuple[str, ...] = ()
    returnable: bool = True


@dataclass(frozen=True)
class DemoBusiness:
    slug: str
    name: str
    phone: str
    city: str
    description: str
    category: str
    products: tuple[Product, ...]
    alias: str | None = None
    delivery_fee: int = 500
    return_days: int = 14
    pickup: bool = True
    delivery: bool = True


@dataclass(frozen=True)
class DemoPlatform:
    id: str
    name: str
    subscriber_id: str
    service_fee: int
    businesses: tuple[DemoBusiness, ...] = field(default_factory=tuple)


# A bigger size costs a little less per unit: x1, x1.8, x3.4, x6 the first size's price.
SIZE_FACTORS: Final = (10, 18, 34, 60)
WEIGHTS: Final = ("250 g", "500 g", "1 kg")
SMALL_JARS: Final = ("small jar", "large jar")
POTS: Final = ("petit pot", "grand pot")
SIZES: Final = ("S", "M", "L", "XL")
TAILLES: Final = ("S", "M", "L", "XL")

PRODUCE: Final = (
    Product("Breadfruit", "Picked this morning in the hills above the farm.", 600),
    Product("Green figs (bananas)", "Green bananas for boiling, a hand at a time.", 450),
    Product("Dasheen", "Taro root, firm and fresh, for soups and provisions.", 500, WEIGHTS),
    Product("Christophene", "Chayote squash, mild and crisp.", 300, WEIGHTS),
    Product("Sweet potatoes", "Red-skinned, sweet yellow flesh.", 400, WEIGHTS),
    Product("Yams", "White yam from the farm, dug to order.", 550, WEIGHTS),
    Product("Plantains", "Ripe plantains for frying.", 350, ("3 pieces", "6 pieces")),
    Product("Limes", "Juicy limes for drinks and marinades.", 250, ("bag of 10", "bag of 25")),
    Product("Mangoes (Julie)", "Julie mangoes, sweet and fibre-free.", 200, ("each", "dozen")),
    Product("Avocados", "Large local avocados, ripe in two days.", 400, ("each", "bag of 4")),
    Product("Soursop", "Creamy soursop for juice and ice cream.", 900),
    Product("Passion fruit", "Golden passion fruit for juice.", 300, ("bag of 6", "bag of 12")),
    Product("Pumpkin", "Caribbean pumpkin, sold by the piece.", 700, WEIGHTS),
    Product("Callaloo bunch", "Fresh callaloo leaves for soup.", 350),
    Product("Coconuts (water)", "Young green coconuts, full of water.", 300, ("each", "bag of 5")),
)
SPICES: Final = (
    Product("Nutmeg, whole", "Grenada-style whole nutmegs, dried in the shade.", 800, WEIGHTS),
    Product("Cinnamon sticks", "Sun-dried cinnamon bark from the estate.", 700, WEIGHTS),
    Product(
        "Cocoa sticks", "Pure cocoa rolled by hand, for cocoa tea.", 600, ("2 sticks", "6 sticks")
    ),
    Product("Bay leaf", "Dried West Indian bay leaves.", 400, WEIGHTS),
    Product("Hot pepper sauce", "Scotch bonnet sauce with papaya and mustard.", 1200, SMALL_JARS),
    Product("Green seasoning", "Chive, thyme, celery and garlic, blended fresh.", 1000, SMALL_JARS),
    Product("Cloves", "Whole cloves, strong and sweet.", 900, WEIGHTS),
    Product("Turmeric powder", "Ground from our own roots.", 750, WEIGHTS),
    Product("Guava jam", "Slow-cooked guava jam.", 1100, SMALL_JARS),
    Product("Sea moss, dried", "Sun-bleached sea moss from the south coast.", 1500, WEIGHTS),
    Product("Cocoa nibs", "Roasted nibs from fine-flavour cocoa.", 1400, WEIGHTS),
    Product("Vanilla pods", "Bourbon vanilla cured for six months.", 1800, ("3 pods", "10 pods")),
)
EPICES: Final = (
    Product(
        "Colombo en poudre", "Mélange d'épices pour le colombo, moulu chaque semaine.", 900, WEIGHTS
    ),
    Product("Piment végétarien", "Petits piments doux et parfumés.", 500, WEIGHTS),
    Product("Sauce chien", "Sauce aux herbes, citron vert et piment.", 1000, POTS),
    Product("Confiture de goyave", "Confiture de goyave cuite au chaudron.", 1100, POTS),
    Product("Bois d'Inde", "Feuilles de bois d'Inde séchées.", 450, WEIGHTS),
    Product("Cannelle en bâtons", "Cannelle séchée au soleil.", 700, WEIGHTS),
    Product("Muscade entière", "Noix de muscade sèches.", 800, WEIGHTS),
    Product("Rhum arrangé (sans alcool)", "Sirop d'épices et de fruits pour le punch.", 1600, POTS),
    Product(
        "Chocolat pays",
        "Bâtons de cacao pur pour le chocolat chaud.",
        650,
        ("2 bâtons", "6 bâtons"),
    ),
    Product("Sirop de batterie", "Sirop de canne épais, à l'ancienne.", 1300, POTS),
)
CRAFTS: Final = (
    Product(
        "Woven basket", "Latanier palm basket woven by hand.", 4500, ("small", "medium", "large")
    ),
    Product("Calabash bowl", "Carved calabash bowl, food-safe finish.", 3000, ("small", "large")),
    Product("Madras doll", "Doll in Madras cloth, sewn by hand.", 3500),
    Product(
        "Coconut shell earrings", "Polished coconut shell, silver hooks.", 2500, returnable=False
    ),
    Product("Clay coal pot", "Traditional clay coal pot for outdoor cooking.", 6000),
    Product("Carved mahogany turtle", "Small turtle carved from offcuts.", 5500),
    Product("Seed bead necklace", "Necklace of local seeds and beads.", 2800, returnable=False),
    Product("Batik wall hanging", "Hand-dyed batik with island motifs.", 9000, ("60 cm", "90 cm")),
    Product("Straw hat", "Wide-brimmed hat of woven straw.", 4000, SIZES),
    Product("Pottery mug", "Glazed stoneware mug from our kiln.", 2200, ("blue", "green", "sand")),
)
ARTISANAT: Final = (
    Product(
        "Panier en bakoua",
        "Panier tressé en feuilles de bakoua.",
        4800,
        ("petit", "moyen", "grand"),
    ),
    Product("Poupée en madras", "Poupée cousue main en tissu madras.", 3600),
    Product("Bijoux en graines", "Collier en graines de la forêt.", 2900, returnable=False),
    Product("Bol en calebasse", "Calebasse sculptée et vernie.", 3100, ("petit", "grand")),
    Product("Tableau en bois peint", "Scène de marché peinte sur bois.", 8500),
    Product("Bakoua (chapeau)", "Chapeau traditionnel tressé.", 5200, TAILLES),
    Product("Savon artisanal", "Savon au lait de coco et vétiver.", 1200, ("1 pain", "3 pains")),
)
CLOTHING: Final = (
    Product("Madras head wrap", "Cotton Madras head tie, hemmed by hand.", 3500),
    Product("Linen shirt", "Loose linen shirt, cut and sewn in Castries.", 12000, SIZES),
    Product("Cotton sundress", "Light cotton dress, hand-printed.", 11000, SIZES),
    Product("Batik sarong", "Hand-dyed batik sarong.", 6500),
    Product(
        "Kids' Madras shorts",
        "Madras shorts for children.",
        4500,
        ("2-4 years", "5-7 years", "8-10 years"),
    ),
    Product(
        "Leather sandals", "Sandals stitched by a local cobbler.", 9500, ("38", "40", "42", "44")
    ),
)
VETEMENTS: Final = (
    Product("Robe en madras", "Robe en madras cousue à la main.", 13500, TAILLES),
    Product("Chemise en lin", "Chemise légère en lin.", 11500, TAILLES),
    Product("Foulard en madras", "Foulard de tête en madras.", 3200),
    Product("Tee-shirt imprimé", "Coton bio, impression locale.", 4500, TAILLES),
    Product("Paréo", "Paréo teint à la main.", 6000),
)
TOURISM: Final = (
    Product(
        "Rainforest hike with a guide",
        "Half-day guided hike to the waterfall, water included.",
        15000,
        ("1 person", "2 people"),
        False,
    ),
    Product(
        "Sulphur springs mud bath",
        "Entry and a guide at the volcanic springs.",
        6000,
        ("1 person", "2 people"),
        False,
    ),
    Product(
        "Snorkelling trip",
        "Two hours on the reef, gear included.",
        12000,
        ("1 person", "2 people"),
        False,
    ),
    Product(
        "Cocoa estate tour",
        "Walk the estate, make your own chocolate bar.",
        9000,
        ("1 person", "family of 4"),
        False,
    ),
    Product(
        "Creole cooking class",
        "Cook and eat a Creole lunch with a local cook.",
        14000,
        ("1 person", "2 people"),
        False,
    ),
    Product(
        "Airport taxi",
        "Hewanorra or George Charles airport to your hotel.",
        20000,
        ("up to 3 people", "up to 6 people"),
        False,
    ),
    Product(
        "Fishing trip at dawn",
        "Line fishing with a village fisherman; keep your catch.",
        16000,
        ("1 person", "2 people"),
        False,
    ),
)
EXCURSIONS: Final = (
    Product(
        "Randonnée en forêt tropicale",
        "Demi-journée guidée jusqu'à la cascade.",
        15000,
        ("1 personne", "2 personnes"),
        False,
    ),
    Product(
        "Sortie en yole",
        "Découverte de la baie à bord d'une yole ronde.",
        13000,
        ("1 personne", "2 personnes"),
        False,
    ),
    Product(
        "Visite de distillerie",
        "Visite guidée et dégustation de jus de canne.",
        7000,
        ("1 personne", "famille de 4"),
        False,
    ),
    Product(
        "Cours de cuisine créole",
        "Préparez et dégustez un repas créole.",
        14000,
        ("1 personne", "2 personnes"),
        False,
    ),
)


def _business(  # noqa: PLR0917 (a row of the hand-written table below)
    slug: str,
    name: str,
    phone: str,
    city: str,
    description: str,
    category: str,
    products: tuple[Product, ...],
    **terms: object,
) -> DemoBusiness:
    return DemoBusiness(slug, name, phone, city, description, category, products, **terms)  # type: ignore[arg-type]


PLATFORMS: Final = (
    DemoPlatform(
        "island-market",
        "Island Market",
        "island-market.comptoir.example",
        100,
        (
            _business(
                "castries-produce",
                "Castries Market Produce",
                "+17585550202",
                "Castries",
                "Fruit and ground provisions from family farms around Castries.",
                "produce",
                PRODUCE,
                alias="market@antilles-bank",
                delivery_fee=500,
            ),
            _business(
                "soufriere-spice",
                "Soufriere Spice Co",
                "+17585550302",
                "Soufrière",
                "Spices, sauces and preserves from the Soufrière estates.",
                "spices",
                SPICES,
                alias="spices@helen-cu",
                delivery_fee=700,
            ),
            _business(
                "gros-islet-greens",
                "Gros Islet Greens",
                "+17585550401",
                "Gros Islet",
                "Organic greens and fruit, picked to order.",
                "produce",
                PRODUCE[::2],
                delivery_fee=400,
            ),
            _business(
                "marigot-threads",
                "Marigot Bay Threads",
                "+17585550403",
                "Castries",
                "Island clothing, cut and sewn above the bay.",
                "clothing",
                CLOTHING,
                alias="market@antilles-bank",
                delivery_fee=800,
            ),
            _business(
                "vieux-fort-crafts",
                "Vieux Fort Crafts",
                "+17585550402",
                "Vieux Fort",
                "Baskets, pottery and carvings by the south coast craft co-op.",
                "crafts",
                CRAFTS,
                delivery_fee=1000,
                return_days=30,
            ),
        ),
    ),
    DemoPlatform(
        "antilles-artisans",
        "Antilles Artisans",
        "antilles-artisans.comptoir.example",
        150,
        (
            _business(
                "atelier-madras",
                "Atelier Madras",
                "+15965550101",
                "Fort-de-France",
                "Vêtements et accessoires en madras, faits main.",
                "clothing",
                VETEMENTS,
                delivery_fee=800,
            ),
            _business(
                "epices-basse-terre",
                "Épices de Basse-Terre",
                "+15905550102",
                "Basse-Terre",
                "Épices et sauces de Guadeloupe.",
                "spices",
                EPICES,
                delivery_fee=600,
            ),
            _business(
                "artisans-roseau",
                "Roseau Artisans",
                "+17675550103",
                "Roseau",
                "Crafts and clothing from Dominica's makers.",
                "clothing",
                CLOTHING,
                delivery_fee=900,
            ),
            _business(
                "vannerie-caraibe",
                "Vannerie Caraïbe",
                "+15965550104",
                "Fort-de-France",
                "Vannerie, savons et objets d'artisanat.",
                "crafts",
                ARTISANAT,
                delivery_fee=1000,
            ),
        ),
    ),
    DemoPlatform(
        "caribbean-experiences",
        "Caribbean Experiences",
        "caribbean-experiences.comptoir.example",
        200,
        (
            _business(
                "soufriere-tours",
                "Soufriere Tours",
                "+17585550501",
                "Soufrière",
                "Guided hikes, reefs and volcano, with local guides.",
                "tourism",
                TOURISM,
                delivery=False,
                delivery_fee=0,
                return_days=0,
            ),
            _business(
                "excursions-martinique",
                "Excursions Martinique",
                "+15965550502",
                "Fort-de-France",
                "Excursions en mer et à terre avec des guides du pays.",
                "tourism",
                EXCURSIONS,
                delivery=False,
                delivery_fee=0,
                return_days=0,
            ),
            _business(
                "dennery-farmers",
                "Dennery Farmers' Group",
                "+17585550504",
                "Castries",
                "Ground provisions from the east coast farmers' group.",
                "produce",
                PRODUCE[1::2],
                delivery_fee=600,
            ),
            _business(
                "grenada-cocoa",
                "Grenada Cocoa Collective",
                "+14735550503",
                "St. George's",
                "Cocoa, nutmeg and chocolate from a farmers' collective.",
                "spices",
                SPICES[::-1],
                delivery_fee=800,
            ),
        ),
    ),
)


@dataclass(frozen=True)
class DemoItem:
    name: str
    description: str
    category: str
    price: int
    stock: int
    returnable: bool
    variants: tuple[str, ...]


def items_of(business: DemoBusiness, *, seed: int = 7) -> list[DemoItem]:
    """Each product in each of its sizes, a bigger size costing proportionally a little less."""
    chooser = random.Random(f"{seed}:{business.slug}")  # noqa: S311 (demo stock, not secrets)
    found: list[DemoItem] = []
    for product in business.products:
        sizes = product.sizes or ("",)
        for step, size in enumerate(sizes):
            price = product.price * SIZE_FACTORS[min(step, 3)] // 10
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
                    )
                    for item in items_of(business)
                ],
            )
    return created
