"""The demo's seller platforms and their businesses, on four islands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from comptoir.apps.seller.demo_catalogue.products import (
    ARTISANAT,
    CLOTHING,
    CRAFTS,
    EPICES,
    EXCURSIONS,
    PRODUCE,
    SPICES,
    TOURISM,
    VETEMENTS,
    Product,
)


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
    # A business with an alias on a wallet of this node is paid by request to pay; one that
    # is not (False) shows its QR code and alias instead, so that both ways can be tried.
    request_to_pay: bool = True
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
                alias="threads@antilles-bank",
                request_to_pay=False,
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
                "+596696550101",
                "Fort-de-France",
                "Vêtements et accessoires en madras, faits main.",
                "clothing",
                VETEMENTS,
                delivery_fee=800,
            ),
            _business(
                "epices-basse-terre",
                "Épices de Basse-Terre",
                "+590690550102",
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
                "+596696550104",
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
                "+596696550502",
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
