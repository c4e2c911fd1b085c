"""A transfer the switch cannot make is refused to its payer before anything is reserved or
relayed: a payee FSP that is not a participant (3203), a currency the payee's FSP does not hold
(5106), a refund of a transaction the switch never committed (3207) or of more than is left
of it (3100). Each is told in `PUT /transfers/{ID}/error`, the payee hears nothing, and the
payer's position and reservations stay as they were."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.kernel.ids import new_id
from tests.payments import test_switch_e2e as e2e
from tests.payments.fspiop_peer import Peer
from tests.payments.test_switch_e2e import Node, error_code

pytestmark = pytest.mark.slow
node = e2e.node
payer = e2e.payer
payee = e2e.payee
__all__ = ["node", "payee", "payer"]  # the fixtures this module uses


def _refused(
    node: Node, payer: Peer, payee: Peer, document: dict[str, Any], destination: str | None
) -> dict[str, Any]:
    before = node.position_of(payer.fsp_id)
    sent = payer.send(
        "POST", "/transfers", resource="transfers", document=document, destination=destination
    )
    assert sent.status_code == 202, sent.text
    told: dict[str, Any] = payer.wait_for(
        "PUT", f"/transfers/{document['transferId']}/error"
    ).json()
    with pytest.raises(AssertionError, match="got no POST"):
        payee.wait_for("POST", "/transfers", timeout=1)
    assert node.position_of(payer.fsp_id) == before
    return told


def test_a_transfer_to_a_payee_fsp_that_is_not_a_participant_is_refused_with_3203(
    node: Node, payer: Peer, payee: Peer
) -> None:
    document, _ = payer.prepare(payee, "5")
    document["payeeFsp"] = "no-such-fsp"

    told = _refused(node, payer, payee, document, destination=None)

    assert error_code(told) == "3203", told


def test_a_transfer_in_a_currency_the_payees_fsp_does_not_hold_is_refused_with_5106(
    node: Node, payer: Peer, payee: Peer
) -> None:
    if f"{payer.fsp_id}\tUSD" not in node.comptoir("switch", "positions").stdout:
        added = node.comptoir(
            "switch", "participant", "add-currency", payer.fsp_id,
            "--currency", "USD", "--ndc", "10.00",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    document, _ = payer.prepare(payee, "5")
    document["amount"] = {"currency": "USD", "amount": "5"}

    told = _refused(node, payer, payee, document, destination=payee.fsp_id)

    assert error_code(told) == "5106", told


def _refund(payee: Peer, payer: Peer, amount: str, original_transaction: str) -> dict[str, Any]:
    """A refund sent back by the payee's DFSP (`payee` here pays, `payer` receives)."""
    document, _ = payee.prepare(
        payer,
        amount,
        transaction={
            "transactionId": str(new_id()),
            "transactionType": {
                "scenario": "REFUND",
                "initiator": "PAYER",
                "initiatorType": "BUSINESS",
                "refundInfo": {"originalTransactionId": original_transaction},
            },
        },
    )
    return document


def test_a_refund_of_a_transaction_the_switch_never_committed_is_refused_with_3207(
    node: Node, payer: Peer, payee: Peer
) -> None:
    document = _refund(payee, payer, "1", str(new_id()))

    told = _refused(node, payee, payer, document, destination=payer.fsp_id)

    assert error_code(told) == "3207", told


def test_a_refund_of_more_than_is_left_of_its_payment_is_refused_and_the_rest_still_goes(
    node: Node, payer: Peer, payee: Peer
) -> None:
    transaction_id = str(new_id())
    document, fulfilment = payer.prepare(payee, "10", transaction={"transactionId": transaction_id})
    payer.send(
        "POST", "/transfers", resource="transfers", document=document, destination=payee.fsp_id
    )
    payee.wait_for("POST", "/transfers")
    payee.send(
        "PUT",
        f"/transfers/{document['transferId']}",
        resource="transfers",
        destination=payer.fsp_id,
        document={
            "fulfilment": fulfilment,
            "completedTimestamp": document["expiration"],
            "transferState": "COMMITTED",
        },
    )
    payer.wait_for("PUT", f"/transfers/{document['transferId']}")

    too_much = _refund(payee, payer, "10.01", transaction_id)
    told = _refused(node, payee, payer, too_much, destination=payer.fsp_id)
    assert error_code(told) == "3100", told
    assert "left of the original transfer" in told["errorInformation"]["errorDescription"]

    all_of_it = _refund(payee, payer, "10", transaction_id)
    sent = payee.send(
        "POST", "/transfers", resource="transfers", document=all_of_it, destination=payer.fsp_id
    )
    assert sent.status_code == 202
    assert payer.wait_for("POST", "/transfers").json()["transferId"] == all_of_it["transferId"]
