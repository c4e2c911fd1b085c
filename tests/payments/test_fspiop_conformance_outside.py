"""The switch as two DFSPs written from the FSPIOP v2.0 documents see it, over real HTTP: the
statuses and synchronous errors of the API Definition (sections 3.2.4 and 3.3.4), the body
schemas of the OpenAPI document, the signatures of the Signature document, duplicate handling
(section 3.2.5) and the error callbacks of what goes wrong after the 202."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from comptoir.kernel.fspiop import ilp
from comptoir.kernel.ids import new_id
from tests.payments import test_switch_e2e as e2e
from tests.payments.outside_dfsp import OutsideDfsp, media, verify_from_switch
from tests.payments.test_switch_e2e import Node

pytestmark = pytest.mark.slow
node = e2e.node
SWITCH_ID = "comptoir-switch"


@pytest.fixture(scope="module")
def switch_jwks(node: Node) -> dict[str, Any]:
    printed = node.comptoir("switch", "jwks")
    assert printed.returncode == 0, printed.stderr
    document: dict[str, Any] = json.loads(printed.stdout)
    return document


def _joined(node: Node, fsp_id: str, folder: Any) -> Iterator[OutsideDfsp]:
    dfsp = OutsideDfsp(fsp_id, node.server.url + "/switch")
    with dfsp.serving():
        node.join(dfsp, folder)
        yield dfsp


@pytest.fixture(scope="module")
def payer(node: Node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutsideDfsp]:
    yield from _joined(node, "outside-payer", tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def payee(node: Node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutsideDfsp]:
    yield from _joined(node, "outside-payee", tmp_path_factory.mktemp("keys"))


def _moment(after: timedelta) -> str:
    return (datetime.now(UTC) + after).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _transfer(payer: OutsideDfsp, payee: OutsideDfsp, **changes: Any) -> tuple[dict[str, Any], str]:
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
        "expiration": _moment(timedelta(seconds=30)),
    }
    document.update(changes)
    return document, fulfilment


def _quote(**changes: Any) -> dict[str, Any]:
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


def _refused(answer: httpx.Response, status: int, *codes: str) -> dict[str, Any]:
    """A synchronous error: the status, and an ErrorInformationResponse with one of `codes`."""
    assert answer.status_code == status, answer.text
    information: dict[str, Any] = answer.json()["errorInformation"]
    assert information["errorCode"] in codes, information
    assert 1 <= len(information["errorDescription"]) <= 128
    return information


# -- a payment, end to end ------------------------------------------------------------------------


def test_a_transfer_commits_and_its_state_can_be_asked_for_and_resent_from_the_switch(
    payer: OutsideDfsp, payee: OutsideDfsp, switch_jwks: dict[str, Any]
) -> None:
    document, fulfilment = _transfer(payer, payee)
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
            "completedTimestamp": _moment(timedelta()),
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
    document, fulfilment = _transfer(payer, payee)
    path = f"/transfers/{document['transferId']}"
    payer.call(
        "POST", "/transfers", resource="transfers", document=document, destination=payee.fsp_id
    )
    payee.wait_for("POST", "/transfers")
    answer = {"fulfilment": fulfilment, "completedTimestamp": _moment(timedelta())}
    received = payee.call(
        "PUT", path, resource="transfers", destination=payer.fsp_id,
        document={**answer, "transferState": "RECEIVED"},
    )  # fmt: skip
    _refused(received, 400, "3100")
    committed = payee.call(
        "PUT", path, resource="transfers", destination=payer.fsp_id,
        document={**answer, "transferState": "COMMITTED"},
    )  # fmt: skip
    assert committed.status_code == 200, committed.text
    assert payer.wait_for("PUT", path).json()["transferState"] == "COMMITTED"


def test_a_transfer_in_a_currency_the_payer_does_not_hold_is_refused_with_4103_by_callback(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    document, _ = _transfer(payer, payee, amount={"currency": "USD", "amount": "1"})
    answer = payer.call(
        "POST", "/transfers", resource="transfers", document=document, destination=payee.fsp_id
    )
    assert answer.status_code == 202, answer.text
    error = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    assert error.json()["errorInformation"]["errorCode"] == "4103"


def test_a_transfer_nobody_made_is_answered_3208_by_error_callback(payer: OutsideDfsp) -> None:
    path = f"/transfers/{new_id()}"
    assert payer.call("GET", path, resource="transfers", destination=SWITCH_ID).status_code == 202
    error = payer.wait_for("PUT", f"{path}/error")
    assert error.json()["errorInformation"]["errorCode"] == "3208"


def test_a_request_to_pay_and_its_answer_pass_between_the_two_dfsps(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    request_id = str(new_id())
    document = {
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
        "expiration": _moment(timedelta(minutes=5)),
    }
    sent = payee.call(
        "POST",
        "/transactionRequests",
        resource="transactionRequests",
        document=document,
        destination=payer.fsp_id,
    )
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
    _refused(odd, 400, "3100", "3101")
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


def test_a_destination_that_is_no_participant_is_answered_3201_destination_fsp_error(
    payer: OutsideDfsp,
) -> None:
    document = _quote()
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
    document = _quote(payee={"partyIdInfo": party})
    sent = payer.call(
        "POST", "/quotes", resource="quotes", document=document, destination=SWITCH_ID
    )
    assert sent.status_code == 202, sent.text
    assert payee.wait_for("POST", "/quotes").json() == document


def test_an_answer_whose_destination_names_another_dfsp_than_the_asker_is_refused(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    document = _quote()
    payer.call("POST", "/quotes", resource="quotes", document=document, destination=payee.fsp_id)
    payee.wait_for("POST", "/quotes")
    _, condition = ilp.new_fulfilment()
    answer = {
        "transferAmount": {"currency": "XCD", "amount": "10"},
        "expiration": _moment(timedelta(minutes=1)),
        "ilpPacket": "AYIBgQAAAAAAAASw",
        "condition": condition,
    }
    path = f"/quotes/{document['quoteId']}"
    astray = payee.call("PUT", path, resource="quotes", document=answer, destination=payee.fsp_id)
    _refused(astray, 400, "3100")
    answered = payee.call("PUT", path, resource="quotes", document=answer, destination=payer.fsp_id)
    assert answered.status_code == 200, answered.text
    assert payer.wait_for("PUT", path).json() == answer


# -- synchronous errors: headers and versions -----------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Accept", media("quotes", "1.1")),
        ("Accept", "application/vnd.interoperability.quotes+json;version=1"),
        ("Content-Type", media("quotes", "1.0")),
    ],
)
def test_a_request_in_version_1_gets_406_with_3001_and_the_supported_version_listed(
    payer: OutsideDfsp, payee: OutsideDfsp, header: str, value: str
) -> None:
    answer = payer.call(
        "POST",
        "/quotes",
        resource="quotes",
        document=_quote(),
        destination=payee.fsp_id,
        change={header: value},
    )
    information = _refused(answer, 406, "3001")
    assert information["extensionList"]["extension"] == [{"key": "2", "value": "0"}]


# (Accept is not among them: the HTTP client adds "*/*" when the request has none.)
@pytest.mark.parametrize("header", ["Date", "FSPIOP-Source", "Content-Type"])
def test_a_request_without_a_mandatory_header_gets_400_with_3102(
    payer: OutsideDfsp, payee: OutsideDfsp, header: str
) -> None:
    answer = payer.call(
        "POST",
        "/quotes",
        resource="quotes",
        document=_quote(),
        destination=payee.fsp_id,
        change={header: None},
    )
    _refused(answer, 400, "3102")


def test_a_request_whose_source_is_not_its_signer_gets_3105(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    body = json.dumps(_quote()).encode()
    headers = payer.headers(
        "POST",
        "/quotes",
        resource="quotes",
        destination=payee.fsp_id,
        body=body,
        source=payee.fsp_id,
    )
    answer = payer.client.post(payer.switch_url + "/quotes", headers=headers, content=body)
    _refused(answer, 400, "3105")


def test_a_request_whose_body_is_not_what_was_signed_gets_3105(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    body = json.dumps(_quote()).encode()
    headers = payer.headers(
        "POST", "/quotes", resource="quotes", destination=payee.fsp_id, body=body
    )
    changed = body.replace(b'"10"', b'"11"')
    answer = payer.client.post(payer.switch_url + "/quotes", headers=headers, content=changed)
    _refused(answer, 400, "3105")


# -- synchronous errors: the body against its schema ---------------------------------------------


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({"transactionType": {"scenario": "TRANSFER", "initiator": "PAYER"}}, ("3102",)),
        (
            {
                "transactionType": {
                    "scenario": "GIFT",
                    "initiator": "PAYER",
                    "initiatorType": "CONSUMER",
                }
            },
            ("3101",),
        ),
        ({"amount": {"currency": "ABC", "amount": "10"}}, ("3101",)),
        ({"amount": {"currency": "XCD", "amount": "10.00"}}, ("3101",)),
        ({"amount": {"currency": "XCD", "amount": "-1"}}, ("3101",)),
        ({"expiration": "2026-02-30T10:00:00.000Z"}, ("3101",)),
        ({"expiration": "2026-11-30T10:00:00Z"}, ("3101",)),
        ({"quoteId": "not-a-uuid"}, ("3101",)),
        ({"surprise": "an element the schema does not have"}, ("3100", "3101")),
        (
            {
                "payee": {
                    "partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "1"},
                    "nickname": "x",
                }
            },
            ("3100", "3101"),
        ),
        ({"extensionList": {"extension": []}}, ("3100", "3101", "3102")),
        ({"extensionList": {"extension": [{"key": "k", "value": "v"}] * 17}}, ("3103",)),
    ],
)
def test_a_quote_its_schema_refuses_gets_400_and_is_not_relayed(
    payer: OutsideDfsp, payee: OutsideDfsp, changes: dict[str, Any], codes: tuple[str, ...]
) -> None:
    answer = payer.call(
        "POST", "/quotes", resource="quotes", document=_quote(**changes), destination=payee.fsp_id
    )
    _refused(answer, 400, *codes)


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": {"currency": "XCD", "amount": "1.23456"}},
        {"condition": "too-short"},
        {"ilpPacket": "not base64url!"},
        {"expiration": "2027-02-29T10:00:00.000Z"},
        {"transferId": "6f2f3b9e-1c4f-4a8e-9f3b-0c1d2e3f4a5"},
    ],
)
def test_a_transfer_its_schema_refuses_gets_400_with_3101(
    payer: OutsideDfsp, payee: OutsideDfsp, changes: dict[str, Any]
) -> None:
    document, _ = _transfer(payer, payee, **changes)
    answer = payer.call(
        "POST", "/transfers", resource="transfers", document=document, destination=payee.fsp_id
    )
    _refused(answer, 400, "3101")
