"""The buyer app's pages where no seller is needed: the shop's front page, a search that
cannot reach the network, an empty search, and the list of carts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.apps.buyer.service.context import Buyer
from comptoir.apps.buyer.service.context import create_app as create_buyer_app
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.settings import load_settings
from tests.support.servers import free_port

BASE_URL = "http://testserver"


@pytest.fixture
def client(database: Database, clock: FrozenClock, tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(
        data_dir=tmp_path,
        base_url=BASE_URL,
        secret_key="test-" + uuid.uuid4().hex,
        blocks="home,apps.buyer",
    )
    app = create_app(settings, database=database, clock=clock)
    nowhere = f"http://127.0.0.1:{free_port()}"
    create_buyer_app(
        Buyer(database=database, keys_dir=settings.keys_dir, base_url=BASE_URL, clock=clock),
        app_id="shop",
        name="Island Shop",
        subscriber_id="shop.example",
        registry_url=f"{nowhere}/registry",
        gateway_url=f"{nowhere}/gateway",
    )
    with TestClient(app, base_url=BASE_URL) as found:
        yield found


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
