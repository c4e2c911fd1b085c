"""`comptoir seller business stock` and `business add`, as an operator runs them with a file
or flags that are wrong: every problem named, nothing half-loaded, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from comptoir.apps.seller.models import Business, Item
from comptoir.apps.seller.service.catalogue_file import read_catalogue
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from tests.apps.seller.commands import operator_environment, run
from tests.apps.seller.world import PLATFORM, World, make_world

SLUG = "soufriere-spice"


@pytest.fixture
def world(
    database: Database,
    database_url: str,
    clock: FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    operator_environment(monkeypatch, database_url, tmp_path / "data")
    return make_world(database, clock, tmp_path / "data" / "keys")


def items_of(world: World) -> int:
    with world.seller.database.reading() as session:
        count = session.scalar(
            select(func.count()).select_from(Item).where(Item.business_id == world.business_id)
        )
    return int(count or 0)


def catalogue(tmp_path: Path, content: object) -> str:
    path = tmp_path / "catalogue.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


GOOD = {"name": "Cinnamon", "category": "spices", "price": "6.50", "stock": 4}


def test_a_good_catalogue_is_loaded_whole_and_says_how_many_items_it_added(
    world: World, tmp_path: Path
) -> None:
    before = items_of(world)
    other = {"name": "Mace", "category": "spices", "price": 3, "variants": ["20 g", "50 g"]}
    result = run("business", "stock", PLATFORM, SLUG, catalogue(tmp_path, [GOOD, other]))

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"2 items added to {SLUG}"
    assert items_of(world) == before + 2


def test_a_catalogue_with_problems_names_every_one_by_item_and_adds_nothing(
    world: World, tmp_path: Path
) -> None:
    before = items_of(world)
    entries = [
        GOOD,
        {"name": "Nutmeg", "category": "spices", "price": "8.001"},
        {"name": "Basket", "category": "boats", "price": "-4", "stock": "many"},
        {"category": "spices", "price": "1.00", "colour": "red"},
        "Bay leaves",
        {"name": "Shirt", "category": "clothing", "price": True, "variants": "S, M"},
        {
            "name": "Sizes",
            "category": "clothing",
            "price": "9",
            "variants": [str(n) for n in range(13)],
        },
    ]
    result = run("business", "stock", PLATFORM, SLUG, catalogue(tmp_path, entries))

    assert result.exit_code == 1
    errors = result.stderr
    assert "Traceback" not in result.output
    assert (
        "item 2 (Nutmeg): price: 8.001 has too many decimals: an amount in XCD has at most 2."
        in errors
    )
    assert "item 3 (Basket): category: Choose a category." in errors
    assert "item 3 (Basket): price: The price must be more than zero." in errors
    assert "item 3 (Basket): stock: Write the stock as a whole number, 0 or more." in errors
    assert "item 4: name: missing" in errors
    assert "item 4: colour: not a field of an item" in errors
    assert "item 5: an item is an object" in errors
    assert "item 6: price: must be a number or text" in errors
    assert "item 6: variants: must be a list of words" in errors
    assert "item 7 (Sizes): variants: An item has at most 12 variants; you wrote 13." in errors
    assert "item 1" not in errors
    assert "nothing was added" in errors
    assert items_of(world) == before


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("[{'name': 'Cinnamon'}]", "not JSON: Expecting property name enclosed in double quotes"),
        ('{"name": "Cinnamon"}', "the file must hold a JSON list of items"),
    ],
)
def test_a_file_that_is_no_list_of_items_is_refused_with_a_sentence(
    world: World, tmp_path: Path, content: str, said: str
) -> None:
    before = items_of(world)
    result = run("business", "stock", PLATFORM, SLUG, catalogue(tmp_path, content))

    assert result.exit_code == 1
    assert said in result.stderr
    assert items_of(world) == before


def test_a_missing_file_or_business_is_a_sentence_not_a_traceback(
    world: World, tmp_path: Path
) -> None:
    missing = run("business", "stock", PLATFORM, SLUG, str(tmp_path / "nowhere.json"))
    no_business = run("business", "stock", PLATFORM, "nobody", catalogue(tmp_path, [GOOD]))

    assert missing.exit_code == 1
    assert "cannot read" in missing.stderr
    assert no_business.exit_code == 1
    assert "there is no such business" in no_business.stderr


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        ("--phone", "call me", "--phone: 'call me' is not a phone number with its country code"),
        ("--phone", "555 0101", "is not a phone number with its country code"),
        ("--delivery-fee", "five", "--delivery-fee: 'five' is not a plain decimal amount"),
        ("--delivery-fee", "5.001", "--delivery-fee: 5.001 has too many decimals for XCD"),
    ],
)
def test_a_business_with_a_bad_phone_or_fee_is_refused_and_not_made(
    world: World, flag: str, value: str, said: str
) -> None:
    arguments = {"--name": "Rum Shop", "--phone": "+1 758 555 0399", "--delivery-fee": "5"}
    arguments[flag] = value
    flags = [part for pair in arguments.items() for part in pair]
    result = run("business", "add", PLATFORM, "rum-shop", *flags)

    assert result.exit_code == 2
    assert said in result.stderr
    with world.seller.database.reading() as session:
        assert session.scalar(select(Business).where(Business.slug == "rum-shop")) is None


def test_reading_a_catalogue_takes_json_numbers_and_text_alike() -> None:
    read = read_catalogue(json.dumps([{"name": "Mace", "category": "spices", "price": 3.5}]), "XCD")

    assert read.problems == []
    assert [(item.price, item.stock, item.returnable) for item in read.items] == [
        ("3.5", "10", True)
    ]
