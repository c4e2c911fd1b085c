"""What the FSPIOP endpoints check before anything happens: headers, signature, destination,
schema; and the answers to lookups and directory callbacks."""

from __future__ import annotations

import pytest

from comptoir.kernel.fspiop import build_headers, content_type, json_body, sign_headers
from tests.apps.wallet.conftest import KeyPair, Node
from tests.apps.wallet.peer import (
    PEER,
    bob,
    from_peer,
    quote_request,
)
from tests.apps.wallet.switch import SWITCH_ID


def test_it_names_its_customer_to_the_requester(bank: Node, stranger_key: KeyPair) -> None:
    answer = from_peer(bank, stranger_key, "GET", "/parties/MSISDN/17585550202")
    bank.pump()

    assert answer.status_code == 202
    put = bank.switch.last("PUT", "/parties/MSISDN/17585550202")
    assert put.headers["fspiop-destination"] == PEER
    assert put.headers["content-type"] == content_type("parties")
    assert put.body == {
        "party": {
            "partyIdInfo": {
                "partyIdType": "MSISDN",
                "partyIdentifier": "17585550202",
                "fspId": "wallet-b",
            },
            "name": "Bob Charles",
            "supportedCurrencies": ["XCD"],
        }
    }


def test_an_unknown_party_gets_error_3204(bank: Node, stranger_key: KeyPair) -> None:
    from_peer(bank, stranger_key, "GET", "/parties/ALIAS/nobody@wallet-b")
    bank.pump()
    error = bank.switch.last("PUT", "/parties/ALIAS/nobody@wallet-b/error")
    assert error.body is not None
    assert error.body["errorInformation"]["errorCode"] == "3204"


def test_a_lookup_without_a_signature_is_answered_as_mojaloop_sdks_send_them(bank: Node) -> None:
    headers = {
        "accept": content_type("parties"),
        "content-type": content_type("parties"),
        "date": "Thu, 01 Jan 2026 00:00:00 GMT",
        "fspiop-source": PEER,
    }
    answer = bank.client.get("/wallets/wallet-b/fspiop/parties/MSISDN/17585550202", headers=headers)
    assert answer.status_code == 202


def test_a_message_signed_by_an_unknown_key_is_refused_with_3105(
    bank: Node, switch_key: KeyPair
) -> None:
    queued = len(bank.switch.received)
    answer = bank.switch.send(
        "POST",
        "/quotes",
        quote_request(),
        source=PEER,
        destination="wallet-b",
        key=switch_key.private,
    )
    bank.pump()
    assert answer.status_code == 400
    assert answer.json()["errorInformation"]["errorCode"] == "3105"
    assert len(bank.switch.received) == queued


def test_a_body_changed_after_signing_is_refused_with_3105(
    bank: Node, stranger_key: KeyPair
) -> None:

    body = quote_request()
    headers = build_headers(
        resource="quotes",
        method="POST",
        uri="/quotes",
        source=PEER,
        destination="wallet-b",
        clock=bank.clock,
    )
    headers = sign_headers(headers, body=json_body(body), private_key=stranger_key.private)
    body["amount"]["amount"] = "1000"
    answer = bank.client.post(
        "/wallets/wallet-b/fspiop/quotes", content=json_body(body), headers=headers
    )
    assert answer.status_code == 400
    assert answer.json()["errorInformation"]["errorCode"] == "3105"


@pytest.mark.parametrize(
    ("headers", "code", "status"),
    [
        ({"fspiop-source": None}, "3102", 400),
        ({"content-type": "application/vnd.interoperability.quotes+json;version=1.1"}, "3001", 406),
        ({"date": "yesterday"}, "3101", 400),
    ],
)
def test_bad_headers_are_refused_with_the_fspiop_code(
    bank: Node, stranger_key: KeyPair, headers: dict[str, str | None], code: str, status: int
) -> None:
    answer = from_peer(bank, stranger_key, "POST", "/quotes", quote_request(), extra=headers)
    assert answer.status_code == status
    assert answer.json()["errorInformation"]["errorCode"] == code


def test_a_message_for_another_institution_is_refused(bank: Node, stranger_key: KeyPair) -> None:
    answer = bank.switch.send(
        "POST",
        "/quotes",
        quote_request(),
        source=PEER,
        destination="wallet-z",
        key=stranger_key.private,
        to="wallet-b",
    )
    assert answer.status_code == 400
    assert answer.json()["errorInformation"]["errorCode"] == "3100"


def test_an_unknown_institution_is_404_3002(bank: Node, stranger_key: KeyPair) -> None:
    answer = bank.switch.send(
        "POST",
        "/quotes",
        quote_request(),
        source=PEER,
        destination=None,
        key=stranger_key.private,
        to="nobody",
    )
    assert answer.status_code == 404
    assert answer.json()["errorInformation"]["errorCode"] == "3002"


def test_a_body_that_breaks_the_schema_is_refused_naming_the_element(
    bank: Node, stranger_key: KeyPair
) -> None:
    request = quote_request()
    del request["amount"]
    answer = from_peer(bank, stranger_key, "POST", "/quotes", request)
    assert answer.status_code == 400
    error = answer.json()["errorInformation"]
    assert error["errorCode"] == "3102" and "amount" in error["errorDescription"]


def test_the_directory_confirms_the_registration_of_identifiers(bank: Node) -> None:
    bank.switch.originate(
        "PUT", "/participants/MSISDN/17585550202", {"fspId": "wallet-b"}, "wallet-b"
    )
    assert [i.registration for i in bob(bank).identifiers] == ["registered"]
    sent = [
        m
        for m in bank.switch.received
        if m.method == "POST" and m.path.startswith("/participants/")
    ]
    assert {m.path for m in sent} == {
        "/participants/MSISDN/17585550202",
        "/participants/MSISDN/17585550303",
        "/participants/ALIAS/shop@wallet-b",
    }
    assert sent[0].body == {"fspId": "wallet-b", "currency": "XCD"}
    assert all(m.source == "wallet-b" for m in sent)
    assert SWITCH_ID not in {m.source for m in sent}


def test_a_body_nested_deeper_than_the_json_parser_goes_is_refused_with_3101(
    bank: Node,
) -> None:
    raw = b"[" * 100_000 + b"]" * 100_000
    headers = build_headers(
        resource="quotes",
        method="POST",
        uri="/quotes",
        source=SWITCH_ID,
        destination="wallet-b",
        clock=bank.clock,
    )
    headers = sign_headers(headers, body=raw, private_key=bank.switch.key)

    answer = bank.client.post("/wallets/wallet-b/fspiop/quotes", content=raw, headers=headers)

    assert answer.status_code == 400
    assert answer.json()["errorInformation"]["errorCode"] == "3101"
