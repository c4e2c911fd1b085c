"""Where the outside conformance tests run: a switch started as `comptoir serve`, two DFSPs
of `outside_dfsp` joined to it by the operator's commands, and the bodies they send."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from comptoir.kernel.fspiop import ilp
from comptoir.kernel.ids import new_id
from tests.payments.outside_dfsp import OutsideDfsp
from tests.payments.test_switch_e2e import Node

SWITCH_ID = "comptoir-switch"


@pytest.fixture(scope="module")
def switch_jwks(node: Node) -> dict[str, Any]:
    printed = node.comptoir("switch", "jwks")
    assert printed.returncode == 0, printed.stderr
    document: dict[str, Any] = json.loads(printed.stdout)
    return document


def joined(node: Node, fsp_id: str, folder: Any) -> Iterator[OutsideDfsp]:
    dfsp = OutsideDfsp(fsp_id, node.server.url + "/switch")
    with dfsp.serving():
        node.join(dfsp, folder)
        yield dfsp


@pytest.fixture(scope="module")
def payer(node: Node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutsideDfsp]:
    yield from joined(node, "outside-payer", tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def payee(node: Node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutsideDfsp]:
    yield from joined(node, "outside-payee", tmp_path_factory.mktemp("keys"))


def moment(after: timedelta) -> str:
    return (datetime.now(UTC) + after).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def transfer_document(
    payer: OutsideDfsp, payee: OutsideDfsp, **changes: Any
) -> tuple[dict[str, Any], str]:
    fulfilment, condition = ilp.new_fulfilment()
    document: dict[str, Any] = {
        "transferId": str(new_id()),
        "payerFsp": payer.fsp_id,
        "payeeFsp": payee.fsp_id,
        "amount": {"currency": "XCD", "amount": "3.5"},
        "ilpPacket": ilp.transaction_packet(
            {"transactionId": str(new_id())},
            amount=0,
            destination=f"g.{payee.fsp_id}",
            condition=condition,
            expires_at=datetime.now(UTC) + timedelta(seconds=30),
        ),
        "condition": condition,
        "expiration": moment(timedelta(seconds=30)),
    }
    document.update(changes)
    return document, fulfilment


def quote_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "quoteId": str(new_id()),
        "transactionId": str(new_id()),
        "payee": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "17585550777"}},
        "payer": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "17585550778"}},
        "amountType": "SEND",
        "amount": {"currency": "XCD", "amount": "10"},
        "transactionType": {
            "scenario": "TRANSFER",
            "initiator": "PAYER",
            "initiatorType": "CONSUMER",
        },
    }
    document.update(changes)
    return document


def refused(answer: httpx.Response, status: int, *codes: str) -> dict[str, Any]:
    """A synchronous error: the status, and an ErrorInformationResponse with one of `codes`."""
    assert answer.status_code == status, answer.text
    information: dict[str, Any] = answer.json()["errorInformation"]
    assert information["errorCode"] in codes, information
    assert 1 <= len(information["errorDescription"]) <= 128
    return information
