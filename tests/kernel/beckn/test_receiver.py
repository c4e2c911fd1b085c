"""The receiver's refusals and answers, in order: signature, schema, sender, handler."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from comptoir.kernel.beckn import (
    AfterAck,
    Answer,
    BecknReceiver,
    Inbound,
    NoCallback,
    StaticKeySource,
    verify_ack,
)
from comptoir.kernel.beckn.models import ACTIONS
from comptoir.kernel.clock import FrozenClock
from tests.kernel.beckn.messages import (
    BAP_ID,
    BAP_URI,
    BPP_ID,
    BPP_URI,
    identity,
    key_of,
    message,
)

BAP = identity(BAP_ID)
BPP = identity(BPP_ID)
GATEWAY = identity("gateway.example.test")


def _receiver(*keys: Any) -> BecknReceiver:
    source = StaticKeySource(
        keys or [key_of(BAP, "BAP", BAP_URI), key_of(GATEWAY, "BG", "http://gateway.test")]
    )
    return BecknReceiver(identity=BPP, keys=source)


async def _accept(inbound: Inbound) -> AfterAck | None:
    return None


def _receive(receiver: BecknReceiver, action: str, body: bytes, headers: dict[str, str]) -> Answer:
    return asyncio.run(receiver.receive(action, headers, body, _accept))


def _body(action: str = "select", **changes: Any) -> bytes:
    return json.dumps(message(action, **changes)).encode()


def _error(answer: Answer) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(answer.body)
    assert document["status"] == "NACK"
    error: dict[str, Any] = document["error"]
    return error


def test_it_acknowledges_a_signed_valid_message_with_a_counter_signature() -> None:
    body = _body()
    answer = _receive(_receiver(), "select", body, {"authorization": BAP.sign(body)})
    assert answer.status_code == 200
    message_id = json.loads(body)["context"]["messageId"]
    checked = verify_ack(
        answer.body, request_body=body, message_id=message_id, public_key=BPP.signing_public_key
    )
    assert checked.ack.status == "ACK"
    assert checked.counter_signature.subscriber_id == BPP_ID


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_it_accepts_every_action_of_the_spec(action: str) -> None:
    body = _body(action)
    signer = BAP if action in {"discover", "select", "init", "confirm", "status"} else BPP
    signer = BAP if action in {"track", "update", "cancel", "rate", "support"} else signer
    if action == "catalog/on_publish":
        signer = GATEWAY
    keys = [key_of(BAP, "BAP", BAP_URI), key_of(BPP, "BPP", BPP_URI), key_of(GATEWAY, "BG")]
    answer = _receive(_receiver(*keys), action, body, {"authorization": signer.sign(body)})
    assert answer.status_code == 200, answer.body


def test_it_refuses_a_message_without_a_signature() -> None:
    answer = _receive(_receiver(), "select", _body(), {})
    assert answer.status_code == 401
    assert _error(answer)["errorCode"] == "UNAUTHORIZED"


def test_it_refuses_a_tampered_body() -> None:
    body = _body()
    tampered = body.replace(b"mango", b"mangp")
    answer = _receive(_receiver(), "select", tampered, {"authorization": BAP.sign(body)})
    assert answer.status_code == 401


def test_it_refuses_a_signature_made_with_another_key() -> None:
    impostor = identity(BAP_ID)
    body = _body()
    answer = _receive(_receiver(), "select", body, {"authorization": impostor.sign(body)})
    assert answer.status_code == 401
    assert "does not match" in _error(answer)["errorMessage"]


def test_it_refuses_an_expired_signature() -> None:
    past = identity(BAP_ID, clock=FrozenClock(datetime.now(UTC) - timedelta(hours=2)))
    body = _body()
    receiver = _receiver(key_of(past, "BAP", BAP_URI))
    answer = _receive(receiver, "select", body, {"authorization": past.sign(body, ttl_seconds=60)})
    assert answer.status_code == 401
    assert "expired" in _error(answer)["errorMessage"]


def test_it_refuses_an_unknown_subscriber() -> None:
    stranger = identity("stranger.example.test")
    body = _body()
    answer = _receive(_receiver(), "select", body, {"authorization": stranger.sign(body)})
    assert answer.status_code == 401
    assert "stranger.example.test" in _error(answer)["errorMessage"]


def test_it_refuses_a_revoked_subscriber() -> None:
    body = _body()
    receiver = _receiver(key_of(BAP, "BAP", BAP_URI, status="UNSUBSCRIBED"))
    answer = _receive(receiver, "select", body, {"authorization": BAP.sign(body)})
    assert answer.status_code == 401
    assert "UNSUBSCRIBED" in _error(answer)["errorMessage"]


def test_it_refuses_a_key_past_its_validity_window() -> None:
    body = _body()
    ended = datetime.now(UTC) - timedelta(seconds=1)
    receiver = _receiver(key_of(BAP, "BAP", BAP_URI, valid_until=ended))
    answer = _receive(receiver, "select", body, {"authorization": BAP.sign(body)})
    assert answer.status_code == 401
    assert "no longer valid" in _error(answer)["errorMessage"]


def test_it_refuses_a_schema_invalid_message_naming_the_member() -> None:
    document = message("select")
    del document["message"]["contract"]["commitments"][0]["offer"]
    body = json.dumps(document).encode()
    answer = _receive(_receiver(), "select", body, {"authorization": BAP.sign(body)})
    assert answer.status_code == 400
    error = _error(answer)
    assert error["path"] == "/message/contract/commitments/0/offer"
    assert error["errorMessage"].startswith("/message/contract/commitments/0/offer")


@pytest.mark.parametrize("message_id", ["\\ud800", "a\\nb"])
def test_a_refused_body_whose_message_id_cannot_be_signed_still_gets_a_nack(
    message_id: str,
) -> None:
    body = _body().replace(b'"messageId":', b'"messageId":"' + message_id.encode() + b'","x":', 1)
    answer = _receive(_receiver(), "select", body, {"authorization": BAP.sign(body)})
    assert answer.status_code == 400
    assert _error(answer)["errorCode"] == "BAD_REQUEST"


def test_it_refuses_an_unknown_member_where_the_spec_forbids_one() -> None:
    document = message("discover")
    document["message"]["intent"]["colour"] = "red"
    body = json.dumps(document).encode()
    answer = _receive(_receiver(), "discover", body, {"authorization": BAP.sign(body)})
    assert answer.status_code == 400
    assert _error(answer)["path"] == "/message/intent/colour"


def test_it_refuses_a_message_for_another_action() -> None:
    body = _body("init")
    answer = _receive(_receiver(), "select", body, {"authorization": BAP.sign(body)})
    assert answer.status_code == 400
    assert _error(answer)["path"] == "/context/action"


def test_it_refuses_a_body_that_is_not_json_after_checking_its_signature() -> None:
    body = b"{not json"
    answer = _receive(_receiver(), "select", body, {"authorization": BAP.sign(body)})
    assert answer.status_code == 400


@pytest.mark.parametrize("signed", [True, False])
def test_it_refuses_a_body_nested_deeper_than_the_json_parser_goes(signed: bool) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    headers = {"authorization": BAP.sign(body)} if signed else {}
    answer = _receive(_receiver(), "select", body, headers)
    assert answer.status_code == (400 if signed else 401)
    assert _error(answer)


def test_it_refuses_a_signer_other_than_the_sender_the_context_names() -> None:
    other = identity("other-bap.example.test")
    body = _body()
    receiver = _receiver(key_of(other, "BAP", BAP_URI))
    answer = _receive(receiver, "select", body, {"authorization": other.sign(body)})
    assert answer.status_code == 401
    assert "bapId" in _error(answer)["errorMessage"]


def test_it_refuses_a_callback_url_other_than_the_registered_one() -> None:
    body = _body(bapUri="http://evil.example.test/beckn")
    answer = _receive(_receiver(), "select", body, {"authorization": BAP.sign(body)})
    assert answer.status_code == 401


def test_it_refuses_a_gateway_signature_from_a_participant_that_is_not_a_gateway() -> None:
    body = _body("discover")
    headers = {"authorization": BAP.sign(body), "x-gateway-authorization": BAP.sign(body)}
    answer = _receive(_receiver(), "discover", body, headers)
    assert answer.status_code == 401


def test_it_accepts_a_discover_relayed_by_a_gateway() -> None:
    body = _body("discover")
    headers = {"authorization": BAP.sign(body), "x-gateway-authorization": GATEWAY.sign(body)}
    seen: list[Inbound] = []

    async def handler(inbound: Inbound) -> None:
        seen.append(inbound)

    answer = asyncio.run(_receiver().receive("discover", headers, body, handler))
    assert answer.status_code == 200
    assert seen[0].gateway is not None
    assert seen[0].gateway.subscriber_id == "gateway.example.test"
    assert seen[0].body == body


def test_a_handler_that_will_not_call_back_answers_ack_no_callback() -> None:
    async def handler(inbound: Inbound) -> None:
        raise NoCallback("the shop is closed")

    body = _body()
    answer = asyncio.run(
        _receiver().receive("select", {"authorization": BAP.sign(body)}, body, handler)
    )
    assert answer.status_code == 409
    document = json.loads(answer.body)
    assert document["status"] == "ACK"
    assert document["error"]["errorMessage"] == "the shop is closed"
