"""The synchronous errors of the switch, as two DFSPs written from the FSPIOP v2.0 documents
meet them over real HTTP: versions (API Definition section 3.3.4: 406 with 3001 and the
supported versions), mandatory headers, signatures (the Signature document, section 3.3), and
bodies checked against their schemas in the OpenAPI document, each refused with an
ErrorInformationResponse before anything is stored or relayed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.payments import test_switch_e2e as e2e
from tests.payments.outside_dfsp import OutsideDfsp, media
from tests.payments.outside_world import (
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
        document=quote_document(),
        destination=payee.fsp_id,
        change={header: value},
    )
    information = refused(answer, 406, "3001")
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
        document=quote_document(),
        destination=payee.fsp_id,
        change={header: None},
    )
    refused(answer, 400, "3102")


def test_a_request_whose_source_is_not_its_signer_gets_3105(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    body = json.dumps(quote_document()).encode()
    headers = payer.headers(
        "POST",
        "/quotes",
        resource="quotes",
        destination=payee.fsp_id,
        body=body,
        source=payee.fsp_id,
    )
    answer = payer.client.post(payer.switch_url + "/quotes", headers=headers, content=body)
    refused(answer, 400, "3105")


def test_a_request_whose_body_is_not_what_was_signed_gets_3105(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    body = json.dumps(quote_document()).encode()
    headers = payer.headers(
        "POST", "/quotes", resource="quotes", destination=payee.fsp_id, body=body
    )
    changed = body.replace(b'"10"', b'"11"')
    answer = payer.client.post(payer.switch_url + "/quotes", headers=headers, content=changed)
    refused(answer, 400, "3105")


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
        (
            {
                "payer": {
                    "partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "17585550778"},
                    "personalInfo": {"complexName": {"firstName": "Ana", "lastName": "<b>"}},
                }
            },
            ("3101",),
        ),
        ({"extensionList": {"extension": []}}, ("3100", "3101", "3102")),
        ({"extensionList": {"extension": [{"key": "k", "value": "v"}] * 17}}, ("3103",)),
    ],
)
def test_a_quote_its_schema_refuses_gets_400_and_is_not_relayed(
    payer: OutsideDfsp, payee: OutsideDfsp, changes: dict[str, Any], codes: tuple[str, ...]
) -> None:
    answer = payer.call(
        "POST",
        "/quotes",
        resource="quotes",
        document=quote_document(**changes),
        destination=payee.fsp_id,
    )
    refused(answer, 400, *codes)
    with pytest.raises(AssertionError, match="got no POST"):
        payee.wait_for("POST", "/quotes", timeout=0.5)


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
    document, _ = transfer_document(payer, payee, **changes)
    answer = payer.call(
        "POST", "/transfers", resource="transfers", document=document, destination=payee.fsp_id
    )
    refused(answer, 400, "3101")
    with pytest.raises(AssertionError, match="got no POST"):
        payee.wait_for("POST", "/transfers", timeout=0.5)


# -- synchronous errors: the id in the path ------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "not-an-id",
        "0190A7E2-3C4B-7D5E-8F60-718293A4B5C6",  # a UUID in capitals
        "0190a7e23c4b7d5e8f60718293a4b5c6",  # without its hyphens
        "81ARZ3NDEKTSV4RRFFQ69G5FAV",  # a ULID past 128 bits
    ],
)
@pytest.mark.parametrize(
    ("method", "resource", "prefix"),
    [
        ("GET", "transfers", "/transfers"),
        ("GET", "quotes", "/quotes"),
        ("PUT", "transfers", "/transfers"),
    ],
)
def test_an_id_in_the_path_that_is_not_a_correlation_id_is_malformed_syntax_3101(
    payer: OutsideDfsp, payee: OutsideDfsp, written: str, method: str, resource: str, prefix: str
) -> None:
    document = {"transferState": "COMMITTED"} if method == "PUT" else None
    answer = payer.call(
        method,
        f"{prefix}/{written}",
        resource=resource,
        document=document,
        destination=payee.fsp_id,
    )
    refused(answer, 400, "3101")
