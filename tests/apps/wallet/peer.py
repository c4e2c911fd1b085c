"""Messages from "dfsp-x", another DFSP whose key wallet-b was given, as the switch forwards
them; and the quote and transfer bodies such a DFSP sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from comptoir.apps.wallet.service.customers import list_customers
from comptoir.apps.wallet.service.views import CustomerView
from comptoir.kernel.clock import utc_iso
from comptoir.kernel.ids import new_id
from tests.apps.wallet.conftest import BOB, KeyPair, Node

PEER = "dfsp-x"


def from_peer(
    node: Node, key: KeyPair, method: str, path: str, body: Any = None, **options: Any
) -> httpx.Response:
    """A message from dfsp-x, signed with its key, as the switch forwards it to wallet-b."""
    return node.switch.send(
        method, path, body, source=PEER, destination="wallet-b", key=key.private, **options
    )


def quote_request(value: str = "10", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "quoteId": str(new_id()),
        "transactionId": str(new_id()),
        "payee": {
            "partyIdInfo": {
                "partyIdType": "MSISDN",
                "partyIdentifier": "17585550202",
                "fspId": "wallet-b",
            }
        },
        "payer": {
            "partyIdInfo": {
                "partyIdType": "MSISDN",
                "partyIdentifier": "17585550999",
                "fspId": PEER,
            },
            "name": "Xavier",
        },
        "amountType": "SEND",
        "amount": {"currency": "XCD", "amount": value},
        "transactionType": {
            "scenario": "TRANSFER",
            "initiator": "PAYER",
            "initiatorType": "CONSUMER",
        },
    }
    body.update(changes)
    return body


def bob(node: Node) -> CustomerView:
    return next(c for c in list_customers(node.wallet, institution_id="wallet-b") if c.phone == BOB)


def bob_balance(node: Node) -> int:
    return bob(node).balance.minor


def quoted(node: Node, key: KeyPair, amount: str = "10") -> tuple[dict[str, Any], dict[str, Any]]:
    request = quote_request(amount)
    assert from_peer(node, key, "POST", "/quotes", request).status_code == 202
    node.pump()
    answer = node.switch.last("PUT", f"/quotes/{request['quoteId']}")
    assert answer.body is not None
    return request, answer.body


def transfer_for(answer: dict[str, Any], node: Node, **changes: Any) -> dict[str, Any]:
    body = {
        "transferId": str(new_id()),
        "payerFsp": PEER,
        "payeeFsp": "wallet-b",
        "amount": answer["transferAmount"],
        "ilpPacket": answer["ilpPacket"],
        "condition": answer["condition"],
        "expiration": utc_iso(node.clock.now() + timedelta(seconds=30)),
    }
    body.update(changes)
    return body
