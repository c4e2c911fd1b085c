"""The buyer app's pages where no seller is needed: the shop's front page, a search that
cannot reach the network, an empty search, and the list of carts."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from fastapi.testclient import TestClient

from comptoir.apps.buyer.models import BuyerOrder, Result, Search
from comptoir.apps.buyer.service import orders
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database


def test_the_shop_is_listed_for_shoppers_and_its_front_page_has_a_search(
    client: TestClient,
) -> None:
    assert 'href="/shop/market"' in client.get("/shop").text
    page = client.get("/shop/market")
    assert '<label for="words">' in page.text and 'role="search"' in page.text


def test_an_empty_search_asks_for_words_a_category_or_a_place(client: TestClient) -> None:
    page = client.get("/shop/search")

    assert page.status_code == 400
    assert "Write what you are looking for" in page.text


def test_a_search_that_cannot_reach_the_network_says_so(client: TestClient) -> None:
    page = client.get("/shop/search", params={"words": "nutmeg"})

    assert page.status_code == 502
    assert "The network could not be reached." in page.text


def test_a_new_shopper_has_no_carts_and_cannot_see_others_orders(client: TestClient) -> None:
    assert "Nothing yet." in client.get("/shop/orders").text
    assert client.get(f"/shop/orders/{uuid.uuid4()}").status_code == 404
    assert client.get(f"/shop/results/{uuid.uuid4()}").status_code == 404


def _search_with_one_offer(client: TestClient, database: Database, clock: FrozenClock) -> str:
    """A search for "muscade" among spices, as if a seller had answered with one offer."""
    search_id, result_id = uuid.uuid4(), uuid.uuid4()
    with database.transaction() as session:
        session.add(
            Search(
                id=search_id,
                app_id="shop",
                words="muscade",
                category="spices",
                place="",
                created_at=clock.now(),
                deadline=clock.now(),
            )
        )
        session.flush()
        session.add(
            Result(
                id=result_id,
                search_id=search_id,
                bpp_id="seller.example",
                bpp_uri="http://seller.example/beckn",
                provider_id="soufriere-spice",
                provider_name="Soufriere Spice Co",
                verified=False,
                city="Soufrière",
                resource_id="nutmeg",
                name="Muscade",
                description="Entière",
                category="spices",
                price=800,
                currency="XCD",
                available=5,
                received_at=clock.now(),
            )
        )
    return str(result_id)


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form"
    return match.group(1)


def test_a_refused_quantity_is_named_in_french_beside_its_offer_and_the_search_is_kept(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    result_id = _search_with_one_offer(client, database, clock)
    front = client.get("/shop/market", headers={"Accept-Language": "fr"})

    refused = client.post(
        "/shop/cart",
        data={"result": result_id, "quantity": "1,5", "csrf_token": _csrf(front.text)},
        headers={"Accept-Language": "fr"},
    )

    assert refused.status_code == 400
    box = re.search(rf'<input id="quantity-{result_id}"[^>]*>', refused.text)
    assert box and 'value="1,5"' in box.group(0) and 'aria-invalid="true"' in box.group(0)
    assert f'aria-describedby="quantity-{result_id}-error"' in box.group(0)
    beside = rf'<p class="errors" id="quantity-{result_id}-error">([^<]*)</p>'
    said = re.search(beside, refused.text)
    assert said and said.group(1) == "Choisissez une quantité de 1 à 99."
    assert 'id="words" name="words" type="search" maxlength="200" value="muscade"' in refused.text
    assert '<option value="spices" selected>' in refused.text
    # The problem at the top leads to the offer's box, down the list of results.
    assert f'<a href="#quantity-{result_id}">' in refused.text


@pytest.mark.parametrize("typed", ["\u00b2", "9" * 5000])
def test_a_quantity_that_python_calls_digits_but_no_count_is_refused_not_a_server_error(
    client: TestClient, database: Database, clock: FrozenClock, typed: str
) -> None:
    result_id = _search_with_one_offer(client, database, clock)
    front = client.get("/shop/market")
    refused = client.post(
        "/shop/cart",
        data={"result": result_id, "quantity": typed, "csrf_token": _csrf(front.text)},
    )
    assert refused.status_code == 400
    assert "Choose a quantity from 1 to 99." in refused.text
    cart = client.post(
        "/shop/cart", data={"result": result_id, "quantity": "2", "csrf_token": _csrf(front.text)}
    )
    changed = client.post(
        str(cart.url) + "/quantity",
        data={"item": "nutmeg", "quantity": typed, "csrf_token": _csrf(cart.text)},
    )
    assert changed.status_code == 400
    assert 'value="2"' in client.get(str(cart.url)).text


def test_a_cart_brought_down_to_nothing_says_it_is_empty_and_offers_no_quote(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    result_id = _search_with_one_offer(client, database, clock)
    front = client.get("/shop/market")
    cart = client.post(
        "/shop/cart", data={"result": result_id, "quantity": "2", "csrf_token": _csrf(front.text)}
    )
    assert cart.status_code == 200 and "Muscade" in cart.text

    emptied = client.post(
        str(cart.url) + "/quantity",
        data={"item": "nutmeg", "quantity": "0", "csrf_token": _csrf(cart.text)},
    )

    assert emptied.status_code == 200
    assert "Your cart with this seller is empty." in emptied.text
    assert "/select" not in emptied.text and "Muscade" not in emptied.text
    assert 'href="/shop/market"' in emptied.text


def test_a_refused_change_of_quantity_is_named_beside_the_line_and_keeps_what_was_typed(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    result_id = _search_with_one_offer(client, database, clock)
    front = client.get("/shop/market", headers={"Accept-Language": "fr"})
    cart = client.post(
        "/shop/cart", data={"result": result_id, "quantity": "2", "csrf_token": _csrf(front.text)}
    )

    refused = client.post(
        str(cart.url) + "/quantity",
        data={"item": "nutmeg", "quantity": "-3", "csrf_token": _csrf(cart.text)},
        headers={"Accept-Language": "fr"},
    )

    assert refused.status_code == 400
    box = re.search(r'<input class="quantity" id="q-1"[^>]*>', refused.text)
    assert box and 'value="-3"' in box.group(0) and 'aria-invalid="true"' in box.group(0)
    assert 'aria-describedby="q-1-error"' in box.group(0)
    said = re.search(r'<p class="errors" id="q-1-error">([^<]*)</p>', refused.text)
    assert said and said.group(1) == "Choisissez une quantité de 1 à 99."
    again = client.get(str(cart.url))
    assert 'value="2"' in again.text  # the refused quantity changed nothing


@pytest.mark.parametrize(("action", "state"), [("confirm", "confirmed"), ("cancel", "cancelled")])
def test_a_second_press_of_a_button_whose_request_went_through_shows_the_order_not_an_error(
    client: TestClient, database: Database, clock: FrozenClock, action: str, state: str
) -> None:
    order_id = uuid.uuid4()
    with database.transaction() as session:
        session.add(
            BuyerOrder(
                id=order_id,
                app_id="shop",
                shopper=orders.shopper_digest("shopper-token"),
                bpp_id="seller.example",
                bpp_uri="http://seller.example/beckn",
                provider_id="soufriere-spice",
                provider_name="Soufriere Spice Co",
                state=state,
                lines=[
                    {
                        "resource_id": "nutmeg",
                        "name": "Muscade",
                        "quantity": 1,
                        "unit_price": 800,
                        "currency": "XCD",
                    }
                ],
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    client.cookies.set("comptoir_shopper", "shopper-token")
    page = client.get(f"/shop/orders/{order_id}")

    again = client.post(
        f"/shop/orders/{order_id}/{action}",
        data={"csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )

    assert again.status_code == 303
    assert again.headers["location"] == f"/shop/orders/{order_id}"


@pytest.mark.parametrize("words", ["\x00", "nut\x00meg", "\u202e\u200b"])
def test_a_search_with_invisible_or_nul_characters_is_answered_not_failed(
    client: TestClient, words: str
) -> None:
    page = client.get("/shop/search", params={"words": words})

    assert page.status_code in (400, 502)
    assert "Write what you are looking for" in page.text or "could not be reached" in page.text


def test_more_than_the_seller_has_in_stock_is_refused_beside_the_offer_before_any_quote(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    result_id = _search_with_one_offer(client, database, clock)  # 5 in stock
    front = client.get("/shop/market")
    token = _csrf(front.text)
    french = {"Accept-Language": "fr"}

    too_many = client.post(
        "/shop/cart",
        data={"result": result_id, "quantity": "6", "csrf_token": token},
        headers=french,
    )
    three = client.post(
        "/shop/cart", data={"result": result_id, "quantity": "3", "csrf_token": token}
    )
    three_more = client.post(
        "/shop/cart",
        data={"result": result_id, "quantity": "3", "csrf_token": token},
        headers=french,
    )

    assert too_many.status_code == 400 and three_more.status_code == 400
    assert three.status_code == 200
    beside = rf'<p class="errors" id="quantity-{result_id}-error">([^<]*)</p>'
    for refused in (too_many, three_more):
        said = re.search(beside, refused.text)
        assert said and html.unescape(said.group(1)) == "Muscade : plus que 5 en stock."
    cart = client.get(str(three.url))
    assert 'value="3"' in cart.text
