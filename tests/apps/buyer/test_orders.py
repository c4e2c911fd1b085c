"""The buyer app's orders against a seller platform's real answers, in one process (the HTTP
legs are covered end to end in tests/e2e/test_network_orders.py)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from comptoir.apps.buyer.models import BuyerOrder, Result
from comptoir.apps.buyer.service import answers, orders, searches
from comptoir.apps.buyer.service.context import AppView, Buyer, create_app
from comptoir.apps.seller import beckn_io as seller_io
from comptoir.apps.seller.service import protocol
from comptoir.apps.seller.service.items import ItemInput, change_item
from comptoir.kernel.beckn.validation import validate_message
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.outbox import OutboxEventRecord
from tests.apps.seller.world import PLATFORM, World, make_world

SHOPPER = orders.shopper_digest("cookie")


class Market:
    def __init__(self, database: Database, clock: FrozenClock, keys: Path) -> None:
        self.world: World = make_world(database, clock, keys)
        self.buyer = Buyer(
            database=database, keys_dir=keys, base_url="http://shop.example", clock=clock
        )
        self.app: AppView = create_app(
            self.buyer,
            app_id="shop",
            name="Shop",
            subscriber_id="shop.example",
            registry_url="http://node.example/registry",
            gateway_url="http://node.example/gateway",
        ).view

    def seller_answers(self, body: dict[str, Any]) -> dict[str, Any]:
        """The seller platform handles what the buyer sent; the callback comes back."""
        action = body["context"]["action"]
        validate_message(action, json.dumps(body).encode())
        protocol.handle(self.world.seller, platform_id=PLATFORM, action=action, document=body)
        with self.buyer.database.reading() as session:
            event = session.scalars(
                select(OutboxEventRecord)
                .where(OutboxEventRecord.topic == seller_io.TOPIC)
                .order_by(OutboxEventRecord.created_at.desc(), OutboxEventRecord.id.desc())
            ).first()
        assert event is not None
        raw = event.payload["body"].encode()
        validate_message(f"on_{action}", raw)
        answer: dict[str, Any] = json.loads(raw)
        return answer

    def round_trip(self, order_id: uuid.UUID, action: str, **form: Any) -> BuyerOrder:
        outgoing = orders.prepare(
            self.buyer, app=self.app, shopper=SHOPPER, order_id=order_id, action=action, **form
        )
        answer = self.seller_answers(outgoing.body)
        assert answers.apply_callback(
            self.buyer, action=f"on_{action}", context=answer["context"], message=answer["message"]
        )
        return orders.get_order(self.buyer, shopper=SHOPPER, order_id=order_id)

    def cart_with(self, name: str, quantity: int) -> uuid.UUID:
        search_id, body = searches.start_search(
            self.buyer, app=self.app, words=name, category="", place=""
        )
        answer = self.seller_answers(body)
        context = answer["context"]
        searches.record_catalogs(
            self.buyer,
            search_id=str(search_id),
            bpp_id=context["bppId"],
            bpp_uri=context["bppUri"],
            catalogs=answer["message"]["catalogs"],
        )
        view = searches.search_results(self.buyer, search_id=search_id)
        assert view is not None
        result: Result = view.results[0]
        return orders.add_to_cart(
            self.buyer, app=self.app, shopper=SHOPPER, result=result, quantity=quantity
        )


@pytest.fixture
def market(database: Database, clock: FrozenClock, tmp_path: Path) -> Market:
    return Market(database, clock, tmp_path / "keys")


def checkout(market: Market, order_id: uuid.UUID, payment: str = "COD") -> BuyerOrder:
    market.round_trip(order_id, "select", fulfilment="DELIVERY")
    return market.round_trip(
        order_id,
        "init",
        details={"name": "Marie", "phone": "+17585550101", "address": "Bridge Street"},
        payment_method=payment,
    )


def test_search_select_init_confirm_with_every_fee_on_the_quote(market: Market) -> None:
    order_id = market.cart_with("nutmeg", 2)

    quoted = market.round_trip(order_id, "select", fulfilment="DELIVERY")
    assert quoted.state == orders.QUOTED
    assert quoted.quote is not None
    assert [fee["code"] for fee in quoted.quote["fees"]] == ["DELIVERY", "SERVICE"]
    assert quoted.quote["total"] == 2 * 800 + 700 + 100

    initialised = market.round_trip(
        order_id,
        "init",
        details={"name": "Marie", "phone": "+17585550101", "address": "Bridge Street"},
        payment_method="WALLET",
    )
    assert initialised.state == orders.INITIALISED
    assert initialised.payment is not None
    assert initialised.payment["alias"] == "spices@helen-cu"

    confirmed = market.round_trip(order_id, "confirm")
    assert confirmed.state == orders.CONFIRMED
    assert confirmed.seller_state == "confirmed"


def test_a_price_change_before_confirm_is_refused_and_the_shopper_must_requote(
    market: Market,
) -> None:
    order_id = market.cart_with("nutmeg", 1)
    checkout(market, order_id)
    change_item(
        market.world.seller,
        platform_id=PLATFORM,
        business_id=market.world.business_id,
        item_id=market.world.nutmeg,
        form=ItemInput("Nutmeg", "", "spices", "9.00", "5", True, ""),
    )

    refused = market.round_trip(order_id, "confirm")

    assert refused.error_code == "40003"
    assert refused.state == orders.QUOTED


def test_after_confirm_the_shopper_can_rate_ask_for_help_and_cancel(market: Market) -> None:
    order_id = market.cart_with("nutmeg", 1)
    checkout(market, order_id)
    market.round_trip(order_id, "confirm")

    assert market.round_trip(order_id, "rate", rating=5, feedback="Lovely").rating == 5
    helped = market.round_trip(order_id, "support", question="When?")
    assert helped.support is not None
    assert helped.support["channels"][0]["phone"] == "+17585550302"
    assert market.round_trip(order_id, "cancel").state == orders.CANCELLED


def test_a_return_before_delivery_is_refused_clearly(market: Market) -> None:
    order_id = market.cart_with("nutmeg", 1)
    checkout(market, order_id)
    market.round_trip(order_id, "confirm")

    refused = market.round_trip(order_id, "update")

    assert refused.error_code == "30010"


def test_init_without_an_address_for_delivery_is_refused_and_sends_nothing(market: Market) -> None:
    order_id = market.cart_with("nutmeg", 1)
    market.round_trip(order_id, "select", fulfilment="DELIVERY")

    with pytest.raises(orders.BuyerError):
        orders.prepare(
            market.buyer,
            app=market.app,
            shopper=SHOPPER,
            order_id=order_id,
            action="init",
            details={"name": "Marie", "phone": "+17585550101"},
            payment_method="COD",
        )

    assert orders.get_order(market.buyer, shopper=SHOPPER, order_id=order_id).pending_action is None


@pytest.mark.parametrize("phone", ["12345", "758 555 0101", "+1 758", "call me"])
def test_init_with_a_phone_number_without_its_country_code_is_refused_and_sends_nothing(
    market: Market, phone: str
) -> None:
    order_id = market.cart_with("nutmeg", 1)
    market.round_trip(order_id, "select", fulfilment="PICKUP")

    with pytest.raises(orders.BuyerError) as refused:
        orders.prepare(
            market.buyer,
            app=market.app,
            shopper=SHOPPER,
            order_id=order_id,
            action="init",
            details={"name": "Marie", "phone": phone},
            payment_method="WALLET",
        )

    assert "country code" in refused.value.text.render("en")
    order = orders.get_order(market.buyer, shopper=SHOPPER, order_id=order_id)
    assert order.pending_action is None
    assert order.buyer is None


def test_the_shoppers_phone_number_is_kept_in_international_format(market: Market) -> None:
    order_id = market.cart_with("nutmeg", 1)
    market.round_trip(order_id, "select", fulfilment="PICKUP")

    initialised = market.round_trip(
        order_id,
        "init",
        details={"name": "Marie", "phone": "+1 (758) 555-0101"},
        payment_method="COD",
    )

    assert initialised.buyer is not None
    assert initialised.buyer["phone"] == "+17585550101"


def test_another_shopper_cannot_see_the_order(market: Market) -> None:
    order_id = market.cart_with("nutmeg", 1)

    with pytest.raises(orders.BuyerError):
        orders.get_order(market.buyer, shopper=orders.shopper_digest("other"), order_id=order_id)


def test_a_checkout_with_several_mistakes_names_each_one_beside_its_field_and_sends_nothing(
    market: Market,
) -> None:
    order_id = market.cart_with("nutmeg", 1)
    market.round_trip(order_id, "select", fulfilment="DELIVERY")

    with pytest.raises(orders.BuyerError) as refused:
        orders.prepare(
            market.buyer,
            app=market.app,
            shopper=SHOPPER,
            order_id=order_id,
            action="init",
            details={"name": "", "phone": "758 555 0101", "address": "  "},
            payment_method="",
        )

    problems = {field: text.render("fr") for field, text in refused.value.fields.items()}
    assert problems == {
        "name": "Donnez votre nom et votre numéro de téléphone, pour que le vendeur puisse "
        "vous joindre.",
        "phone": "Écrivez le numéro de téléphone avec son indicatif de pays, par exemple "
        "+1 758 555 0101.",
        "address": "Donnez l'adresse de livraison.",
        "payment": "Choisissez comment vous allez payer.",
    }
    order = orders.get_order(market.buyer, shopper=SHOPPER, order_id=order_id)
    assert order.pending_action is None and order.buyer is None


def test_a_name_or_an_address_too_long_to_keep_is_refused_rather_than_cut_short(
    market: Market,
) -> None:
    order_id = market.cart_with("nutmeg", 1)
    market.round_trip(order_id, "select", fulfilment="DELIVERY")

    with pytest.raises(orders.BuyerError) as refused:
        orders.prepare(
            market.buyer,
            app=market.app,
            shopper=SHOPPER,
            order_id=order_id,
            action="init",
            details={"name": "M" * 1000, "phone": "+17585550101", "address": "B" * 301},
            payment_method="COD",
        )

    assert {field: text.render("en") for field, text in refused.value.fields.items()} == {
        "name": "This is too long (128 characters at most).",
        "address": "This is too long (300 characters at most).",
    }
    assert orders.get_order(market.buyer, shopper=SHOPPER, order_id=order_id).buyer is None


def test_control_characters_pasted_into_the_contact_details_are_dropped_not_stored(
    market: Market,
) -> None:
    order_id = market.cart_with("nutmeg", 1)
    market.round_trip(order_id, "select", fulfilment="DELIVERY")

    initialised = market.round_trip(
        order_id,
        "init",
        details={"name": "Ma\x00rie", "phone": "+17585550101\x00", "address": "Bridge\x07 Street"},
        payment_method="COD",
    )

    assert initialised.buyer is not None
    assert initialised.buyer["name"] == "Marie"
    assert initialised.buyer["address"] == "Bridge Street"
