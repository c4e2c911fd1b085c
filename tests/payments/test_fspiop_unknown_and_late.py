"""What the switch answers a DFSP that names what does not exist, or answers too late: a
callback about an id nobody made is refused at once with 404 (API Definition table 4, "the
resource specified in the URI was not found"); a request naming, in its body, a DFSP that is
not a participant hears 3203 (payee FSP) or 3202 (payer FSP), not 3204 (a party nobody holds);
a fulfilment that comes after its transfer expired hears why the transfer failed, 3303; an
answer that commits without its fulfilment is refused at once, 3102, and aborts nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from comptoir.kernel.ids import new_id
from tests.payments import test_switch_e2e as e2e
from tests.payments.fspiop_peer import Peer
from tests.payments.outside_world import moment, quote_document
from tests.payments.test_switch_e2e import Node, error_code

pytestmark = pytest.mark.slow
node = e2e.node
payer = e2e.payer
payee = e2e.payee
__all__ = ["node", "payee", "payer"]  # the fixtures this module uses


@pytest.mark.parametrize(
    ("resource", "document", "code"),
    [
        ("transfers", {"transferState": "COMMITTED", "fulfilment": "A" * 43}, "3208"),
        (
            "quotes",
            {
                "transferAmount": {"currency": "XCD", "amount": "1"},
                "expiration": "2030-01-01T00:00:00.000Z",
                "ilpPacket": "AQAAAAAAAABkEGcuYmFuay1iLnBheWVl",
                "condition": "A" * 43,
            },
            "3205",
        ),
        ("transactionRequests", {"transactionRequestState": "ACCEPTED"}, "3206"),
    ],
)
def test_a_callback_about_an_id_nobody_made_is_refused_at_once_with_404(
    payee: Peer, payer: Peer, resource: str, document: dict[str, object], code: str
) -> None:
    answered = payee.send(
        "PUT",
        f"/{resource}/{new_id()}",
        resource=resource,
        document=document,
        destination=payer.fsp_id,
    )
    assert answered.status_code == 404, answered.text
    assert answered.json()["errorInformation"]["errorCode"] == code


def test_a_quote_naming_a_payee_fsp_that_is_not_a_participant_hears_3203(payer: Peer) -> None:
    unknown_payee_fsp = {
        "partyIdInfo": {
            "partyIdType": "MSISDN",
            "partyIdentifier": "17585550102",
            "fspId": "no-such-bank",
        }
    }
    document = quote_document(payee=unknown_payee_fsp)
    quote_id = document["quoteId"]
    assert payer.send("POST", "/quotes", resource="quotes", document=document).status_code == 202
    refused = payer.wait_for("PUT", f"/quotes/{quote_id}/error")
    assert error_code(refused.json()) == "3203"
    assert "no-such-bank" in refused.json()["errorInformation"]["errorDescription"]


def test_a_request_to_pay_naming_a_payer_fsp_that_is_not_a_participant_hears_3202(
    payee: Peer,
) -> None:
    request_id = str(new_id())
    document = {
        "transactionRequestId": request_id,
        "payee": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "17585550779"}},
        "payer": {
            "partyIdType": "MSISDN",
            "partyIdentifier": "17585550780",
            "fspId": "no-such-bank",
        },
        "amount": {"currency": "XCD", "amount": "12.25"},
        "transactionType": {
            "scenario": "PAYMENT",
            "initiator": "PAYEE",
            "initiatorType": "BUSINESS",
        },
        "expiration": moment(timedelta(minutes=5)),
    }
    sent = payee.send(
        "POST", "/transactionRequests", resource="transactionRequests", document=document
    )
    assert sent.status_code == 202, sent.text
    refused = payee.wait_for("PUT", f"/transactionRequests/{request_id}/error")
    assert error_code(refused.json()) == "3202"


def test_a_fulfilment_after_the_transfer_expired_hears_3303_and_moves_no_money(
    node: Node, payer: Peer, payee: Peer
) -> None:
    before = node.position_of(payer.fsp_id)
    document, fulfilment = payer.prepare(payee, "1", expires_in=timedelta(seconds=2))
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    assert error_code(payer.wait_for("PUT", f"{path}/error", timeout=15).json()) == "3303"
    assert error_code(payee.wait_for("PUT", f"{path}/error", timeout=15).json()) == "3303"

    late = payee.send(
        "PUT",
        path,
        resource="transfers",
        destination=payer.fsp_id,
        document={
            "fulfilment": fulfilment,
            "completedTimestamp": moment(timedelta()),
            "transferState": "COMMITTED",
        },
    )
    assert late.status_code == 200, late.text
    told = payee.wait_for("PUT", f"{path}/error")
    assert error_code(told.json()) == "3303", told.json()
    assert node.position_of(payer.fsp_id) == before

    # A payee that refuses what already failed agrees with the switch: nothing to tell it.
    refusal = payee.send(
        "PUT",
        path,
        resource="transfers",
        destination=payer.fsp_id,
        document={"completedTimestamp": moment(timedelta()), "transferState": "ABORTED"},
    )
    assert refusal.status_code == 200, refusal.text
    with pytest.raises(AssertionError, match="got no PUT"):
        payee.wait_for("PUT", f"{path}/error", timeout=1.5)


@pytest.mark.parametrize("state", ["COMMITTED", "RESERVED"])
def test_an_answer_without_its_fulfilment_is_refused_3102_and_the_transfer_can_still_commit(
    payer: Peer, payee: Peer, state: str
) -> None:
    document, fulfilment = payer.prepare(payee, "1")
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    incomplete = payee.send(
        "PUT", path, resource="transfers", destination=payer.fsp_id,
        document={"transferState": state, "completedTimestamp": moment(timedelta())},
    )  # fmt: skip
    assert incomplete.status_code == 400, incomplete.text
    information = incomplete.json()["errorInformation"]
    assert information["errorCode"] == "3102"
    assert "fulfilment" in information["errorDescription"]

    complete = payee.send(
        "PUT", path, resource="transfers", destination=payer.fsp_id,
        document={"transferState": state, "fulfilment": fulfilment},
    )  # fmt: skip
    assert complete.status_code == 200, complete.text
    assert payer.wait_for("PUT", path).json()["transferState"] == "COMMITTED"


def test_the_switch_dates_a_commit_by_its_own_clock_not_the_payees(
    payer: Peer, payee: Peer
) -> None:
    started = datetime.now(UTC)
    document, fulfilment = payer.prepare(payee, "1")
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    payee.send(
        "PUT", path, resource="transfers", destination=payer.fsp_id,
        document={
            "transferState": "RESERVED",
            "fulfilment": fulfilment,
            "completedTimestamp": "2020-01-01T00:00:00.000Z",
        },
    )  # fmt: skip
    told = payer.wait_for("PUT", path).json()
    assert told["transferState"] == "COMMITTED"
    committed = datetime.fromisoformat(told["completedTimestamp"].replace("Z", "+00:00"))
    assert started - timedelta(seconds=1) <= committed <= datetime.now(UTC)


def _agreed_quote(payer: Peer, payee: Peer, valid_for: timedelta) -> str:
    """A quote passed through the switch, which the payee holds for `valid_for`."""
    document = quote_document(
        payee={
            "partyIdInfo": {
                "partyIdType": "MSISDN",
                "partyIdentifier": "17585550781",
                "fspId": payee.fsp_id,
            }
        }
    )
    quote_id = str(document["quoteId"])
    assert payer.send("POST", "/quotes", resource="quotes", document=document).status_code == 202
    payee.wait_for("POST", "/quotes")
    answer = {
        "transferAmount": {"currency": "XCD", "amount": "10"},
        "expiration": moment(valid_for),
        "ilpPacket": "AQAAAAAAAABkEGcuYmFuay1iLnBheWVl",
        "condition": "A" * 43,
    }
    path = f"/quotes/{quote_id}"
    payee.send("PUT", path, resource="quotes", destination=payer.fsp_id, document=answer)
    payer.wait_for("PUT", path)
    return quote_id


def test_a_transfer_on_a_quote_that_has_expired_hears_3302_and_moves_no_money(
    node: Node, payer: Peer, payee: Peer
) -> None:
    expired = _agreed_quote(payer, payee, timedelta(seconds=1))
    current = _agreed_quote(payer, payee, timedelta(minutes=1))
    time.sleep(1.2)
    before = node.position_of(payer.fsp_id)

    late, _ = payer.prepare(
        payee, "10", transaction={"transactionId": str(new_id()), "quoteId": expired}
    )
    payer.send("POST", "/transfers", resource="transfers", document=late)
    told = payer.wait_for("PUT", f"/transfers/{late['transferId']}/error").json()
    assert error_code(told) == "3302", told
    assert node.position_of(payer.fsp_id) == before

    in_time, _ = payer.prepare(
        payee, "10", transaction={"transactionId": str(new_id()), "quoteId": current}
    )
    payer.send("POST", "/transfers", resource="transfers", document=in_time)
    assert payee.wait_for("POST", "/transfers").json()["transferId"] == in_time["transferId"]


def test_a_refund_that_names_no_original_transaction_hears_3100_and_moves_no_money(
    node: Node, payer: Peer, payee: Peer
) -> None:
    before = node.position_of(payee.fsp_id)
    unlinked = {
        "transactionId": str(new_id()),
        "transactionType": {
            "scenario": "REFUND",
            "initiator": "PAYER",
            "initiatorType": "BUSINESS",
        },
    }
    document, _ = payee.prepare(payer, "1", transaction=unlinked)
    payee.send("POST", "/transfers", resource="transfers", document=document)
    told = payee.wait_for("PUT", f"/transfers/{document['transferId']}/error").json()
    assert error_code(told) == "3100", told
    assert "refundInfo" in told["errorInformation"]["errorDescription"]
    assert node.position_of(payee.fsp_id) == before


def test_a_request_to_pay_answered_after_it_expired_is_not_passed_on_and_both_hear_3301(
    payer: Peer, payee: Peer
) -> None:
    request_id = str(new_id())
    document = {
        "transactionRequestId": request_id,
        "payee": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "17585550782"}},
        "payer": {
            "partyIdType": "MSISDN",
            "partyIdentifier": "17585550783",
            "fspId": payer.fsp_id,
        },
        "amount": {"currency": "XCD", "amount": "12.25"},
        "transactionType": {
            "scenario": "PAYMENT",
            "initiator": "PAYEE",
            "initiatorType": "BUSINESS",
        },
        "expiration": moment(timedelta(seconds=1)),
    }
    sent = payee.send(
        "POST", "/transactionRequests", resource="transactionRequests", document=document
    )
    assert sent.status_code == 202, sent.text
    payer.wait_for("POST", "/transactionRequests")
    time.sleep(1.2)
    path = f"/transactionRequests/{request_id}"
    late = payer.send(
        "PUT", path, resource="transactionRequests", destination=payee.fsp_id,
        document={"transactionRequestState": "RECEIVED"},
    )  # fmt: skip
    assert late.status_code == 200, late.text
    for side in (payee, payer):
        assert error_code(side.wait_for("PUT", f"{path}/error").json()) == "3301"
    with pytest.raises(AssertionError, match="got no PUT"):
        payee.wait_for("PUT", path, timeout=1.5)


def test_a_quote_whose_destination_and_body_name_different_payee_fsps_hears_3100(
    payer: Peer, payee: Peer
) -> None:
    document = quote_document(
        payee={
            "partyIdInfo": {
                "partyIdType": "MSISDN",
                "partyIdentifier": "17585550784",
                "fspId": payer.fsp_id,
            }
        }
    )
    sent = payer.send(
        "POST", "/quotes", resource="quotes", document=document, destination=payee.fsp_id
    )
    assert sent.status_code == 202, sent.text
    told = payer.wait_for("PUT", f"/quotes/{document['quoteId']}/error").json()
    assert error_code(told) == "3100", told
    assert "FSPIOP-Destination" in told["errorInformation"]["errorDescription"]
    with pytest.raises(AssertionError, match="got no POST"):
        payee.wait_for("POST", "/quotes", timeout=1.5)
