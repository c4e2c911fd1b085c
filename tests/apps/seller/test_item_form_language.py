"""An item's form read in another language half-way through: the header's language buttons send
it (`switch_keeps`) to be kept in a signed cookie of the shop's item pages, so it comes back as
typed in the new language, nothing added or changed; a refused form keeps its problems, said
in the new language; nothing typed travels in an address."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from comptoir.apps.seller.models import Item
from tests.apps.seller.test_pages import csrf, sign_in, site  # noqa: F401 (a fixture)
from tests.apps.seller.world import PLATFORM, World
from tests.support.texts import Texts

NEW = f"/sellers/{PLATFORM}/shop/items/new"
TYPED = {
    "name": "Cocoa sticks",
    "description": "Grated into hot milk at Christmas",
    "category": "spices",
    "price": "6.75",
    "stock": "40",
    "variants": "small, large",
    "age_restricted": "yes",
}


def _names(world: World) -> list[str]:
    with world.seller.database.reading() as session:
        return sorted(
            session.scalars(select(Item.name).where(Item.business_id == world.business_id))
        )


def test_a_new_item_switched_to_french_comes_back_as_typed_and_is_not_added(
    site: tuple[TestClient, World],  # noqa: F811 (the fixture)
    texts: Texts,
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(NEW)
    assert 'form="item"' in form.text
    before = _names(world)

    switched = client.post(NEW, data={**TYPED, "lang": "fr", "csrf_token": csrf(form.text)})

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert [answer.headers["location"] for answer in switched.history] == [NEW + "?kept=1"]
    for field in ("name", "price", "stock", "variants"):
        assert f'value="{TYPED[field]}"' in switched.text
    assert ">Grated into hot milk at Christmas</textarea>" in switched.text
    assert 'id="age_restricted" name="age_restricted" type="checkbox" value="yes" checked' in (
        switched.text
    )
    assert 'id="returnable" name="returnable" type="checkbox" value="yes" checked' not in (
        switched.text
    )
    assert 'aria-invalid="true"' not in switched.text
    assert _names(world) == before
    assert "Cocoa" not in client.get(NEW).text  # opened afresh: a blank form


def test_a_refused_item_switched_to_french_names_its_problems_in_french(
    site: tuple[TestClient, World],  # noqa: F811 (the fixture)
    texts: Texts,
) -> None:
    client, _world = site
    sign_in(client, texts)
    form = client.get(NEW)
    refused = client.post(NEW, data={**TYPED, "price": "twelve", "csrf_token": csrf(form.text)})
    assert refused.status_code == 400 and 'name="refused" value="1"' in refused.text

    switched = client.post(
        NEW,
        data={
            **TYPED,
            "price": "twelve",
            "refused": "1",
            "lang": "fr",
            "csrf_token": csrf(refused.text),
        },
    )

    assert 'lang="fr"' in switched.text and 'value="twelve"' in switched.text
    assert 'id="price-error"' in switched.text and "Write the price like" not in switched.text
    price_box = r'id="price" name="price"[^>]* value="twelve" aria-invalid="true"'
    assert re.search(price_box, switched.text)


def test_a_change_switched_to_french_is_kept_for_that_item_only_and_saves_nothing(
    site: tuple[TestClient, World],  # noqa: F811 (the fixture)
    texts: Texts,
) -> None:
    client, world = site
    sign_in(client, texts)
    with world.seller.database.reading() as session:
        nutmeg = session.scalars(select(Item).where(Item.name == "Nutmeg")).one()
        basket = session.scalars(select(Item).where(Item.name == "Basket")).one()
    page = client.get(f"/sellers/{PLATFORM}/shop/items/{nutmeg.id}")

    switched = client.post(
        f"/sellers/{PLATFORM}/shop/items/{nutmeg.id}",
        data={**TYPED, "name": "Nutmeg, whole", "lang": "fr", "csrf_token": csrf(page.text)},
    )

    assert 'lang="fr"' in switched.text and 'value="Nutmeg, whole"' in switched.text
    other = client.get(f"/sellers/{PLATFORM}/shop/items/{basket.id}?kept=1")
    assert "Nutmeg, whole" not in other.text  # another item's page shows its own
    assert "Nutmeg, whole" not in " ".join(_names(world))
