"""The shop owner's pages, as a person uses them without JavaScript: sign in with a one-time
code, add and change items, upload a photo, set terms, move an order on."""

from __future__ import annotations

import html
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from comptoir.app import create_app
from comptoir.apps.seller import beckn_io
from comptoir.apps.seller.models import Business, Item
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.outbox import OutboxEventRecord
from comptoir.kernel.settings import load_settings
from tests.apps.seller.world import PLATFORM, World, make_world
from tests.support.texts import Texts

BASE_URL = "http://testserver"
OWNER = "+17585550302"


@pytest.fixture
def site(
    database: Database, clock: FrozenClock, tmp_path: Path
) -> Iterator[tuple[TestClient, World]]:
    settings = load_settings(
        data_dir=tmp_path,
        base_url=BASE_URL,
        secret_key="test-" + uuid.uuid4().hex,
        blocks="home,apps.seller",
    )
    app = create_app(settings, database=database, clock=clock)
    world = make_world(database, clock, settings.keys_dir)
    with TestClient(app, base_url=BASE_URL) as client:
        yield client, world


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form"
    return match.group(1)


def sign_in(client: TestClient, texts: Texts) -> None:
    form = client.get(f"/sellers/{PLATFORM}/signin")
    texts.forget()
    sent = client.post(
        f"/sellers/{PLATFORM}/signin", data={"phone": OWNER, "csrf_token": csrf(form.text)}
    )
    [code] = texts.codes(OWNER)
    shop = client.post(
        f"/sellers/{PLATFORM}/signin/code",
        data={"phone": OWNER, "code": code, "csrf_token": csrf(sent.text)},
    )
    assert shop.status_code == 200
    assert "Soufriere Spice Co" in shop.text


def test_the_platforms_are_listed_for_sellers_and_linked_from_home(
    site: tuple[TestClient, World],
) -> None:
    client, _ = site

    assert 'href="/sellers"' in client.get("/sell").text
    assert "Island Market" in client.get("/sellers").text
    assert "Soufriere Spice Co" in client.get(f"/sellers/{PLATFORM}").text


def test_a_wrong_code_is_refused_and_the_shop_stays_closed(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, _ = site
    form = client.get(f"/sellers/{PLATFORM}/signin")
    sent = client.post(
        f"/sellers/{PLATFORM}/signin", data={"phone": OWNER, "csrf_token": csrf(form.text)}
    )

    refused = client.post(
        f"/sellers/{PLATFORM}/signin/code",
        data={"phone": OWNER, "code": "000000", "csrf_token": csrf(sent.text)},
    )

    assert refused.status_code == 400
    assert "This code is wrong or has expired." in refused.text
    assert client.get(f"/sellers/{PLATFORM}/shop", follow_redirects=False).status_code == 303


def test_a_number_a_digit_short_is_refused_before_any_code_is_sent(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, _ = site
    form = client.get(f"/sellers/{PLATFORM}/signin")
    texts.forget()

    refused = client.post(
        f"/sellers/{PLATFORM}/signin", data={"phone": "758 555 030", "csrf_token": csrf(form.text)}
    )

    assert refused.status_code == 400
    assert "Write the phone number with its country code." in refused.text
    assert texts.codes() == []


def test_an_owner_may_type_the_shops_number_as_it_is_dialled_in_saint_lucia(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, _ = site
    form = client.get(f"/sellers/{PLATFORM}/signin")
    texts.forget()

    sent = client.post(
        f"/sellers/{PLATFORM}/signin",
        data={"phone": "(758) 555-0302", "csrf_token": csrf(form.text)},
    )

    assert sent.status_code == 200, sent.text
    assert texts.codes(OWNER)


def test_switching_language_at_the_code_step_stays_there_and_sends_no_new_code(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, _ = site
    form = client.get(f"/sellers/{PLATFORM}/signin")
    texts.forget()
    sent = client.post(
        f"/sellers/{PLATFORM}/signin", data={"phone": OWNER, "csrf_token": csrf(form.text)}
    )
    [code] = texts.codes(OWNER)
    back = re.search(r'name="next" value="([^"]+)"', sent.text)
    assert back

    switched = client.post(
        "/language", data={"lang": "fr", "next": back.group(1), "csrf_token": csrf(sent.text)}
    )

    assert '<html lang="fr">' in switched.text and 'name="code"' in switched.text
    assert texts.codes() == []
    # The phone waits in a cookie of the sign-in pages, never in an address the server gives.
    addresses = [back.group(1)] + [answer.headers["location"] for answer in switched.history]
    assert all("555" not in address for address in addresses), addresses
    assert 'name="code"' not in client.get(f"/sellers/{PLATFORM}/signin").text
    shop = client.post(
        f"/sellers/{PLATFORM}/signin/code",
        data={"phone": OWNER, "code": code, "csrf_token": csrf(switched.text)},
    )
    assert "Soufriere Spice Co" in shop.text and 'name="code"' not in shop.text


def test_an_owner_adds_an_item_and_a_bad_price_changes_nothing(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(f"/sellers/{PLATFORM}/shop/items/new")
    fields = {
        "name": "Bay leaf",
        "description": "Dried",
        "category": "spices",
        "stock": "12",
        "variants": "",
        "returnable": "yes",
        "csrf_token": csrf(form.text),
    }

    refused = client.post(f"/sellers/{PLATFORM}/shop/items/new", data={**fields, "price": "twelve"})
    added = client.post(f"/sellers/{PLATFORM}/shop/items/new", data={**fields, "price": "4.00"})

    assert refused.status_code == 400
    assert "Write the price like 12.50." in refused.text
    assert added.status_code == 200
    with world.seller.database.reading() as session:
        names = list(
            session.scalars(select(Item.name).where(Item.business_id == world.business_id))
        )
    assert sorted(names) == ["Basket", "Bay leaf", "Nutmeg"]


def test_a_price_and_a_delivery_fee_may_be_written_with_a_decimal_comma(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(f"/sellers/{PLATFORM}/shop/items/new")
    item = {"name": "Piment", "description": "", "category": "spices", "stock": "3"}
    added = client.post(
        f"/sellers/{PLATFORM}/shop/items/new",
        data={**item, "price": "12,50", "variants": "", "csrf_token": csrf(form.text)},
    )
    terms = client.get(f"/sellers/{PLATFORM}/shop/terms")
    saved = client.post(
        f"/sellers/{PLATFORM}/shop/terms",
        data={
            "pickup": "yes",
            "delivery": "yes",
            "delivery_fee": "6,50",
            "cash_on_delivery": "yes",
            "payment_alias": "",
            "return_days": "14",
            "csrf_token": csrf(terms.text),
        },
    )

    assert added.status_code == 200 and saved.status_code == 200
    with world.seller.database.reading() as session:
        price = session.scalar(select(Item.price).where(Item.name == "Piment"))
        business = session.get(Business, world.business_id)
    assert price == 1250
    assert business is not None and business.delivery_fee == 650


def test_a_photo_is_shrunk_to_a_small_thumbnail(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    page = client.get(f"/sellers/{PLATFORM}/shop/items/{world.nutmeg}")
    photo = io.BytesIO()
    Image.new("RGB", (1200, 800), (200, 120, 40)).save(photo, format="PNG")

    client.post(
        f"/sellers/{PLATFORM}/shop/items/{world.nutmeg}/photo",
        data={"csrf_token": csrf(page.text)},
        files={"photo": ("nutmeg.png", photo.getvalue(), "image/png")},
    )
    refused = client.post(
        f"/sellers/{PLATFORM}/shop/items/{world.nutmeg}/photo",
        data={"csrf_token": csrf(page.text)},
        files={"photo": ("notes.txt", b"not a photo", "text/plain")},
    )
    thumbnail = client.get(f"/sellers/{PLATFORM}/items/{world.nutmeg}/thumbnail")

    assert refused.status_code == 400
    assert thumbnail.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        assert max(image.size) <= 96
    assert len(thumbnail.content) < 5000


def test_an_owner_sets_delivery_payment_and_return_terms(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(f"/sellers/{PLATFORM}/shop/terms")
    terms = {
        "pickup": "yes",
        "delivery": "yes",
        "delivery_fee": "6.50",
        "cash_on_delivery": "yes",
        "payment_alias": "spices@helen-cu",
        "return_days": "14",
        "csrf_token": csrf(form.text),
    }

    refused = client.post(
        f"/sellers/{PLATFORM}/shop/terms", data={**terms, "pickup": "", "delivery": ""}
    )
    saved = client.post(f"/sellers/{PLATFORM}/shop/terms", data=terms)

    assert refused.status_code == 400 and "Offer pickup, delivery or both." in refused.text
    assert saved.status_code == 200
    with world.seller.database.reading() as session:
        business = session.get(Business, world.business_id)
        assert business is not None and business.delivery_fee == 650


def test_moving_an_order_on_tells_the_buyer_app_by_an_unsolicited_on_status(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    order = world.confirm(world.init((world.nutmeg, 1)))
    sign_in(client, texts)
    page = client.get(f"/sellers/{PLATFORM}/shop/orders/{order.id}")
    assert "XCD 16.00" in page.text.replace("\xa0", " ")  # 8.00 + 7.00 delivery + 1.00 service

    moved = client.post(
        f"/sellers/{PLATFORM}/shop/orders/{order.id}",
        data={"state": "packed", "csrf_token": csrf(page.text)},
    )
    wrong = client.post(
        f"/sellers/{PLATFORM}/shop/orders/{order.id}",
        data={"state": "returned", "csrf_token": csrf(page.text)},
    )

    assert "Packed" in moved.text
    assert wrong.status_code == 400
    with world.seller.database.reading() as session:
        event = session.scalars(
            select(OutboxEventRecord).where(OutboxEventRecord.topic == beckn_io.TOPIC)
        ).one()
    assert event.payload["url"].endswith("/on_status")
    assert '"code":"PACKED"' in event.payload["body"]


def test_the_order_page_shows_no_error_text_taken_from_its_address(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    order = world.confirm(world.init((world.nutmeg, 1)))

    page = client.get(
        f"/sellers/{PLATFORM}/shop/orders/{order.id}", params={"error": "Call +1 555 0000 now"}
    )

    assert page.status_code == 200
    assert "Call +1 555 0000 now" not in page.text


def test_the_public_tracking_page_shows_where_an_order_is(site: tuple[TestClient, World]) -> None:
    client, world = site
    order = world.confirm(world.init((world.nutmeg, 1), delivery=False))

    page = client.get(f"/sellers/{PLATFORM}/track/{order.id}")

    assert page.status_code == 200 and "Confirmed" in page.text
    assert client.get(f"/sellers/{PLATFORM}/track/{uuid.uuid4()}").status_code == 404


def test_a_credential_that_does_not_verify_gives_no_mark(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(f"/sellers/{PLATFORM}/shop/terms")

    empty = client.post(
        f"/sellers/{PLATFORM}/shop/credential",
        data={"credential": " ", "csrf_token": csrf(form.text)},
    )
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text)
    assert nonce
    refused = client.post(
        f"/sellers/{PLATFORM}/shop/credential",
        data={
            "credential": "eyJhbGciOi.x.y~",
            "nonce": nonce.group(1),
            "csrf_token": csrf(form.text),
        },
    )
    stale = client.post(
        f"/sellers/{PLATFORM}/shop/credential",
        data={"credential": "eyJhbGciOi.x.y~", "nonce": "1.x", "csrf_token": csrf(form.text)},
    )

    assert empty.status_code == 400
    assert refused.status_code == 400 and "could not be verified" in refused.text
    assert stale.status_code == 400 and "not made for the challenge" in stale.text
    with world.seller.database.reading() as session:
        business = session.get(Business, world.business_id)
        assert business is not None
        assert business.credential is None and not business.verified


def _in_language(client: TestClient, language: str) -> None:
    form = client.get(f"/sellers/{PLATFORM}/shop/items/new")
    client.post(
        "/language", data={"lang": language, "next": "/sellers", "csrf_token": csrf(form.text)}
    )


def _post_new_item(client: TestClient, **fields: str) -> httpx.Response:
    """The new-item form sent with `fields` over a valid item's (Cocoa, spices, 4.00, 3)."""
    form = client.get(f"/sellers/{PLATFORM}/shop/items/new")
    data = {"name": "Cocoa", "category": "spices", "price": "4", "stock": "3", **fields}
    sent: httpx.Response = client.post(
        f"/sellers/{PLATFORM}/shop/items/new", data={**data, "csrf_token": csrf(form.text)}
    )
    return sent


def _problem_of(page: str, field: str) -> str | None:
    """The sentence beside a field, when the field is marked invalid and points at it."""
    marked = re.search(rf'<(?:input|select|textarea) id="{field}"[^>]*>', page)
    assert marked, f"no field {field}"
    if 'aria-invalid="true"' not in marked.group(0):
        return None
    said = re.search(rf'<p class="errors" id="{field}-error">([^<]*)</p>', page)
    described = re.search(r'aria-describedby="([^"]*)"', marked.group(0))
    assert said and described and f"{field}-error" in described.group(1).split(), field
    return html.unescape(said.group(1))


def test_an_item_with_several_mistakes_names_each_beside_its_field_in_french_and_adds_nothing(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    _in_language(client, "fr")

    refused = _post_new_item(
        client, name=" ", description="Séché au soleil", price="douze", stock="-2"
    )

    assert refused.status_code == 400
    assert (
        _problem_of(refused.text, "name") == "Donnez un nom à l'article (200 caractères au plus)."
    )
    assert _problem_of(refused.text, "price") == "Écrivez le prix ainsi : 12,50."
    assert _problem_of(refused.text, "stock") == ("Écrivez le stock en nombre entier, 0 ou plus.")
    assert _problem_of(refused.text, "category") is None
    assert 'value="douze"' in refused.text and "Séché au soleil" in refused.text
    with world.seller.database.reading() as session:
        names = list(
            session.scalars(select(Item.name).where(Item.business_id == world.business_id))
        )
    assert sorted(names) == ["Basket", "Nutmeg"]


@pytest.mark.parametrize(
    ("language", "typed", "minor"),
    [
        ("en", "1,234.50", 123450),
        ("en", "1,234", 123400),
        ("en", "12,50", 1250),
        ("fr", "1.234,50", 123450),
        ("fr", "1\u202f234,50", 123450),
        ("fr", "12,5", 1250),
    ],
)
def test_a_price_is_read_as_a_reader_of_the_page_writes_it(
    site: tuple[TestClient, World],
    texts: Texts,
    language: str,
    typed: str,
    minor: int,
) -> None:
    client, world = site
    sign_in(client, texts)
    _in_language(client, language)

    added = _post_new_item(client, price=typed)

    assert added.status_code == 200, added.text
    with world.seller.database.reading() as session:
        assert session.scalar(select(Item.price).where(Item.name == "Cocoa")) == minor


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("1,234", "1,234 a trop de décimales : un montant en XCD en a au plus 2."),
        ("12.505", "12.505 a trop de décimales : un montant en XCD en a au plus 2."),
        ("-3", "Le prix doit être supérieur à zéro."),
        ("1,2,3", "Écrivez le prix ainsi : 12,50."),
    ],
)
def test_a_price_that_cannot_be_meant_is_refused_in_french_beside_the_price(
    site: tuple[TestClient, World], texts: Texts, typed: str, problem: str
) -> None:
    client, world = site
    sign_in(client, texts)
    _in_language(client, "fr")

    refused = _post_new_item(client, price=typed)

    assert refused.status_code == 400
    assert _problem_of(refused.text, "price") == problem
    assert f'value="{typed}"' in refused.text
    with world.seller.database.reading() as session:
        assert session.scalar(select(Item.price).where(Item.name == "Cocoa")) is None


def test_a_refused_change_to_an_item_still_shows_its_photo(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    page = client.get(f"/sellers/{PLATFORM}/shop/items/{world.nutmeg}")
    photo = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 120, 40)).save(photo, format="PNG")
    client.post(
        f"/sellers/{PLATFORM}/shop/items/{world.nutmeg}/photo",
        data={"csrf_token": csrf(page.text)},
        files={"photo": ("nutmeg.png", photo.getvalue(), "image/png")},
    )

    refused = client.post(
        f"/sellers/{PLATFORM}/shop/items/{world.nutmeg}",
        data={
            "name": "",
            "category": "spices",
            "price": "abc",
            "stock": "3",
            "csrf_token": csrf(page.text),
        },
    )

    assert refused.status_code == 400
    assert f"/items/{world.nutmeg}/thumbnail" in refused.text
    assert "<h1>Nutmeg</h1>" in refused.text  # the item's saved name, not the emptied box


@pytest.mark.parametrize("typed", ["99999999999999999999", "1000000.01"])
def test_a_price_past_what_an_item_can_cost_is_refused_not_stored(
    site: tuple[TestClient, World], texts: Texts, typed: str
) -> None:
    client, world = site
    sign_in(client, texts)

    refused = _post_new_item(client, price=typed)

    assert refused.status_code == 400
    said = _problem_of(refused.text, "price")
    assert said is not None and " ".join(said.split()) == "The price is at most XCD 1,000,000.00."
    with world.seller.database.reading() as session:
        assert session.scalar(select(Item.price).where(Item.name == "Cocoa")) is None


def test_terms_with_several_mistakes_name_each_beside_its_field_and_save_nothing(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(f"/sellers/{PLATFORM}/shop/terms")

    refused = client.post(
        f"/sellers/{PLATFORM}/shop/terms",
        data={
            "pickup": "yes",
            "delivery": "yes",
            "delivery_fee": "99999999999999999999",
            "cash_on_delivery": "yes",
            "payment_alias": "my shop",
            "return_days": "two weeks",
            "csrf_token": csrf(form.text),
        },
    )

    assert refused.status_code == 400
    fee = _problem_of(refused.text, "delivery_fee")
    assert fee is not None and " ".join(fee.split()) == (
        "The delivery fee is at most XCD 1,000,000.00."
    )
    assert _problem_of(refused.text, "payment_alias") == "A payment alias looks like shop@bank."
    assert _problem_of(refused.text, "return_days") == (
        "Write the return period in days, 0 to 365."
    )
    assert 'value="two weeks"' in refused.text
    with world.seller.database.reading() as session:
        business = session.get(Business, world.business_id)
        assert business is not None and business.delivery_fee == 700


def test_a_delivery_fee_with_too_many_decimals_says_so_in_french(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, _ = site
    sign_in(client, texts)
    _in_language(client, "fr")
    form = client.get(f"/sellers/{PLATFORM}/shop/terms")

    refused = client.post(
        f"/sellers/{PLATFORM}/shop/terms",
        data={
            "pickup": "yes",
            "delivery": "yes",
            "delivery_fee": "6,505",
            "cash_on_delivery": "yes",
            "return_days": "14",
            "csrf_token": csrf(form.text),
        },
    )

    assert refused.status_code == 400
    assert (
        _problem_of(refused.text, "delivery_fee")
        == "6,505 a trop de décimales : un montant en XCD en a au plus 2."
    )


@pytest.mark.parametrize("typed", ["-5", "-XCD 5.00", "XCD -5"])
def test_a_delivery_fee_below_zero_is_refused_however_the_minus_is_written(
    site: tuple[TestClient, World], texts: Texts, typed: str
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(f"/sellers/{PLATFORM}/shop/terms")

    refused = client.post(
        f"/sellers/{PLATFORM}/shop/terms",
        data={
            "pickup": "yes",
            "delivery": "yes",
            "delivery_fee": typed,
            "cash_on_delivery": "yes",
            "return_days": "14",
            "csrf_token": csrf(form.text),
        },
    )

    assert refused.status_code == 400
    assert _problem_of(refused.text, "delivery_fee") == "Fees and return days cannot be negative."
    with world.seller.database.reading() as session:
        business = session.get(Business, world.business_id)
        assert business is not None and business.delivery_fee == 700


@pytest.mark.parametrize("typed", ["\u00b2", "9" * 5000, "-1", "366"])
def test_return_days_that_are_no_count_of_days_are_refused_beside_their_field(
    site: tuple[TestClient, World], texts: Texts, typed: str
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(f"/sellers/{PLATFORM}/shop/terms")

    refused = client.post(
        f"/sellers/{PLATFORM}/shop/terms",
        data={
            "pickup": "yes",
            "delivery": "yes",
            "delivery_fee": "7",
            "cash_on_delivery": "yes",
            "return_days": typed,
            "csrf_token": csrf(form.text),
        },
    )

    assert refused.status_code == 400
    assert _problem_of(refused.text, "return_days") == (
        "Write the return period in days, 0 to 365."
    )
    with world.seller.database.reading() as session:
        business = session.get(Business, world.business_id)
        assert business is not None and business.return_days == 14


def test_pressing_the_same_move_twice_on_a_slow_line_shows_the_order_moved_not_an_error(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    order = world.confirm(world.init((world.nutmeg, 1)))
    sign_in(client, texts)
    page = client.get(f"/sellers/{PLATFORM}/shop/orders/{order.id}")
    move = {"state": "packed", "csrf_token": csrf(page.text)}

    first = client.post(f"/sellers/{PLATFORM}/shop/orders/{order.id}", data=move)
    again = client.post(f"/sellers/{PLATFORM}/shop/orders/{order.id}", data=move)

    assert first.status_code == again.status_code == 200
    assert "There is a problem" not in again.text and "Packed" in again.text
    with world.seller.database.reading() as session:
        told = session.scalars(
            select(OutboxEventRecord).where(OutboxEventRecord.topic == beckn_io.TOPIC)
        ).all()
    assert len(told) == 1  # the buyer app is told once


def test_control_characters_pasted_into_an_item_or_the_terms_are_dropped_not_stored(
    site: tuple[TestClient, World], texts: Texts
) -> None:
    client, world = site
    sign_in(client, texts)

    added = _post_new_item(
        client, name="Co\x00coa", description="Dried\x00", price="4.00", variants="S\x00, M"
    )
    terms = client.get(f"/sellers/{PLATFORM}/shop/terms")
    saved = client.post(
        f"/sellers/{PLATFORM}/shop/terms",
        data={
            "pickup": "yes",
            "delivery_fee": "0",
            "payment_alias": "spices@helen-cu\x00",
            "return_days": "14",
            "csrf_token": csrf(terms.text),
        },
    )

    assert added.status_code == 200 and saved.status_code == 200
    with world.seller.database.reading() as session:
        item = session.scalars(select(Item).where(Item.name == "Cocoa")).one()
        business = session.get(Business, world.business_id)
    assert item.description == "Dried" and item.variants == ["S", "M"]
    assert business is not None and business.payment_alias == "spices@helen-cu"


@pytest.mark.parametrize(
    ("language", "typed", "stock"),
    [("en", "1,000", 1000), ("fr", "1 000", 1000), ("en", " 12 ", 12)],
)
def test_a_stock_is_read_with_the_thousands_marks_of_the_pages_language(
    site: tuple[TestClient, World],
    texts: Texts,
    language: str,
    typed: str,
    stock: int,
) -> None:
    client, world = site
    sign_in(client, texts)
    _in_language(client, language)

    added = _post_new_item(client, stock=typed)

    assert added.status_code == 200, added.text
    with world.seller.database.reading() as session:
        assert session.scalar(select(Item.stock).where(Item.name == "Cocoa")) == stock


@pytest.mark.parametrize(("language", "typed"), [("fr", "1,000"), ("en", "1,5"), ("en", "1.000")])
def test_a_stock_that_is_not_a_whole_number_to_its_reader_is_refused(
    site: tuple[TestClient, World],
    texts: Texts,
    language: str,
    typed: str,
) -> None:
    client, _ = site
    sign_in(client, texts)
    _in_language(client, language)

    refused = _post_new_item(client, stock=typed)

    assert refused.status_code == 400
    assert _problem_of(refused.text, "stock") is not None


@pytest.mark.parametrize("language", ["en", "fr"])
def test_more_than_twelve_variants_are_refused_beside_them_and_every_typed_value_shown_again(
    site: tuple[TestClient, World], texts: Texts, language: str
) -> None:
    client, world = site
    sign_in(client, texts)
    _in_language(client, language)
    sizes = ", ".join(f"EU {size}" for size in range(35, 49))

    refused = _post_new_item(
        client, name="Sandals", description="Leather", variants=sizes, returnable="yes"
    )

    assert refused.status_code == 400
    problem = _problem_of(refused.text, "variants")
    assert problem is not None and "12" in problem and "14" in problem
    if language == "en":
        assert problem == "An item has at most 12 variants; you wrote 14."
    assert f'value="{sizes}"' in refused.text
    assert 'value="Sandals"' in refused.text and ">Leather</textarea>" in refused.text
    assert re.search(r'id="returnable"[^>]*checked', refused.text)
    described = re.search(r'<input id="variants"[^>]*aria-describedby="([^"]*)"', refused.text)
    assert described and described.group(1).split() == ["variants-hint", "variants-error"]
    with world.seller.database.reading() as session:
        assert session.scalar(select(Item).where(Item.name == "Sandals")) is None
