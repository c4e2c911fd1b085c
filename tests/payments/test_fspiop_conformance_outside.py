"""The switch as two DFSPs written from the FSPIOP v2.0 documents see it, over real HTTP: the
flows of the API Definition (payments, requests to pay, the directory and lookups), the
statuses of its section 3.2.4, the switch's own signed messages, duplicate handling (section
3.2.5), the routing by FSPIOP-Destination and the error callbacks of what goes wrong after the
202. The synchronous refusals are in `test_fspiop_conformance_refusals`."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from comptoir.kernel.fspiop import ilp
from comptoir.kernel.ids import new_id
from tests.payments import test_switch_e2e as e2e
from tests.payments.outside_dfsp import OutsideDfsp, media, verify_from_switch
from tests.payments.outside_world import (
    SWITCH_ID,
    moment,
    payee,
    payer,
    quote_document,
    refused,
    switch_jwks,
    transfer_document,
)

pytestmark = pytest.mark.slow
node = e2e.node
__all__ = ["node", "payee", "payer", "switch_jwks"]  # the fixtures this module uses


# -- a payment, end to end ------------------------------------------------------------------------


def test_a_transfer_commits_and_its_state_can_be_asked_for_and_resent_from_the_switch(
    payer: OutsideDfsp, payee: OutsideDfsp, switch_jwks: dict[str, Any]
) -> None:
    document, fulfilment = transfer_document(payer, payee)
    transfer_id = document["transferId"]
    prepared = payer.call(
        "POST", "/transfers", resource="transfers", document=document, destination=payee.fsp_id
    )
    assert (prepared.status_code, prepared.content) == (202, b"")
    forwarded = payee.wait_for("POST", "/transfers")
    assert forwarded.json() == document
    assert forwarded.headers["fspiop-source"] == payer.fsp_id
    assert forwarded.headers["fspiop-destination"] == payee.fsp_id

    path = f"/transfers/{transfer_id}"
    fulfilled = payee.call(
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
    assert fulfilled.status_code == 200, fulfilled.text
    assert payer.wait_for("PUT", path).json()["transferState"] == "COMMITTED"

    asked = payer.call("GET", path, resource="transfers", destination=SWITCH_ID)
    assert asked.status_code == 202, asked.text
    state = payer.wait_for("PUT", path)
    assert state.json()["transferState"] == "COMMITTED"
    assert state.headers["fspiop-source"] == SWITCH_ID
    assert state.headers["fspiop-destination"] == payer.fsp_id
    assert state.headers["content-type"] == media("transfers")
    assert "accept" not in state.headers
    verify_from_switch(state, switch_jwks, path)

    resent = payer.call(
        "POST", "/transfers", resource="transfers", document=document, destination=payee.fsp_id
    )
    assert resent.status_code == 202
    assert payer.wait_for("PUT", path).json()["transferState"] == "COMMITTED"

    changed = payer.call(
        "POST",
        "/transfers",
        resource="transfers",
        destination=payee.fsp_id,
        document={**document, "amount": {"currency": "XCD", "amount": "4"}},
    )
    assert changed.status_code == 202
    error = payer.wait_for("PUT", f"{path}/error")
    assert error.json()["errorInformation"]["errorCode"] == "3106"
    verify_from_switch(error, switch_jwks, f"{path}/error")


def test_a_payee_answer_of_received_is_refused_and_the_payer_hears_only_the_commit(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    document, fulfilment = transfer_document(payer, payee)
    path = f"/transfers/{document['transferId']}"
    payer.call(
        "POST", "/transfers", resource="transfers", document=document, destination=payee.fsp_id
    )
    payee.wait_for("POST", "/transfers")
    answer = {"fulfilment": fulfilment, "completedTimestamp": moment(timedelta())}
    received = payee.call(
        "PUT",
        path,
        resource="transfers",
        destination=payer.fsp_id,
        document={**answer, "transferState": "RECEIVED"},
    )
    refused(received, 400, "3100")
    committed = payee.call(
        "PUT",
        path,
        resource="transfers",
        destination=payer.fsp_id,
        document={**answer, "transferState": "COMMITTED"},
    )
    assert committed.status_code == 200, committed.text
    assert payer.wait_for("PUT", path).json()["transferState"] == "COMMITTED"


def test_a_transfer_in_a_currency_the_payer_does_not_hold_is_refused_with_4103_by_callback(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    document, _ = transfer_document(payer, payee, amount={"currency": "USD", "amount": "1"})
    answer = payer.call(
        "POST", "/transfers", resource="transfers", document=document, destination=payee.fsp_id
    )
    assert answer.status_code == 202, answer.text
    error = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    assert error.json()["errorInformation"]["errorCode"] == "4103"


def test_a_transfer_whose_destination_is_not_its_payee_fsp_is_refused_by_callback(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    for destination, code in (("nobody-here", "3201"), (payer.fsp_id, "3100")):
        document, _ = transfer_document(payer, payee)
        answer = payer.call(
            "POST", "/transfers", resource="transfers", document=document, destination=destination
        )
        assert answer.status_code == 202, answer.text
        error = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
        assert error.json()["errorInformation"]["errorCode"] == code, destination
        assert not _sent_on(payee, "POST", "/transfers", "transferId", document["transferId"])
    # Naming the switch leaves the routing to it: the payee FSP of the body.
    document, _ = transfer_document(payer, payee)
    payer.call("POST", "/transfers", resource="transfers", document=document, destination=SWITCH_ID)
    assert _sent_on(payee, "POST", "/transfers", "transferId", document["transferId"])


def test_a_transfer_nobody_made_is_answered_3208_by_error_callback(payer: OutsideDfsp) -> None:
    path = f"/transfers/{new_id()}"
    assert payer.call("GET", path, resource="transfers", destination=SWITCH_ID).status_code == 202
    error = payer.wait_for("PUT", f"{path}/error")
    assert error.json()["errorInformation"]["errorCode"] == "3208"


def request_to_pay_document(request_id: str, *, expires_in: timedelta) -> dict[str, Any]:
    """A merchant's request to pay of XCD 12.25, expiring `expires_in` from now."""
    return {
        "transactionRequestId": request_id,
        "payee": {
            "partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "17585550779"},
            "name": "Helen's Spices",
            "merchantClassificationCode": "5411",
        },
        "payer": {"partyIdType": "MSISDN", "partyIdentifier": "17585550780"},
        "amount": {"currency": "XCD", "amount": "12.25"},
        "transactionType": {
            "scenario": "PAYMENT",
            "initiator": "PAYEE",
            "initiatorType": "BUSINESS",
        },
        "authenticationType": "OTP",
        "expiration": moment(expires_in),
    }


def send_request_to_pay(
    payee: OutsideDfsp, payer: OutsideDfsp, document: dict[str, Any]
) -> httpx.Response:
    return payee.call(
        "POST",
        "/transactionRequests",
        resource="transactionRequests",
        document=document,
        destination=payer.fsp_id,
    )


def test_a_request_to_pay_and_its_answer_pass_between_the_two_dfsps(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    request_id = str(new_id())
    document = request_to_pay_document(request_id, expires_in=timedelta(minutes=5))
    sent = send_request_to_pay(payee, payer, document)
    assert sent.status_code == 202, sent.text
    assert payer.wait_for("POST", "/transactionRequests").json() == document

    path = f"/transactionRequests/{request_id}"
    odd = payer.call(
        "PUT",
        path,
        resource="transactionRequests",
        destination=payee.fsp_id,
        document={"transactionRequestState": "RECEIVED", "note": "not here"},
    )
    refused(odd, 400, "3100", "3101")
    answered = payer.call(
        "PUT",
        path,
        resource="transactionRequests",
        destination=payee.fsp_id,
        document={"transactionRequestState": "RECEIVED"},
    )
    assert answered.status_code == 200, answered.text
    assert payee.wait_for("PUT", path).json() == {"transactionRequestState": "RECEIVED"}


def test_a_lookup_of_an_id_written_with_percent_escapes_reaches_the_dfsp_as_sent(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    plain = "ana maria+shop@example.org"
    escaped = quote(plain, safe="")
    registered = payee.call(
        "POST",
        f"/participants/EMAIL/{escaped}",
        resource="participants",
        document={"fspId": payee.fsp_id},
        destination=SWITCH_ID,
    )
    assert registered.status_code == 202, registered.text
    # The recording server reads paths decoded; FSPIOP-URI is the path as it went on the wire.
    answer = payee.wait_for("PUT", f"/participants/EMAIL/{plain}")
    assert answer.json() == {"fspId": payee.fsp_id}
    assert answer.headers["fspiop-uri"] == f"/participants/EMAIL/{escaped}"
    asked = payer.call("GET", f"/parties/EMAIL/{escaped}", resource="parties")
    assert asked.status_code == 202, asked.text
    lookup = payee.wait_for("GET", f"/parties/EMAIL/{plain}")
    assert lookup.headers["fspiop-source"] == payer.fsp_id


@pytest.mark.parametrize("party_type", ["PERSONAL_ID", "DEVICE", "ACCOUNT_ID", "IBAN"])
def test_a_party_of_any_type_of_the_api_can_be_registered_and_looked_up(
    payer: OutsideDfsp, payee: OutsideDfsp, party_type: str
) -> None:
    path = f"/{party_type}/LC{new_id().hex[:20].upper()}"
    registered = payee.call(
        "POST",
        f"/participants{path}",
        resource="participants",
        document={"fspId": payee.fsp_id},
        destination=SWITCH_ID,
    )
    assert registered.status_code == 202, registered.text
    payee.wait_for("PUT", f"/participants{path}")
    assert payer.call("GET", f"/parties{path}", resource="parties").status_code == 202
    assert payee.wait_for("GET", f"/parties{path}").headers["fspiop-source"] == payer.fsp_id


def test_a_party_type_the_api_does_not_have_cannot_be_registered(payee: OutsideDfsp) -> None:
    registered = payee.call(
        "POST",
        "/participants/NICKNAME/ana",
        resource="participants",
        document={"fspId": payee.fsp_id},
        destination=SWITCH_ID,
    )
    refused(registered, 400, "3100")


def test_a_destination_that_is_no_participant_is_answered_3201_destination_fsp_error(
    payer: OutsideDfsp,
) -> None:
    document = quote_document()
    sent = payer.call(
        "POST", "/quotes", resource="quotes", document=document, destination="nobody-here"
    )
    assert sent.status_code == 202, sent.text
    error = payer.wait_for("PUT", f"/quotes/{document['quoteId']}/error")
    assert error.json()["errorInformation"]["errorCode"] == "3201"
    asked = payer.call(
        "GET", "/parties/MSISDN/17585550790", resource="parties", destination="nobody-here"
    )
    assert asked.status_code == 202, asked.text
    error = payer.wait_for("PUT", "/parties/MSISDN/17585550790/error")
    assert error.json()["errorInformation"]["errorCode"] == "3201"


def test_a_quote_naming_the_switch_as_destination_goes_to_the_payee_fsp_of_its_body(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    party = {"partyIdType": "MSISDN", "partyIdentifier": "17585550791", "fspId": payee.fsp_id}
    document = quote_document(payee={"partyIdInfo": party})
    sent = payer.call(
        "POST", "/quotes", resource="quotes", document=document, destination=SWITCH_ID
    )
    assert sent.status_code == 202, sent.text
    assert payee.wait_for("POST", "/quotes").json() == document


def quote_answer() -> dict[str, Any]:
    """A payee's answer to `quote_document()`, valid for a minute."""
    _, condition = ilp.new_fulfilment()
    return {
        "transferAmount": {"currency": "XCD", "amount": "10"},
        "expiration": moment(timedelta(minutes=1)),
        "ilpPacket": "AYIBgQAAAAAAAASw",
        "condition": condition,
    }


def test_an_answer_whose_destination_names_another_dfsp_than_the_asker_isrefused(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    document = quote_document()
    payer.call("POST", "/quotes", resource="quotes", document=document, destination=payee.fsp_id)
    payee.wait_for("POST", "/quotes")
    answer = quote_answer()
    path = f"/quotes/{document['quoteId']}"
    astray = payee.call("PUT", path, resource="quotes", document=answer, destination=payee.fsp_id)
    refused(astray, 400, "3100")
    answered = payee.call("PUT", path, resource="quotes", document=answer, destination=payer.fsp_id)
    assert answered.status_code == 200, answered.text
    assert payer.wait_for("PUT", path).json() == answer


def _sent_on(peer: OutsideDfsp, method: str, path: str, key: str, value: str) -> bool:
    """Whether `peer` has been sent a `method path` whose body's `key` is `value` (what it
    was sent otherwise stays queued)."""
    try:
        while True:
            if peer.wait_for(method, path, timeout=0.5).json().get(key) == value:
                return True
    except AssertionError:
        return False


def test_a_quote_request_already_expired_is_answered_3302_and_goes_no_further(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    document = quote_document(expiration=moment(timedelta(seconds=-5)))
    sent = payer.call(
        "POST", "/quotes", resource="quotes", document=document, destination=payee.fsp_id
    )
    assert sent.status_code == 202, sent.text
    error = payer.wait_for("PUT", f"/quotes/{document['quoteId']}/error")
    assert error.json()["errorInformation"]["errorCode"] == "3302"
    assert not _sent_on(payee, "POST", "/quotes", "quoteId", document["quoteId"])


def test_a_quote_answered_after_its_request_expired_is_not_passed_on_and_both_hear_3302(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    expires = time.monotonic() + 2
    document = quote_document(expiration=moment(timedelta(seconds=2)))
    payer.call("POST", "/quotes", resource="quotes", document=document, destination=payee.fsp_id)
    assert payee.wait_for("POST", "/quotes").json() == document
    time.sleep(max(0.0, expires - time.monotonic()) + 0.2)
    answer = quote_answer()
    path = f"/quotes/{document['quoteId']}"
    late = payee.call("PUT", path, resource="quotes", document=answer, destination=payer.fsp_id)
    assert late.status_code == 200, late.text
    for side in (payer, payee):
        assert side.wait_for("PUT", f"{path}/error").json()["errorInformation"]["errorCode"] == (
            "3302"
        )
    with pytest.raises(AssertionError):
        payer.wait_for("PUT", path, timeout=0.5)


def test_a_request_to_pay_already_expired_is_answered_3301_and_goes_no_further(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    request_id = str(new_id())
    document = request_to_pay_document(request_id, expires_in=timedelta(seconds=-5))
    sent = send_request_to_pay(payee, payer, document)
    assert sent.status_code == 202, sent.text
    error = payee.wait_for("PUT", f"/transactionRequests/{request_id}/error")
    assert error.json()["errorInformation"]["errorCode"] == "3301"
    assert not _sent_on(payer, "POST", "/transactionRequests", "transactionRequestId", request_id)


def test_a_request_dated_in_an_obsolete_http_date_form_is_accepted(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    now = datetime.now(UTC)
    for date in (now.strftime("%A, %d-%b-%y %H:%M:%S GMT"), now.strftime("%a %b %e %H:%M:%S %Y")):
        path = f"/transfers/{new_id()}"
        headers = payer.headers(
            "GET", path, resource="transfers", destination=SWITCH_ID, body=b"", date=date
        )
        answer = payer.client.get(payer.switch_url + path, headers=headers)
        assert answer.status_code == 202, (date, answer.text)
        payer.wait_for("PUT", f"{path}/error")
