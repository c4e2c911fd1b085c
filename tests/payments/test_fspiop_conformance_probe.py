"""The switch as an outside FSPIOP v2.0 conformance checker sees it: the HTTP statuses of
API Definition table 4, the headers of table 1 on what the switch sends, the commit
notification of section 6.7.2.6, every service of table 6 it routes, and FSPIOP errors (not
the pages' problem documents) for whatever the API does not have."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.fspiop import build_headers, ilp, ulid_text
from comptoir.kernel.fspiop.signature import sign_headers
from comptoir.kernel.ids import new_id
from comptoir.kernel.settings import load_settings
from tests.payments import test_switch_e2e as e2e
from tests.payments.fspiop_peer import Callback, Peer
from tests.payments.test_switch_e2e import Node, error_code

# The running switch and its two DFSPs, as the end-to-end tests set them up.
node = e2e.node
payer = e2e.payer
payee = e2e.payee
SWITCH_ID = "comptoir-switch"


def _quote() -> dict[str, object]:
    return {
        "quoteId": str(new_id()),
        "transactionId": str(new_id()),
        "payee": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "17585550102"}},
        "payer": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "17585550101"}},
        "amountType": "SEND",
        "amount": {"currency": "XCD", "amount": "10"},
        "transactionType": {
            "scenario": "TRANSFER",
            "initiator": "PAYER",
            "initiatorType": "CONSUMER",
        },
    }


def _assert_sent_like_a_callback(callback: Callback) -> None:
    """Table 1: Accept is "not used in a callback from the server", nor in a notification."""
    assert "accept" not in callback.headers, callback.headers


# -- in process: answers that need no participant -------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("probe"))
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine)
    with TestClient(create_app(settings, database=database)) as test_client:
        yield test_client
    database.dispose()


def _signed_stranger_headers(resource: str, method: str, uri: str) -> dict[str, str]:
    headers = build_headers(
        resource=resource, method=method, uri=uri, source="stranger", destination="bank-b"
    )
    headers["FSPIOP-Signature"] = '{"signature":"x","protectedHeader":"e30"}'
    return headers


@pytest.mark.parametrize(
    ("content_type", "code"),
    [(None, "3102"), ("text/plain", "3101"), ("application/x-www-form-urlencoded", "3101")],
)
def test_a_post_without_the_fspiop_content_type_gets_an_fspiop_error_not_a_form_error(
    client: TestClient, content_type: str | None, code: str
) -> None:
    headers = _signed_stranger_headers("quotes", "POST", "/quotes")
    del headers["Content-Type"]
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = client.post("/switch/quotes", headers=headers, content=b"{}")
    assert answer.status_code == 400, answer.text
    assert answer.json()["errorInformation"]["errorCode"] == code


def test_a_path_the_api_does_not_have_gets_3002_unknown_uri(client: TestClient) -> None:
    answer = client.get("/switch/nothing/here")
    assert answer.status_code == 404
    assert answer.json()["errorInformation"]["errorCode"] == "3002"


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded"])
def test_a_post_to_a_path_the_api_does_not_have_gets_3002_whatever_its_content_type(
    client: TestClient, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = client.post("/switch/nothing/here", headers=headers, content=b"a=1")
    assert answer.status_code == 404, answer.text
    assert answer.json()["errorInformation"]["errorCode"] == "3002"


def test_a_service_of_the_api_the_switch_does_not_serve_gets_2002_not_implemented(
    client: TestClient,
) -> None:
    media = "application/vnd.interoperability.bulkTransfers+json;version=2.0"
    answer = client.post("/switch/bulkTransfers", headers={"Content-Type": media}, content=b"{}")
    assert answer.status_code == 501
    assert answer.json()["errorInformation"]["errorCode"] == "2002"


def test_a_method_a_service_does_not_take_gets_405_with_error_information_and_allow(
    client: TestClient,
) -> None:
    answer = client.delete("/switch/quotes")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert set(answer.json()["errorInformation"]) == {"errorCode", "errorDescription"}


def test_the_gets_of_quotes_and_transaction_requests_are_services_of_the_switch(
    client: TestClient,
) -> None:
    for resource, path in (
        ("quotes", f"/quotes/{new_id()}"),
        ("transactionRequests", f"/transactionRequests/{new_id()}"),
    ):
        answer = client.get(
            "/switch" + path, headers=_signed_stranger_headers(resource, "GET", path)
        )
        # Checked as any request is (the stranger is not a participant): not a 405.
        assert answer.status_code == 400, answer.text
        assert answer.json()["errorInformation"]["errorCode"] == "3200"


# -- end to end: two DFSPs and a running switch ------------------------------------------------


def test_a_callback_from_a_dfsp_is_answered_200_ok_and_a_request_202(
    payer: Peer, payee: Peer
) -> None:
    document, fulfilment = payer.prepare(payee, "1")
    prepared = payer.send(
        "POST", "/transfers", resource="transfers", document=document, destination="wallet-b"
    )
    assert prepared.status_code == 202
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    fulfilled = payee.send(
        "PUT",
        path,
        resource="transfers",
        destination="bank-a",
        document={"fulfilment": fulfilment, "transferState": "COMMITTED"},
    )
    assert fulfilled.status_code == 200, fulfilled.text
    assert payer.wait_for("PUT", path).json()["transferState"] == "COMMITTED"

    error = payee.send(
        "PUT",
        "/parties/MSISDN/17585559999/error",
        resource="parties",
        destination="bank-a",
        document={"errorInformation": {"errorCode": "3204", "errorDescription": "Not here"}},
    )
    assert error.status_code == 200, error.text
    payer.wait_for("PUT", "/parties/MSISDN/17585559999/error")


def test_an_error_callback_from_the_switch_carries_no_accept(payer: Peer) -> None:
    payer.send("GET", "/parties/MSISDN/17580000001", resource="parties")
    refused = payer.wait_for("PUT", "/parties/MSISDN/17580000001/error")
    assert error_code(refused.json()) == "3204"
    _assert_sent_like_a_callback(refused)


def test_a_payee_that_answered_committed_hears_of_a_wrong_fulfilment_by_error_callback(
    payer: Peer, payee: Peer
) -> None:
    document, _right = payer.prepare(payee, "1")
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    wrong, _ = ilp.new_fulfilment()
    payee.send(
        "PUT",
        path,
        resource="transfers",
        destination="bank-a",
        document={"fulfilment": wrong, "transferState": "COMMITTED"},
    )
    assert error_code(payer.wait_for("PUT", f"{path}/error").json()) == "3100"
    told = payee.wait_for("PUT", f"{path}/error")
    assert error_code(told.json()) == "3100"
    _assert_sent_like_a_callback(told)


def test_a_payee_that_answered_reserved_hears_of_a_wrong_fulfilment_by_patch_aborted(
    payer: Peer, payee: Peer
) -> None:
    document, _right = payer.prepare(payee, "1")
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    wrong, _ = ilp.new_fulfilment()
    payee.send(
        "PUT",
        path,
        resource="transfers",
        destination="bank-a",
        document={"fulfilment": wrong, "transferState": "RESERVED"},
    )
    notified = payee.wait_for("PATCH", path)
    assert notified.json()["transferState"] == "ABORTED"
    assert set(notified.json()) == {"completedTimestamp", "transferState"}
    _assert_sent_like_a_callback(notified)


def test_a_payee_that_resends_its_reserved_answer_gets_the_commit_notification_again(
    payer: Peer, payee: Peer
) -> None:
    document, fulfilment = payer.prepare(payee, "1")
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    answer = {"fulfilment": fulfilment, "transferState": "RESERVED"}
    payee.send("PUT", path, resource="transfers", destination="bank-a", document=answer)
    assert payee.wait_for("PATCH", path).json()["transferState"] == "COMMITTED"
    again = payee.send("PUT", path, resource="transfers", destination="bank-a", document=answer)
    assert again.status_code == 200
    assert payee.wait_for("PATCH", path).json()["transferState"] == "COMMITTED"


def test_a_quote_can_be_asked_for_again_through_the_switch(payer: Peer, payee: Peer) -> None:
    quote = _quote()
    payer.send("POST", "/quotes", resource="quotes", document=quote, destination="wallet-b")
    payee.wait_for("POST", "/quotes")
    path = f"/quotes/{quote['quoteId']}"
    asked = payer.send("GET", path, resource="quotes", destination="wallet-b")
    assert asked.status_code == 202, asked.text
    relayed = payee.wait_for("GET", path)
    assert relayed.headers["fspiop-source"] == "bank-a"
    # Only the quote's payer DFSP asks for it; to anyone else it is unknown.
    payee.send("GET", path, resource="quotes", destination="bank-a")
    assert error_code(payee.wait_for("PUT", f"{path}/error").json()) == "3205"


def test_a_lookup_naming_the_switch_as_destination_reaches_the_party_s_dfsp(
    payer: Peer, payee: Peer
) -> None:
    assert payee.register_party("MSISDN", "17585550177").status_code == 202
    payee.wait_for("PUT", "/participants/MSISDN/17585550177")
    path = "/parties/MSISDN/17585550177"
    # "empty (or set to the Switch's ID)", and then not protected by the signature.
    headers = sign_headers(
        build_headers(
            resource="parties", method="GET", uri=path, source="bank-a", destination=None
        ),
        body=b"",
        private_key=payer.key,
    )
    headers["FSPIOP-Destination"] = SWITCH_ID
    answer = payer.client.get(payer.switch_url + path, headers=headers)
    assert answer.status_code == 202, answer.text
    asked = payee.wait_for("GET", path)
    assert asked.headers["fspiop-destination"] == "wallet-b"


def test_the_switch_refuses_a_changed_quote_resend_with_3106_and_no_accept(
    payer: Peer, payee: Peer
) -> None:
    quote = _quote()
    payer.send("POST", "/quotes", resource="quotes", document=quote, destination="wallet-b")
    payee.wait_for("POST", "/quotes")
    changed = {**quote, "amount": {"currency": "XCD", "amount": "11"}}
    again = payer.send(
        "POST", "/quotes", resource="quotes", document=changed, destination="wallet-b"
    )
    assert again.status_code == 202
    refused = payer.wait_for("PUT", f"/quotes/{quote['quoteId']}/error")
    assert error_code(refused.json()) == "3106"
    _assert_sent_like_a_callback(refused)


def test_a_reservation_that_expires_is_told_to_the_payee_by_error_callback(
    node: Node, payer: Peer, payee: Peer
) -> None:
    document, _ = payer.prepare(payee, "1", expires_in=timedelta(seconds=2))
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    assert error_code(payer.wait_for("PUT", f"{path}/error", timeout=15).json()) == "3303"
    # It never answered, so it asked for no commit notification (PATCH).
    told = payee.wait_for("PUT", f"{path}/error", timeout=15)
    assert error_code(told.json()) == "3303"


@pytest.mark.parametrize(
    ("path", "resource", "body", "code"),
    [
        ("/parties/MSISDN/17585550188", "parties", b'{"party": ', "3101"),
        ("/parties/MSISDN/17585550188", "parties", b'{"name": "Ada"}', "3102"),
        ("/parties/MSISDN/17585550188/error", "parties", b'{"oops": 1}', "3102"),
        ("/quotes/0190f3a0-7c4e-7a3b-9d1e-2f3a4b5c6d7e/error", "quotes", b"[", "3101"),
        (
            "/transfers/0190f3a0-7c4e-7a3b-9d1e-2f3a4b5c6d7f/error",
            "transfers",
            b'{"errorInformation": ',
            "3101",
        ),
    ],
)
def test_a_callback_whose_body_is_not_what_it_carries_is_refused_not_relayed(
    payer: Peer, payee: Peer, path: str, resource: str, body: bytes, code: str
) -> None:
    answer = payee.send("PUT", path, resource=resource, body=body, destination="bank-a")
    assert answer.status_code == 400, answer.text
    assert answer.json()["errorInformation"]["errorCode"] == code


def test_a_quote_resent_after_its_answer_goes_on_to_the_payee_to_be_answered_again(
    payer: Peer, payee: Peer
) -> None:
    quote = _quote()
    payer.send("POST", "/quotes", resource="quotes", document=quote, destination="wallet-b")
    payee.wait_for("POST", "/quotes")
    path = f"/quotes/{quote['quoteId']}"
    # A refusal is an answer as good as any: the first callback has been sent.
    payee.send(
        "PUT",
        f"{path}/error",
        resource="quotes",
        destination="bank-a",
        document={"errorInformation": {"errorCode": "5101", "errorDescription": "No thanks"}},
    )
    payer.wait_for("PUT", f"{path}/error")
    again = payer.send("POST", "/quotes", resource="quotes", document=quote, destination="wallet-b")
    assert again.status_code == 202
    resent = payee.wait_for("POST", "/quotes")
    assert resent.json()["quoteId"] == quote["quoteId"]


def _ulid() -> str:
    # A UUIDv7's bits make a ULID of the same instant: both begin with 48 bits of milliseconds.
    return ulid_text(new_id())


def test_a_transfer_whose_id_is_a_ulid_commits_and_every_message_names_it_as_sent(
    node: Node, payer: Peer, payee: Peer
) -> None:
    transfer_id = _ulid()
    document, fulfilment = payer.prepare(payee, "1.5", transfer_id=transfer_id)
    answer = payer.send(
        "POST", "/transfers", resource="transfers", document=document, destination="wallet-b"
    )
    assert answer.status_code == 202, answer.text
    assert payee.wait_for("POST", "/transfers").json()["transferId"] == transfer_id

    fulfil = payee.send(
        "PUT",
        f"/transfers/{transfer_id}",
        resource="transfers",
        destination="bank-a",
        document={"fulfilment": fulfilment, "transferState": "RESERVED"},
    )
    assert fulfil.status_code == 200, fulfil.text

    # The switch's own messages (it says COMMITTED to the payer, PATCH to the payee) carry
    # the ULID in their paths, and in the FSPIOP-URI they sign.
    committed = payer.wait_for("PUT", f"/transfers/{transfer_id}")
    assert committed.json()["transferState"] == "COMMITTED"
    assert committed.headers["fspiop-uri"] == f"/transfers/{transfer_id}"
    notified = payee.wait_for("PATCH", f"/transfers/{transfer_id}")
    assert notified.json()["transferState"] == "COMMITTED"

    asked = payer.send("GET", f"/transfers/{transfer_id}", resource="transfers")
    assert asked.status_code == 202, asked.text
    state = payer.wait_for("PUT", f"/transfers/{transfer_id}")
    assert state.json()["transferState"] == "COMMITTED"


def test_a_quote_whose_id_is_a_ulid_goes_and_comes_back_under_that_id(
    payer: Peer, payee: Peer
) -> None:
    quote = {**_quote(), "quoteId": _ulid(), "transactionId": _ulid()}
    sent = payer.send("POST", "/quotes", resource="quotes", document=quote, destination="wallet-b")
    assert sent.status_code == 202, sent.text
    assert payee.wait_for("POST", "/quotes").json()["quoteId"] == quote["quoteId"]

    path = f"/quotes/{quote['quoteId']}/error"
    answered = payee.send(
        "PUT",
        path,
        resource="quotes",
        destination="bank-a",
        document={"errorInformation": {"errorCode": "5101", "errorDescription": "No thanks"}},
    )
    assert answered.status_code == 200, answered.text
    assert payer.wait_for("PUT", path).json()["errorInformation"]["errorCode"] == "5101"


def test_a_ulid_past_128_bits_is_refused_at_once_with_3100(payer: Peer, payee: Peer) -> None:
    document, _ = payer.prepare(payee, "1", transfer_id="8" + _ulid()[1:])
    answer = payer.send(
        "POST", "/transfers", resource="transfers", document=document, destination="wallet-b"
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["errorInformation"]["errorCode"] == "3100"


def test_a_body_that_is_not_utf_8_is_malformed_syntax_on_any_method(client: TestClient) -> None:
    headers = _signed_stranger_headers("parties", "GET", "/parties/MSISDN/17585550101")
    answer = client.request(
        "GET", "/switch/parties/MSISDN/17585550101", headers=headers, content=b"\xff\xfe{}"
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["errorInformation"]["errorCode"] == "3101"


def test_a_failure_nobody_foresaw_is_answered_2001_in_the_api_s_words_not_as_a_web_page(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a fault of the switch")

    monkeypatch.setattr("comptoir.payments.switch.routes.receive", broken)
    headers = _signed_stranger_headers("parties", "GET", "/parties/MSISDN/17585550101")
    answer = client.get("/switch/parties/MSISDN/17585550101", headers=headers)
    assert answer.status_code == 500, answer.text
    assert answer.headers["content-type"] == "application/json"
    information = answer.json()["errorInformation"]
    assert information["errorCode"] == "2001"
    assert information["errorDescription"].startswith("Internal server error")
    assert "fault" not in information["errorDescription"]  # what went wrong stays in the log
