"""The checkout form keeps what the shopper typed across a language switch and a refusal, on
the server: no URL the shop sends (a Location header, a link, a form's address or the language
switch's way back) ever holds their phone number or address."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from comptoir.apps.buyer.models import BuyerOrder
from comptoir.apps.buyer.service import drafts, orders
from comptoir.apps.buyer.service.context import Buyer
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from tests.support.addresses import without_ids
from tests.support.servers import free_port

SHOPPER = "shopper-token"
PHONE = "+1 758 555 0199"
ADDRESS = "12 Bridge Street, Castries"
QUOTE = {
    "lines": [{"name": "Muscade", "quantity": 1, "amount": 800}],
    "fees": [{"code": "DELIVERY", "amount": 700}],
    "total": 1500,
    "currency": "XCD",
    "terms": {"payment_methods": ["COD", "WALLET"], "return_days": 14},
}


def _quoted_for_delivery(database: Database, clock: FrozenClock, shopper: str = SHOPPER) -> str:
    """An order whose seller has quoted a delivery: the page shows the checkout form."""
    order_id = uuid.uuid4()
    with database.transaction() as session:
        session.add(
            BuyerOrder(
                id=order_id,
                app_id="shop",
                shopper=orders.shopper_digest(shopper),
                bpp_id="seller.example",
                # Nothing listens there: a request sent to the seller fails at once.
                bpp_uri=f"http://127.0.0.1:{free_port()}/beckn",
                provider_id="soufriere-spice",
                provider_name="Soufriere Spice Co",
                state="quoted",
                lines=[
                    {
                        "resource_id": "nutmeg",
                        "name": "Muscade",
                        "quantity": 1,
                        "unit_price": 800,
                        "currency": "XCD",
                    }
                ],
                quote=QUOTE,
                fulfilment="DELIVERY",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    return str(order_id)


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form"
    return match.group(1)


def _value(page: str, field: str) -> str:
    match = re.search(rf'<input id="{field}" name="{field}"[^>]* value="([^"]*)"', page)
    assert match, f"no {field} field"
    return html.unescape(match.group(1))


def _addresses(answer: httpx.Response) -> list[str]:
    """Every URL the answer hands the browser: its Location, and each link, form address and
    language switch's way back in its page."""
    found = [answer.headers.get("location", "")]
    found += re.findall(r'(?:href|action)="([^"]*)"', answer.text)
    found += re.findall(r'name="next" value="([^"]*)"', answer.text)
    return [without_ids(html.unescape(url)) for url in found]


def _assert_nothing_personal_in(answer: httpx.Response) -> None:
    for url in _addresses(answer):
        for secret in ("555", "0199", "Bridge", "Castries"):
            assert secret not in url, f"{secret!r} in {url!r}"


def test_switching_to_french_inside_the_checkout_keeps_what_was_typed_out_of_every_url(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _quoted_for_delivery(database, clock)
    client.cookies.set("comptoir_shopper", SHOPPER)
    page = client.get(f"/shop/orders/{order_id}")
    assert '<button type="submit" name="lang" value="fr" lang="fr"' in page.text

    switched = client.post(
        f"/shop/orders/{order_id}/init",
        data={
            "name": "Marie Joseph",
            "phone": PHONE,
            "address": ADDRESS,
            "payment": "WALLET",
            "lang": "fr",
            "csrf_token": _csrf(page.text),
        },
        follow_redirects=False,
    )

    assert switched.status_code == 303
    assert switched.headers["location"] == f"/shop/orders/{order_id}"
    assert switched.cookies.get("comptoir_lang") == "fr"
    _assert_nothing_personal_in(switched)
    again = client.get(switched.headers["location"])
    assert again.headers["content-language"] == "fr" and "Votre nom" in again.text
    assert _value(again.text, "name") == "Marie Joseph"
    assert _value(again.text, "phone") == PHONE and _value(again.text, "address") == ADDRESS
    assert 'id="p-wallet" name="payment" type="radio" value="WALLET" checked' in again.text
    assert 'aria-invalid="true"' not in again.text, "nothing was sent yet: no problem to name"
    _assert_nothing_personal_in(again)
    with database.reading() as session:
        order = session.get(BuyerOrder, uuid.UUID(order_id))
        assert order is not None and order.state == "quoted" and order.buyer is None


def test_a_refused_checkout_switched_to_french_by_the_header_names_its_problems_in_french(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _quoted_for_delivery(database, clock)
    client.cookies.set("comptoir_shopper", SHOPPER)
    page = client.get(f"/shop/orders/{order_id}")
    refused = client.post(
        f"/shop/orders/{order_id}/init",
        data={
            "name": "",
            "phone": "758 555 019",  # a digit short
            "address": ADDRESS,
            "payment": "COD",
            "csrf_token": _csrf(page.text),
        },
        # The page that held the form, where the header's language switch brings one back.
        headers={"referer": f"http://testserver/shop/orders/{order_id}"},
    )
    assert refused.status_code == 400
    assert "Write the phone number with its country code" in refused.text
    _assert_nothing_personal_in(refused)
    back_to = re.search(r'name="next" value="([^"]+)"', refused.text)
    assert back_to is not None

    switched = client.post(
        "/language",
        data={
            "lang": "fr",
            "next": html.unescape(back_to.group(1)),
            "csrf_token": _csrf(refused.text),
        },
        follow_redirects=False,
    )
    again = client.get(switched.headers["location"])

    assert switched.headers["location"] == f"/shop/orders/{order_id}"
    assert "Écrivez le numéro de téléphone avec son indicatif de pays" in again.text
    assert re.search(r'<p class="errors" id="phone-error">Écrivez', again.text)
    assert re.search(r'<p class="errors" id="name-error">Donnez votre nom', again.text)
    assert _value(again.text, "phone") == "758 555 019"
    assert _value(again.text, "address") == ADDRESS
    _assert_nothing_personal_in(again)


def test_the_checkout_form_switched_back_after_a_refusal_still_names_what_is_left_to_correct(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _quoted_for_delivery(database, clock)
    client.cookies.set("comptoir_shopper", SHOPPER)
    client.cookies.set("comptoir_lang", "fr")
    page = client.get(f"/shop/orders/{order_id}")
    refused = client.post(
        f"/shop/orders/{order_id}/init",
        data={"name": "", "phone": "", "address": "", "csrf_token": _csrf(page.text)},
    )
    assert refused.status_code == 400 and 'name="refused" value="1"' in refused.text

    # The name corrected, then the form read in English before sending it again.
    switched = client.post(
        f"/shop/orders/{order_id}/init",
        data={
            "name": "Marie Joseph",
            "phone": "",
            "address": ADDRESS,
            "payment": "COD",
            "refused": "1",
            "lang": "en",
            "csrf_token": _csrf(refused.text),
        },
    )

    assert switched.status_code == 200 and switched.headers["content-language"] == "en"
    assert _value(switched.text, "name") == "Marie Joseph"
    assert 'id="name-error"' not in switched.text and 'id="address-error"' not in switched.text
    assert re.search(r'<p class="errors" id="phone-error">Give your name and phone', switched.text)


def test_details_sent_to_the_seller_leave_no_draft_behind(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _quoted_for_delivery(database, clock)
    client.cookies.set("comptoir_shopper", SHOPPER)
    page = client.get(f"/shop/orders/{order_id}")
    token = _csrf(page.text)
    typed = {"name": "Marie Joseph", "phone": PHONE, "address": ADDRESS, "payment": "COD"}
    client.post(f"/shop/orders/{order_id}/init", data={**typed, "lang": "fr", "csrf_token": token})
    with database.reading() as session:
        order = session.get(BuyerOrder, uuid.UUID(order_id))
        assert order is not None and order.checkout_draft is not None

    sent = client.post(
        f"/shop/orders/{order_id}/init", data={**typed, "csrf_token": token}, follow_redirects=False
    )

    assert sent.status_code == 303 and sent.headers["location"] == f"/shop/orders/{order_id}"
    with database.reading() as session:
        order = session.get(BuyerOrder, uuid.UUID(order_id))
        assert order is not None and order.checkout_draft is None
        assert order.buyer == {"name": "Marie Joseph", "phone": "+17585550199", "address": ADDRESS}


def test_a_draft_cannot_be_written_on_another_shoppers_order(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _quoted_for_delivery(database, clock, shopper="someone-else")
    client.cookies.set("comptoir_shopper", SHOPPER)
    page = client.get("/shop/market")

    client.post(
        f"/shop/orders/{order_id}/init",
        data={"name": "Mallory", "phone": PHONE, "lang": "fr", "csrf_token": _csrf(page.text)},
    )

    with database.reading() as session:
        order = session.get(BuyerOrder, uuid.UUID(order_id))
        assert order is not None and order.checkout_draft is None


def test_a_draft_left_on_a_cart_is_forgotten_a_day_after_it_was_last_typed(
    client: TestClient, database: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    """(`client`: the node with its shop, which the orders belong to.)"""
    buyer = Buyer(database=database, keys_dir=tmp_path, base_url="http://testserver", clock=clock)
    typed = {"name": "Marie Joseph", "phone": PHONE, "address": ADDRESS, "payment": "COD"}
    left, recent = (uuid.UUID(_quoted_for_delivery(database, clock)) for _ in range(2))
    shopper = orders.shopper_digest(SHOPPER)
    drafts.keep_checkout_draft(buyer, shopper=shopper, order_id=left, typed=typed, refused=False)
    clock.advance(timedelta(hours=20))
    drafts.keep_checkout_draft(buyer, shopper=shopper, order_id=recent, typed=typed, refused=False)
    clock.advance(timedelta(hours=5))

    forgotten = drafts.forget_stale_drafts(buyer)

    assert forgotten == 1
    with database.reading() as session:
        left_order, recent_order = session.get(BuyerOrder, left), session.get(BuyerOrder, recent)
    assert left_order is not None and recent_order is not None
    assert drafts.checkout_draft(left_order) is None
    kept = drafts.checkout_draft(recent_order)
    assert kept is not None and kept.typed["phone"] == PHONE


def test_the_headers_language_buttons_send_the_checkout_form_to_be_kept_only_on_its_page(
    client: TestClient, database: Database, clock: FrozenClock
) -> None:
    order_id = _quoted_for_delivery(database, clock)
    client.cookies.set("comptoir_shopper", SHOPPER)

    page = client.get(f"/shop/orders/{order_id}").text
    market = client.get("/shop/market").text

    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    tied = f'form="checkout" formaction="/shop/orders/{order_id}/init"'
    assert header.count(tied) == 2, "each language button sends the checkout form"
    assert '<form id="checkout" method="post"' in page
    # Enter in a field presses the form's own submit, placed before the header's buttons.
    assert page.index('<button type="submit" form="checkout"') < page.index("<header")
    assert 'formaction="' not in market and 'form="checkout"' not in market
