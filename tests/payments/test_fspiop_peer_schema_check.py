"""The test DFSPs hold every message the switch sends them to the schema that the FSPIOP
OpenAPI document gives its method and path: the check itself, so that a pass means something."""

from __future__ import annotations

import json

from tests.kernel.fspiop import body_schema_name, openapi_text
from tests.payments.fspiop_peer import nonconformity

COMMITTED = {
    "fulfilment": "WLctttbu2HvTsa1XWvUoGRcQozHsqeu9Ahl2JW9Bsu8",
    "completedTimestamp": "2026-12-01T10:00:00.000Z",
    "transferState": "COMMITTED",
}


def test_each_callback_path_is_matched_to_the_schema_the_api_gives_its_body() -> None:
    openapi_text()  # skips, saying why, where ../shared/specs is absent
    assert body_schema_name("PUT", "/transfers/0190e9a0-0000-7000-8000-000000000001") == (
        "TransfersIDPutResponse"
    )
    assert body_schema_name("PATCH", "/transfers/x") == "TransfersIDPatchResponse"
    assert body_schema_name("PUT", "/participants/MSISDN/17585550101") == (
        "ParticipantsTypeIDPutResponse"
    )
    assert body_schema_name("PUT", "/participants/a-request/error") == "ErrorInformationObject"
    assert body_schema_name("PUT", "/parties/MSISDN/1/2") == "PartiesTypeIDPutResponse"
    assert body_schema_name("GET", "/transfers/x") is None


def test_a_conforming_transfer_callback_passes_the_check() -> None:
    openapi_text()
    assert nonconformity("PUT", "/transfers/x", json.dumps(COMMITTED).encode()) is None


def test_a_callback_missing_a_required_element_is_reported_with_where_and_what() -> None:
    openapi_text()
    body = {key: value for key, value in COMMITTED.items() if key != "transferState"}
    problem = nonconformity("PUT", "/transfers/x", json.dumps(body).encode())
    assert problem is not None
    assert "TransfersIDPutResponse" in problem and "transferState" in problem


def test_a_wrongly_shaped_error_callback_is_reported() -> None:
    openapi_text()
    body = {"errorInformation": {"errorCode": "31", "errorDescription": "short code"}}
    problem = nonconformity("PUT", "/quotes/x/error", json.dumps(body).encode())
    assert problem is not None and "errorCode" in problem


def test_a_body_on_a_message_the_api_gives_none_is_reported() -> None:
    openapi_text()
    assert nonconformity("GET", "/transfers/x", b"") is None
    assert nonconformity("GET", "/transfers/x", b"{}") is not None
