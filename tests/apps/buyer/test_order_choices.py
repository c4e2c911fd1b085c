"""The choices on a placed order's page, at the HTTP level: a rating sent without stars is
refused beside the stars, a return is asked for only after a confirmation step (a GET never
changes anything), and the way to pay in cash is worded for pickup or for delivery."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from comptoir.apps.buyer.models import BuyerOrder
from comptoir.apps.buyer.service import orders
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from tests.support.servers import free_port

SHOPPER = "shopper-token"
FRENCH = {"Accept-Language": "fr"}


def _order(
    database: Database,
    clock: FrozenClock,
    *,
    state: str = "confirmed",
    seller_state: str | None = "delivered",
    fulfilment: str = "DELIVERY",
    payment: dict[str, Any] | None = None,
) -> str:
    """An order of this shopper's with Soufriere Spice Co, as the seller's answers left it."""
    order_id = uuid.uuid4()
    with database.transaction() as session:
        session.add(
            BuyerOrder(
                id=order_id,
                app_id="shop",
                shopper=orders.shopper_digest(SHOPPER),
                bpp_id="seller.example",
                # Nothing listens there: a request sent to the seller fails at once.
                bpp_uri=f"http://127.0.0.1:{free_port()}/beckn",
                provider_id="soufriere-spice",
                provider_name="Soufriere Spice Co",
                state=state,
                lines=[
                    {
                        "resource_id": "nutmeg",
                        "name": "Muscade",
                        "quantity": 2,
                        "unit_price": 800,
                        "currency": "XCD",
                    }
                ],
                quote={
                    "lines": [{"name": "Muscade", "quantity": 2, "amount": 1600}],
                    "fees": [],
                    "total": 1600,
                    "currency": "XCD",
                    "terms": {"payment_methods": ["COD", "WALLET"], "return_days": 14},
                },
                contract_id="contract-1",
                fulfilment=fulfilment,
                payment_method="COD",
                payment=payment,
                seller_state=seller_state,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    return str(order_id)


def _stored(database: Database, order_id: str) -> BuyerOrder:
    with database.reading() as session:
        found = session.get(BuyerOrder, uuid.UUID(order_id))
        assert found is not None
        return found


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form"
    return match.group(1)


@pytest.fixture
def shopper(client: TestClient) -> TestClient:
    client.cookies.set("comptoir_shopper", SHOPPER)
    return client


# 1. A rating without stars


def test_the_rating_form_chooses_no_stars_for_the_shopper(
    shopper: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _order(database, clock)

    page = shopper.get(f"/shop/orders/{order_id}").text

    stars = re.findall(r'<input id="r-\d"[^>]*>', page)
    assert len(stars) == 5
    assert not any("checked" in star for star in stars)


@pytest.mark.parametrize("rating", [None, "", "0", "6", "five"])
def test_a_rating_sent_without_stars_is_refused_in_french_beside_the_stars_and_nothing_is_sent(
    shopper: TestClient, database: Database, clock: FrozenClock, rating: str | None
) -> None:
    order_id = _order(database, clock)
    page = shopper.get(f"/shop/orders/{order_id}", headers=FRENCH)
    form = {"csrf_token": _csrf(page.text), "feedback": "Très bonne muscade"}
    if rating is not None:
        form["rating"] = rating

    refused = shopper.post(
        f"/shop/orders/{order_id}/rate", data=form, headers=FRENCH, follow_redirects=False
    )

    assert refused.status_code == 400
    said = re.search(r'<p class="errors" id="rating-error">([^<]*)</p>', refused.text)
    assert said and html.unescape(said.group(1)) == "Choisissez une note de 1 à 5 étoiles."
    # The stars' group is described by the sentence, and each star is marked as refused.
    assert '<fieldset aria-describedby="rating-error">' in refused.text
    stars = re.findall(r'<input id="r-\d"[^>]*>', refused.text)
    assert len(stars) == 5
    assert all('aria-invalid="true"' in star for star in stars)
    assert not any("checked" in star for star in stars)
    # The problem at the top leads to the stars; the words typed for the seller are kept.
    assert '<a href="#r-5">' in refused.text
    box = re.search(r'<input id="feedback"[^>]*>', refused.text)
    assert box and 'value="Très bonne muscade"' in html.unescape(box.group(0))
    stored = _stored(database, order_id)
    assert stored.rating is None
    assert stored.pending_action is None and stored.last_message_id is None


def test_a_rating_with_stars_is_sent_to_the_seller_and_the_page_marks_no_problem(
    shopper: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _order(database, clock)
    page = shopper.get(f"/shop/orders/{order_id}")

    sent = shopper.post(
        f"/shop/orders/{order_id}/rate",
        data={"csrf_token": _csrf(page.text), "rating": "4"},
        follow_redirects=False,
    )

    assert sent.status_code == 303
    assert _stored(database, order_id).last_message_id is not None
    again = shopper.get(f"/shop/orders/{order_id}").text
    assert 'id="rating-error"' not in again and 'aria-invalid="true"' not in again


# 2. A return, confirmed first


def test_return_the_goods_leads_to_a_confirmation_page_and_asking_for_it_changes_nothing(
    shopper: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _order(database, clock)
    root = f"/shop/orders/{order_id}"

    page = shopper.get(root).text
    # No one-tap form that asks for a return on the order's page: a link to the step.
    assert f'action="{root}/update"' not in page
    assert f'<a class="button" href="{root}/return">Return the goods</a>' in page

    confirm = shopper.get(f"{root}/return")

    assert confirm.status_code == 200
    assert confirm.headers["cache-control"] == "no-store"
    assert "<h1>Return the goods</h1>" in confirm.text
    assert "Soufriere Spice Co" in confirm.text and "Muscade" in confirm.text
    assert "within 14 days of delivery" in confirm.text
    assert f'<form method="post" action="{root}/update">' in confirm.text
    assert "Yes, ask to return the goods" in confirm.text
    assert f'<a href="{root}">No, keep the goods</a>' in confirm.text
    stored = _stored(database, order_id)
    assert stored.seller_state == "delivered"
    assert stored.pending_action is None and stored.last_message_id is None


def test_the_confirmed_return_is_asked_of_the_seller(
    shopper: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _order(database, clock)
    confirm = shopper.get(f"/shop/orders/{order_id}/return")

    asked = shopper.post(
        f"/shop/orders/{order_id}/update",
        data={"csrf_token": _csrf(confirm.text)},
        follow_redirects=False,
    )

    assert asked.status_code == 303
    assert asked.headers["location"] == f"/shop/orders/{order_id}"
    assert _stored(database, order_id).last_message_id is not None


@pytest.mark.parametrize(
    ("state", "seller_state"),
    [
        ("confirmed", "confirmed"),
        ("confirmed", "shipped"),
        ("confirmed", "return_requested"),
        ("confirmed", "returned"),
        ("cancelled", "cancelled"),
    ],
)
def test_the_return_step_of_an_order_that_cannot_be_returned_now_leads_back_to_the_order(
    shopper: TestClient, database: Database, clock: FrozenClock, state: str, seller_state: str
) -> None:
    order_id = _order(database, clock, state=state, seller_state=seller_state)

    page = shopper.get(f"/shop/orders/{order_id}").text
    step = shopper.get(f"/shop/orders/{order_id}/return", follow_redirects=False)

    assert "/return" not in page
    assert step.status_code == 303
    assert step.headers["location"] == f"/shop/orders/{order_id}"


def test_the_return_step_of_an_unknown_or_another_shoppers_order_is_not_found(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _order(database, clock)

    assert client.get(f"/shop/orders/{order_id}/return").status_code == 404
    client.cookies.set("comptoir_shopper", "someone-else")
    assert client.get(f"/shop/orders/{order_id}/return").status_code == 404
    assert client.get(f"/shop/orders/{uuid.uuid4()}/return").status_code == 404
    assert client.get("/shop/orders/not-an-id/return").status_code == 404


def test_the_return_step_in_french(  # needs the French catalogue updated
    shopper: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _order(database, clock)

    page = shopper.get(f"/shop/orders/{order_id}/return", headers=FRENCH).text

    assert "<h1>Retourner les articles</h1>" in page
    assert "Oui, demander le retour des articles" in page
    assert "Non, garder les articles" in page


# 3. Cash at pickup or on delivery


def _cash_label(page: str) -> str:
    match = re.search(r'<label for="p-cod">([^<]*)</label>', page)
    assert match, "no cash choice"
    return html.unescape(match.group(1))


def test_a_pickup_order_offers_cash_when_you_collect_and_a_delivery_cash_on_delivery(
    shopper: TestClient, database: Database, clock: FrozenClock
) -> None:
    pickup = _order(database, clock, state="quoted", seller_state=None, fulfilment="PICKUP")
    delivery = _order(database, clock, state="quoted", seller_state=None, fulfilment="DELIVERY")

    assert _cash_label(shopper.get(f"/shop/orders/{pickup}").text) == "Cash when you collect"
    assert _cash_label(shopper.get(f"/shop/orders/{delivery}").text) == "Cash on delivery"


def test_a_pickup_order_offers_cash_at_pickup_in_french(  # needs the French catalogue updated
    shopper: TestClient, database: Database, clock: FrozenClock
) -> None:
    pickup = _order(database, clock, state="quoted", seller_state=None, fulfilment="PICKUP")
    delivery = _order(database, clock, state="quoted", seller_state=None, fulfilment="DELIVERY")

    assert _cash_label(shopper.get(f"/shop/orders/{pickup}", headers=FRENCH).text) == (
        "Espèces au retrait"
    )
    assert _cash_label(shopper.get(f"/shop/orders/{delivery}", headers=FRENCH).text) == (
        "Espèces à la livraison"
    )


@pytest.mark.parametrize(
    ("fulfilment", "offered"),
    [
        ("PICKUP", "Pay in cash when you collect instead"),
        ("DELIVERY", "Pay in cash on delivery instead"),
    ],
)
def test_a_declined_request_to_pay_offers_cash_in_the_words_of_the_fulfilment(
    shopper: TestClient, database: Database, clock: FrozenClock, fulfilment: str, offered: str
) -> None:
    declined = {"method": "WALLET", "collection": "REQUEST_TO_PAY", "paymentState": "DECLINED"}
    order_id = _order(
        database, clock, seller_state="confirmed", fulfilment=fulfilment, payment=declined
    )

    page = shopper.get(f"/shop/orders/{order_id}").text

    assert offered in page
    other = "on delivery" if fulfilment == "PICKUP" else "when you collect"
    assert other not in page
    assert f'<form method="post" action="/shop/orders/{order_id}/update">' in page
