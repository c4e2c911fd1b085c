"""The registry and the gateway over real HTTP: a `comptoir serve` process, and small signed
participants (buyer app, seller platforms) served from this test process."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from comptoir.kernel.beckn import (
    BecknIdentity,
    BecknSender,
    LookupRequest,
    RegistryClient,
    RegistryError,
    RegistryKeySource,
    verify_ack,
)
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import public_key_to_base64
from tests.network.node import Node, comptoir_node
from tests.network.peers import Peer, discover_message, free_port, items

pytestmark = pytest.mark.slow


@dataclass
class Network:
    node: Node
    bap: Peer
    sellers: list[Peer]
    slow: Peer
    publisher: Peer


def _subscribe(peer: Peer, node: Node) -> str:
    return peer.registry(lambda client: client.subscribe(peer.subscribe_request())).status


def _approve(node: Node, subscriber_id: str) -> None:
    result = node.cli("network", "subscriber", "approve", subscriber_id)
    assert result.returncode == 0, result.stderr


def _join(peer: Peer, node: Node) -> Peer:
    peer.start()
    assert _subscribe(peer, node) == "UNDER_SUBSCRIPTION"
    _approve(node, peer.subscriber_id)
    return peer


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with comptoir_node(tmp_path_factory.mktemp("node")) as node:
        registry = node.registry_url
        bap = Peer("buyer.example.test", "BAP", registry)
        sellers = [
            Peer("market.example.test", "BPP", registry, items=items(["Julie mango", "Banana"])),
            Peer("juice.example.test", "BPP", registry, items=items(["Mango juice", "Soursop"])),
        ]
        slow = Peer("slow.example.test", "BPP", registry, items=items(["Mango"]), delay=8.0)
        publisher = Peer(
            "index.example.test", "BPP", registry, items=items(["Breadfruit", "Cassava flour"])
        )
        peers = [bap, *sellers, slow, publisher]
        try:
            for peer in peers:
                _join(peer, node)
            dead_key = public_key_to_base64(Ed25519PrivateKey.generate())
            added = node.cli(
                "network", "subscriber", "add", "dead.example.test", "--type", "BPP",
                "--url", f"http://127.0.0.1:{free_port()}/beckn", "--domain", "retail",
                "--unique-key-id", "k1", "--signing-public-key", dead_key,
            )  # fmt: skip
            assert added.returncode == 0, added.stderr
            assert "INITIATED" in added.stdout
            _approve(node, "dead.example.test")
            yield Network(node, bap, sellers, slow, publisher)
        finally:
            for peer in peers:
                peer.stop()


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=body, headers={"Content-Type": "application/json", **headers})


def _discover_body(network: Network, text: str, **context: Any) -> bytes:
    message = discover_message(network.bap, text)
    message["context"].update(context)
    return json.dumps(message).encode()


def _callbacks(
    peer: Peer,
    transaction_id: str,
    count: int,
    within: float,
    sender_type: str | None = None,
) -> list[Any]:
    """The callbacks `peer` received for the transaction (only from senders of `sender_type`,
    when given), once there are `count` of them or `within` seconds have passed."""
    deadline = time.monotonic() + within
    while True:
        found = [
            received
            for received in peer.received
            if received.inbound.message.context.transaction_id == transaction_id
            and (sender_type is None or received.inbound.sender.type == sender_type)
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def test_lookup_lists_the_approved_participants_and_the_gateway(network: Network) -> None:
    found = network.bap.registry(
        lambda client: client.lookup(LookupRequest(type="BPP", domain="retail"))
    )
    ids = {subscription.subscriber_id for subscription in found}
    assert ids >= {"market.example.test", "juice.example.test", "dead.example.test"}
    assert all(subscription.status == "SUBSCRIBED" for subscription in found)
    gateway = network.bap.registry(lambda client: client.lookup(LookupRequest(type="BG")))
    assert gateway[0].url == network.node.gateway_url


def test_lookup_without_a_signature_is_refused(network: Network) -> None:
    response = _post(f"{network.node.registry_url}/lookup", b'{"type":"BPP"}', {})
    assert response.status_code == 401
    assert response.json()["status"] == "NACK"


def test_lookup_signed_by_an_unknown_participant_is_refused(network: Network) -> None:
    stranger = BecknIdentity("stranger.example.test", "k1", Ed25519PrivateKey.generate())
    body = b'{"type":"BPP"}'
    response = _post(
        f"{network.node.registry_url}/lookup", body, {"Authorization": stranger.sign(body)}
    )
    assert response.status_code == 401


def test_a_participant_is_not_listed_until_the_operator_approves_it(network: Network) -> None:
    waiting = Peer("waiting.example.test", "BPP", network.node.registry_url).start()
    try:
        assert _subscribe(waiting, network.node) == "UNDER_SUBSCRIPTION"
        plain = LookupRequest(subscriber_id=waiting.subscriber_id)
        assert network.bap.registry(lambda client: client.lookup(plain)) == []
        asked = LookupRequest(subscriber_id=waiting.subscriber_id, status="UNDER_SUBSCRIPTION")
        assert len(network.bap.registry(lambda client: client.lookup(asked))) == 1
    finally:
        waiting.stop()


def test_subscribe_fails_when_the_challenge_is_opened_with_another_key(network: Network) -> None:
    impostor = Peer("impostor.example.test", "BPP", network.node.registry_url).start()
    try:
        claimed = public_key_to_base64(X25519PrivateKey.generate())  # not the key it serves
        request = impostor.subscribe_request(encr_public_key=claimed)
        with pytest.raises(RegistryError) as refused:
            impostor.registry(lambda client: client.subscribe(request))
        assert refused.value.status_code == 401
        assert "challenge" in refused.value.detail
    finally:
        impostor.stop()
    result = network.node.cli("network", "subscriber", "list")
    assert "impostor.example.test" not in result.stdout


def test_subscribe_signed_with_another_key_than_the_one_registered_is_refused(
    network: Network,
) -> None:
    peer = Peer("forger.example.test", "BPP", network.node.registry_url).start()
    try:
        other = BecknIdentity(peer.subscriber_id, "k1", Ed25519PrivateKey.generate())
        body = peer.subscribe_request().model_dump_json(by_alias=True, exclude_none=True).encode()
        response = _post(
            f"{network.node.registry_url}/subscribe", body, {"Authorization": other.sign(body)}
        )
        assert response.status_code == 401
    finally:
        peer.stop()


def test_discover_answers_from_the_live_sellers_despite_a_slow_and_a_dead_one(
    network: Network,
) -> None:
    body = _discover_body(network, "mango")
    transaction_id = json.loads(body)["context"]["transactionId"]
    message_id = json.loads(body)["context"]["messageId"]
    started = time.monotonic()
    response = _post(
        f"{network.node.gateway_url}/discover",
        body,
        {"Authorization": network.bap.identity.sign(body)},
    )
    assert response.status_code == 200
    gateway_key = network.node.cli("network", "info").stdout
    checked = verify_ack(
        response.content,
        request_body=body,
        message_id=message_id,
        public_key=json.loads(gateway_key)["signing_public_key"],
    )
    assert checked.ack.status == "ACK"

    # The market, the juice bar and the not-yet-indexed publisher answer; the slow one cannot.
    answers = _callbacks(network.bap, transaction_id, 3, within=5.0)
    senders = {received.inbound.sender.subscriber_id for received in answers}
    assert senders == {"market.example.test", "juice.example.test", "index.example.test"}
    # Both arrived long before the slow seller's eight seconds, within the five-second TTL.
    assert all(received.at - started < 3.0 for received in answers)
    for received in answers:
        assert received.inbound.gateway is not None  # relayed, signed by the gateway too
        names = [
            resource.descriptor.name
            for catalog in received.inbound.message.message.catalogs
            for resource in catalog.resources
        ]
        assert all("mango" in name.lower() for name in names)
        if received.inbound.sender.subscriber_id != "index.example.test":
            assert names


def test_a_discover_no_seller_serves_is_acknowledged_without_callback(network: Network) -> None:
    body = _discover_body(network, "mango", domain="mobility")
    response = _post(
        f"{network.node.gateway_url}/discover",
        body,
        {"Authorization": network.bap.identity.sign(body)},
    )
    assert response.status_code == 409
    assert response.json()["status"] == "ACK"
    assert "no seller platform" in response.json()["error"]["errorMessage"]


def test_the_gateway_answers_from_its_index_what_a_seller_published(network: Network) -> None:
    publisher = network.publisher
    message = {
        "context": {
            **discover_message(network.bap, "")["context"],
            "action": "catalog/publish",
            "bppId": publisher.subscriber_id,
            "bppUri": publisher.url,
        },
        "message": {"catalogs": [publisher.catalog()]},
    }
    for name in ("bapId", "bapUri"):
        del message["context"][name]
    body = json.dumps(message).encode()
    response = _post(
        f"{network.node.gateway_url}/catalog/publish",
        body,
        {"Authorization": publisher.identity.sign(body)},
    )
    assert response.status_code == 200, response.text
    reports = _callbacks(publisher, message["context"]["transactionId"], 1, within=5.0)
    assert reports[0].inbound.action == "catalog/on_publish"
    result = reports[0].inbound.message.message.results[0]
    assert (result.catalog_id, result.status) == (f"{publisher.subscriber_id}-catalog", "ACCEPTED")

    body = _discover_body(network, "cassava")
    transaction_id = json.loads(body)["context"]["transactionId"]
    response = _post(
        f"{network.node.gateway_url}/discover",
        body,
        {"Authorization": network.bap.identity.sign(body)},
    )
    assert response.status_code == 200
    # The sellers answer this discover too; wait for the gateway's own answer, whichever of
    # them comes first.
    from_index = _callbacks(network.bap, transaction_id, 1, within=5.0, sender_type="BG")
    assert len(from_index) == 1
    catalogs = from_index[0].inbound.message.message.catalogs
    assert [catalog.bpp_id for catalog in catalogs] == [publisher.subscriber_id]
    assert [r.descriptor.name for r in catalogs[0].resources] == ["Cassava flour"]
    assert from_index[0].inbound.message.context.request_digest is not None
    # The publisher is answered from the index, so it never receives the discover itself.
    assert not [
        r
        for r in publisher.received
        if r.inbound.action == "discover"
        and r.inbound.message.context.transaction_id == transaction_id
    ]


def _refused(network: Network, body: bytes, header: str) -> httpx.Response:
    response = _post(f"{network.node.gateway_url}/discover", body, {"Authorization": header})
    assert response.json()["status"] == "NACK"
    return response


def test_the_gateway_refuses_a_tampered_body(network: Network) -> None:
    body = _discover_body(network, "mango")
    response = _refused(network, body.replace(b"mango", b"mangp"), network.bap.identity.sign(body))
    assert response.status_code == 401


def test_the_gateway_refuses_a_signature_made_with_another_key(network: Network) -> None:
    body = _discover_body(network, "mango")
    impostor = BecknIdentity(network.bap.subscriber_id, "k1", Ed25519PrivateKey.generate())
    assert _refused(network, body, impostor.sign(body)).status_code == 401


def test_the_gateway_refuses_an_expired_signature(network: Network) -> None:
    body = _discover_body(network, "mango")
    an_hour_ago = FrozenClock(datetime.now(UTC) - timedelta(hours=1))
    past = BecknIdentity(network.bap.subscriber_id, "k1", network.bap.signing_key, an_hour_ago)
    response = _refused(network, body, past.sign(body, ttl_seconds=60))
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["errorMessage"]


def test_the_gateway_refuses_an_unknown_subscriber(network: Network) -> None:
    body = _discover_body(network, "mango")
    stranger = BecknIdentity("stranger.example.test", "k1", Ed25519PrivateKey.generate())
    assert _refused(network, body, stranger.sign(body)).status_code == 401


def test_the_gateway_refuses_a_schema_invalid_message_naming_the_field(network: Network) -> None:
    message = discover_message(network.bap, "mango")
    message["message"]["intent"]["textSearch"] = 42
    body = json.dumps(message).encode()
    response = _refused(network, body, network.bap.identity.sign(body))
    assert response.status_code == 400
    assert response.json()["error"]["path"] == "/message/intent/textSearch"


def test_a_revoked_subscriber_is_refused(network: Network) -> None:
    bap = _join(Peer("revoked.example.test", "BAP", network.node.registry_url), network.node)
    try:
        message = discover_message(bap, "mango")
        body = json.dumps(message).encode()
        url = f"{network.node.gateway_url}/discover"
        assert _post(url, body, {"Authorization": bap.identity.sign(body)}).status_code == 200
        revoked = network.node.cli("network", "subscriber", "revoke", bap.subscriber_id)
        assert revoked.returncode == 0, revoked.stderr
        time.sleep(2.2)  # the node's key cache holds a key two seconds at most
        response = _post(url, body, {"Authorization": bap.identity.sign(body)})
        assert response.status_code == 401
        assert "UNSUBSCRIBED" in response.json()["error"]["errorMessage"]
    finally:
        bap.stop()


def test_a_rotated_out_key_is_refused_after_its_window(network: Network) -> None:
    bap = _join(Peer("rotating.example.test", "BAP", network.node.registry_url), network.node)
    try:
        old = bap.identity
        new_key = Ed25519PrivateKey.generate()
        # The new key started an hour and a minute ago: the old one's hour of overlap is over.
        started = datetime.now(UTC) - timedelta(hours=1, minutes=1)
        request = bap.subscribe_request(
            unique_key_id="k2",
            signing_public_key=public_key_to_base64(new_key),
            valid_from=started,
        )
        # Signed with the current key, k1, which vouches for k2.
        assert bap.registry(lambda client: client.subscribe(request)).status == "SUBSCRIBED"
        new = BecknIdentity(bap.subscriber_id, "k2", new_key)
        body = json.dumps(discover_message(bap, "mango")).encode()
        url = f"{network.node.gateway_url}/discover"
        time.sleep(2.2)  # the node may still hold the old key from the subscribe check
        refused = _post(url, body, {"Authorization": old.sign(body)})
        assert refused.status_code == 401
        assert "no longer valid" in refused.json()["error"]["errorMessage"]
        assert _post(url, body, {"Authorization": new.sign(body)}).status_code == 200
    finally:
        bap.stop()


def test_a_registry_key_source_refreshes_on_a_miss_and_forgets_ended_keys(
    network: Network,
) -> None:
    bap = _join(Peer("cached.example.test", "BAP", network.node.registry_url), network.node)
    try:

        async def scenario() -> tuple[Any, Any, Any]:
            sender = BecknSender(network.sellers[0].identity)
            keys = RegistryKeySource(
                RegistryClient(network.node.registry_url, sender), cache_seconds=1.0
            )
            try:
                before = await keys.signing_key(bap.subscriber_id, "k1")
                request = bap.subscribe_request(
                    unique_key_id="k2",
                    signing_public_key=public_key_to_base64(Ed25519PrivateKey.generate()),
                    valid_from=datetime.now(UTC) - timedelta(hours=1, minutes=1),
                )
                subscribe_sender = BecknSender(bap.identity)
                try:
                    await RegistryClient(network.node.registry_url, subscribe_sender).subscribe(
                        request
                    )
                finally:
                    await subscribe_sender.aclose()
                rotated_in = await keys.signing_key(bap.subscriber_id, "k2")  # a miss: asked
                # The cache trusts what it read for a while; then the registry, which no
                # longer lists k1 (its window ended an hour after k2 started), is asked again.
                await asyncio.sleep(1.1)
                rotated_out = await keys.signing_key(bap.subscriber_id, "k1")
                return before, rotated_in, rotated_out
            finally:
                await sender.aclose()

        before, rotated_in, rotated_out = asyncio.run(scenario())
        assert before is not None
        assert before.unique_key_id == "k1"
        assert rotated_in is not None
        assert rotated_in.unique_key_id == "k2"
        assert rotated_out is None
    finally:
        bap.stop()
