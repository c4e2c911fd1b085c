"""What the platform answers to each Beckn request is a valid v2.0 message, refusals included."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from comptoir.apps.seller import beckn_io
from comptoir.apps.seller.service import protocol
from comptoir.apps.seller.service.items import ItemInput, change_item
from comptoir.kernel.beckn.validation import validate_message
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.outbox import OutboxEventRecord
from tests.apps.seller.world import BAP, PLATFORM, World, make_world

BAP_URI = "http://shop.example/shop/beckn"


@pytest.fixture
def world(database: Database, clock: FrozenClock, tmp_path: Path) -> World:
    return make_world(database, clock, tmp_path / "keys")


def request(action: str, message: dict[str, Any], transaction: str | None = None) -> dict[str, Any]:
    return {
        "context": beckn_io.context(
            action=action,
            bap_id=BAP,
            bap_uri=BAP_URI,
            bpp_id="island-market.example",
            bpp_uri="http://node.example/sellers/island-market/beckn",
            transaction_id=transaction or str(uuid.uuid4()),
        ),
        "message": message,
    }


def answer(
    world: World, action: str, message: dict[str, Any], transaction: str | None = None
) -> dict[str, Any]:
    """Handle a request and return the callback it queued, checked against the v2.0 schema."""
    document = request(action, message, transaction)
    validate_message(action, beckn_io.body_bytes(document))
    protocol.handle(world.seller, platform_id=PLATFORM, action=action, document=document)
    with world.seller.database.reading() as session:
        event = session.scalars(
            select(OutboxEventRecord)
            .where(OutboxEventRecord.topic == beckn_io.TOPIC)
            .order_by(OutboxEventRecord.created_at.desc(), OutboxEventRecord.id.desc())
        ).first()
    assert event is not None
    assert event.payload["url"] == f"{BAP_URI}/on_{action}"
    body = event.payload["body"].encode()
    validate_message(f"on_{action}", body)
    parsed: dict[str, Any] = json.loads(body)
    assert parsed["context"]["messageId"] == document["context"]["messageId"]
    return parsed


def cart(item: uuid.UUID, quantity: int, mode: str = "DELIVERY", **extra: Any) -> dict[str, Any]:
    return {
        "contract": {
            "commitments": [
                {
                    "status": {"descriptor": {"code": "DRAFT"}},
                    "resources": [{"id": str(item), "quantity": quantity}],
                    "offer": {"id": f"offer-{item}", "resourceIds": [str(item)]},
                }
            ],
            "performance": [
                {
                    "id": "f",
                    "performanceAttributes": {
                        "@context": "x",
                        "@type": "y",
                        "mode": mode,
                        "address": "Bridge Street",
                    },
                }
            ],
            "participants": [
                {
                    "descriptor": {"name": "Marie", "code": "BUYER"},
                    "participantAttributes": {
                        "@context": "x",
                        "@type": "y",
                        "phone": "+17585550101",
                    },
                }
            ],
            **extra,
        }
    }


def test_discover_answers_with_a_catalogue_per_business_and_prices(world: World) -> None:
    found = answer(
        world,
        "discover",
        {
            "intent": {
                "textSearch": "nutmeg",
                "filters": {"type": "jsonpath", "expression": "$[?(@.category == 'spices')]"},
            }
        },
    )

    catalogs = found["message"]["catalogs"]
    assert [resource["descriptor"]["name"] for resource in catalogs[0]["resources"]] == ["Nutmeg"]
    assert catalogs[0]["offers"][0]["considerations"][0]["considerationAttributes"]["price"] == {
        "currency": "XCD",
        "value": "8.00",
    }


def test_discover_with_nothing_to_offer_queues_no_callback(world: World) -> None:
    with pytest.raises(protocol.NothingToOffer):
        protocol.handle(
            world.seller,
            platform_id=PLATFORM,
            action="discover",
            document=request("discover", {"intent": {"textSearch": "surfboard"}}),
        )


def test_select_quotes_every_line_and_fee(world: World) -> None:
    found = answer(world, "select", cart(world.nutmeg, 2))

    price = found["message"]["contract"]["consideration"][0]["considerationAttributes"]
    assert price["price"] == {"currency": "XCD", "value": "24.00"}
    assert [line["code"] for line in price["breakup"]] == ["ITEM", "DELIVERY", "SERVICE"]


def test_init_then_confirm_gives_an_active_contract(world: World) -> None:
    transaction = str(uuid.uuid4())
    initialised = answer(
        world,
        "init",
        cart(
            world.nutmeg,
            1,
            settlements=[
                {"settlementAttributes": {"@context": "x", "@type": "y", "method": "WALLET"}}
            ],
        ),
        transaction,
    )
    contract = initialised["message"]["contract"]
    settlement = contract["settlements"][0]["settlementAttributes"]
    assert settlement["alias"] == "spices@helen-cu"
    assert settlement["qr"].startswith("000201")

    confirmed = answer(
        world,
        "confirm",
        cart(world.nutmeg, 1, id=contract["id"], consideration=contract["consideration"]),
        transaction,
    )

    assert confirmed["message"]["contract"]["status"]["code"] == "ACTIVE"


def test_a_shop_that_asks_by_request_to_pay_offers_no_qr_code_to_pay_before_the_order(
    world: World,
) -> None:
    from comptoir.apps.seller.wallet_pay import service as wallet_pay

    wallet_pay.link_wallet(
        world.seller,
        platform_id=PLATFORM,
        business_id=world.business_id,
        api_url="https://bank.example/wallets/helen-cu/api/v1",
        api_key="cmk_abc_def",
        webhook_secret="s" * 64,
        actor="test",
    )
    wallet = [{"settlementAttributes": {"@context": "x", "@type": "y", "method": "WALLET"}}]
    initialised = answer(world, "init", cart(world.nutmeg, 1, settlements=wallet))

    settlement = initialised["message"]["contract"]["settlements"][0]["settlementAttributes"]
    # Paying the QR code now and approving the request to pay after confirm would pay twice.
    assert "qr" not in settlement
    assert "alias" not in settlement
    assert settlement["collection"] == "REQUEST_TO_PAY"


def test_a_confirm_after_a_price_change_carries_the_beckn_error(world: World) -> None:
    transaction = str(uuid.uuid4())
    contract = answer(world, "init", cart(world.nutmeg, 1), transaction)["message"]["contract"]
    change_item(
        world.seller,
        platform_id=PLATFORM,
        business_id=world.business_id,
        item_id=world.nutmeg,
        form=ItemInput("Nutmeg", "", "spices", "9.00", "5", True, ""),
    )

    refused = answer(world, "confirm", cart(world.nutmeg, 1, id=contract["id"]), transaction)

    assert refused["message"]["contract"]["contractAttributes"]["error"]["errorCode"] == "40003"
    assert refused["message"]["contract"]["status"]["code"] == "DRAFT"


def test_a_confirm_for_an_item_sold_out_carries_the_beckn_error(world: World) -> None:
    first = answer(world, "init", cart(world.basket, 1))["message"]["contract"]
    second = answer(world, "init", cart(world.basket, 1))["message"]["contract"]
    answer(world, "confirm", cart(world.basket, 1, id=first["id"]))

    refused = answer(world, "confirm", cart(world.basket, 1, id=second["id"]))

    assert refused["message"]["contract"]["contractAttributes"]["error"]["errorCode"] == "40002"


def test_status_track_cancel_rate_and_support_answer_valid_messages(world: World) -> None:
    transaction = str(uuid.uuid4())
    contract = answer(world, "init", cart(world.nutmeg, 1), transaction)["message"]["contract"]
    answer(world, "confirm", cart(world.nutmeg, 1, id=contract["id"]), transaction)
    ref = cart(world.nutmeg, 1, id=contract["id"])

    assert (
        answer(world, "status", ref, transaction)["message"]["contract"]["performance"][0][
            "status"
        ]["code"]
        == "CONFIRMED"
    )
    assert (
        answer(
            world,
            "track",
            {"tracking": {"url": BAP_URI, "status": "ACTIVE", "contract": ref["contract"]}},
            transaction,
        )["message"]["tracking"]["status"]
        == "ACTIVE"
    )
    rated = answer(
        world,
        "rate",
        {
            "ratingInputs": [
                {"target": {"id": contract["id"]}, "range": {"value": 4, "best": 5, "worst": 1}}
            ]
        },
        transaction,
    )
    assert rated["message"]["ratings"][0]["range"]["value"] == 4
    helped = answer(world, "support", {"support": {"orderId": contract["id"]}}, transaction)
    assert helped["message"]["support"]["channels"][0]["phone"] == "+17585550302"
    assert (
        answer(world, "cancel", ref, transaction)["message"]["contract"]["status"]["code"]
        == "CANCELLED"
    )


def test_publishing_queues_every_catalogue_to_the_gateways_index(world: World) -> None:
    count = protocol.publish_catalogue(world.seller, platform_id=PLATFORM)

    with world.seller.database.reading() as session:
        event = session.scalars(
            select(OutboxEventRecord).where(OutboxEventRecord.topic == beckn_io.TOPIC)
        ).one()
    assert count == 1
    assert event.payload["url"] == "http://node.example/gateway/catalog/publish"
    published = validate_message("catalog/publish", event.payload["body"].encode())
    names = {resource.descriptor.name for resource in published.message.catalogs[0].resources}
    assert names == {"Nutmeg", "Basket"}
