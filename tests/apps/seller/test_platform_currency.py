"""A seller platform trades in its own currency (a platform in Martinique in euros), and its
catalogue says which island each business is on: the operator's commands, the owner's form,
and the Beckn catalogue all follow the platform, not a currency or a country written in."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import Result

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.models import Business, Item, Platform
from comptoir.apps.seller.service import settings
from comptoir.apps.seller.service.context import Seller
from comptoir.apps.seller.service.messages import catalog_json
from comptoir.kernel.beckn.models.catalog import Catalog
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from tests.apps.seller.commands import operator_environment, run

EUR_PLATFORM = "antilles-artisans"


@pytest.fixture
def operator_env(
    database: Database, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Database:
    operator_environment(monkeypatch, database_url, tmp_path / "data")
    return database


def platform_and_business(database: Database) -> tuple[Platform, Business]:
    """The platform the test made, and its one business, as stored."""
    with database.reading() as session:
        platform = session.get(Platform, EUR_PLATFORM)
        business = session.scalars(select(Business)).one()
    assert platform is not None
    return platform, business


def add_platform(*extra: str) -> Result:
    return run(
        "platform",
        "add",
        EUR_PLATFORM,
        "--name",
        "Antilles Artisans",
        "--subscriber-id",
        "antilles.example",
        "--registry-url",
        "http://node.example/registry",
        "--gateway-url",
        "http://node.example/gateway",
        *extra,
    )


def add_madras_shop() -> Result:
    return run(
        "business",
        "add",
        EUR_PLATFORM,
        "atelier-madras",
        "--name",
        "Atelier Madras",
        "--phone",
        "+596 696 55 01 01",
        "--city",
        "Fort-de-France",
        "--delivery-fee",
        "4.50",
    )


def test_a_platform_made_in_euros_prices_its_fees_items_and_catalogue_in_euros(
    operator_env: Database, tmp_path: Path
) -> None:
    assert add_platform("--currency", "eur", "--service-fee", "0.50").exit_code == 0
    assert add_madras_shop().exit_code == 0
    catalogue = tmp_path / "madras.json"
    catalogue.write_text('[{"name": "Foulard", "category": "clothing", "price": "12.50"}]')
    stocked = run("business", "stock", EUR_PLATFORM, "atelier-madras", str(catalogue))
    assert stocked.exit_code == 0, stocked.stderr

    with operator_env.reading() as session:
        platform = session.get(Platform, EUR_PLATFORM)
        business = session.scalars(select(Business)).one()
        items = list(session.scalars(select(Item)))
    assert platform is not None
    assert (platform.currency, platform.service_fee) == ("EUR", 50)
    assert business.delivery_fee == 450
    assert [(item.price, item.currency) for item in items] == [(1250, "EUR")]

    published = catalog_json(platform, business, items, "http://node.example/bpp", "/t/{item}")
    Catalog.model_validate(published)
    attributes = published["provider"]["providerAttributes"]
    assert attributes["deliveryFee"] == {"currency": "EUR", "value": "4.50"}
    price = published["offers"][0]["considerations"][0]["considerationAttributes"]["price"]
    assert price == {"currency": "EUR", "value": "12.50"}


def test_the_catalogue_places_a_business_on_its_own_island_from_its_phone(
    operator_env: Database,
) -> None:
    add_platform("--currency", "EUR")
    add_madras_shop()
    platform, business = platform_and_business(operator_env)

    where = catalog_json(platform, business, [], "http://node.example/bpp", "/t/{item}")[
        "provider"
    ]["availableAt"]

    assert where == [
        {
            "geo": {"type": "Point", "coordinates": [-61.07, 14.60]},
            "address": {"addressLocality": "Fort-de-France", "addressCountry": "MQ"},
        }
    ]


def test_a_business_whose_country_is_not_known_gets_no_made_up_place(
    operator_env: Database,
) -> None:
    add_platform()
    run(
        "business",
        "add",
        EUR_PLATFORM,
        "far-away",
        "--name",
        "Far Away",
        "--phone",
        "+44 20 7946 0958",
    )
    platform, business = platform_and_business(operator_env)

    provider = catalog_json(platform, business, [], "http://node.example/bpp", "/t/{item}")[
        "provider"
    ]

    assert "availableAt" not in provider
    assert provider["providerAttributes"]["deliveryFee"]["currency"] == "XCD"


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--currency", "ECD"), "--currency: 'ECD' is not an ISO 4217 currency code"),
        (("--service-fee", "one"), "--service-fee: 'one' is not a plain decimal amount"),
        (("--currency", "JPY", "--service-fee", "1.50"), "too many decimals for JPY"),
        (("--service-fee", "-1"), "--service-fee: a fee cannot be negative"),
    ],
)
def test_a_platform_with_a_bad_currency_or_fee_is_refused_and_not_made(
    operator_env: Database, flags: tuple[str, ...], said: str
) -> None:
    result = add_platform(*flags)

    assert result.exit_code == 2
    assert said in result.stderr
    with operator_env.reading() as session:
        assert session.get(Platform, EUR_PLATFORM) is None


def test_the_owner_form_reads_the_delivery_fee_in_the_platform_currency(
    operator_env: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    add_platform("--currency", "JPY")
    added = run(
        "business", "add", EUR_PLATFORM, "yen-shop", "--name", "Yen", "--phone", "+17585550399"
    )
    assert added.exit_code == 0
    seller = Seller(
        database=operator_env,
        keys_dir=tmp_path / "data" / "keys",
        base_url="http://node.example",
        clock=clock,
    )
    with operator_env.reading() as session:
        business = session.scalars(select(Business)).one()

    with pytest.raises(SellerError) as refused:
        settings.change_terms(
            seller,
            platform_id=EUR_PLATFORM,
            business_id=business.id,
            form=settings.TermsInput(True, True, "4.50", True, "", "14"),
        )
    settings.change_terms(
        seller,
        platform_id=EUR_PLATFORM,
        business_id=business.id,
        form=settings.TermsInput(True, True, "450", True, "", "14"),
    )

    assert "an amount in JPY has at most 0" in refused.value.fields["delivery_fee"].render()
    with operator_env.reading() as session:
        assert session.get(Business, business.id).delivery_fee == 450  # type: ignore[union-attr]
