"""POST /participants, many parties registered at once, as a DFSP written from the FSPIOP v2.0
documents uses it over real HTTP: each party answered in PUT /participants/{requestId}, with
the error that kept it out if one did, the request's duplicates handled as section 3.2.5 says."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.kernel.ids import new_id
from tests.payments import test_switch_e2e as e2e
from tests.payments.outside_dfsp import OutsideDfsp, verify_from_switch
from tests.payments.outside_world import payee, payer, refused, switch_jwks
from tests.payments.test_switch_e2e import error_code

pytestmark = pytest.mark.slow
node = e2e.node
__all__ = ["node", "payee", "payer", "switch_jwks"]  # the fixtures this module uses
SWITCH_ID = "comptoir-switch"


def _msisdn() -> str:
    return f"1758{new_id().int % 10**7:07d}"


def _party(number: str, **more: str) -> dict[str, str]:
    return {"partyIdType": "MSISDN", "partyIdentifier": number, **more}


def _batch(dfsp: OutsideDfsp, document: dict[str, Any]) -> dict[str, Any]:
    sent = dfsp.call(
        "POST", "/participants", resource="participants", document=document, destination=SWITCH_ID
    )
    assert sent.status_code == 202, sent.text
    answer: dict[str, Any] = dfsp.wait_for("PUT", f"/participants/{document['requestId']}").json()
    return answer


def _holder(dfsp: OutsideDfsp, number: str) -> dict[str, Any]:
    asked = dfsp.call("GET", f"/participants/MSISDN/{number}", resource="participants")
    assert asked.status_code == 202, asked.text
    answer: dict[str, Any] = dfsp.wait_for("PUT", f"/participants/MSISDN/{number}").json()
    return answer


def test_every_party_of_a_batch_is_registered_and_answered_with_its_dfsp(
    payer: OutsideDfsp, payee: OutsideDfsp, switch_jwks: dict[str, Any]
) -> None:
    numbers = [_msisdn() for _ in range(3)]
    request_id = str(new_id())
    document = {
        "requestId": request_id,
        "partyList": [
            _party(numbers[0]),
            _party(numbers[1], fspId=payee.fsp_id),
            _party(numbers[2], partySubIdOrType="till-2"),
        ],
        "currency": "XCD",
    }
    sent = payee.call(
        "POST", "/participants", resource="participants", document=document, destination=SWITCH_ID
    )
    assert (sent.status_code, sent.content) == (202, b"")
    callback = payee.wait_for("PUT", f"/participants/{request_id}")
    verify_from_switch(callback, switch_jwks, f"/participants/{request_id}")
    assert callback.json() == {
        "partyList": [
            {"partyId": _party(numbers[0], fspId=payee.fsp_id)},
            {"partyId": _party(numbers[1], fspId=payee.fsp_id)},
            {"partyId": _party(numbers[2], partySubIdOrType="till-2", fspId=payee.fsp_id)},
        ],
        "currency": "XCD",
    }
    assert _holder(payer, numbers[0]) == {"fspId": payee.fsp_id}


def test_a_party_another_dfsp_holds_or_that_names_another_dfsp_is_kept_out_alone(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    theirs, free, named = _msisdn(), _msisdn(), _msisdn()
    _batch(payer, {"requestId": str(new_id()), "partyList": [_party(theirs)]})
    answer = _batch(
        payee,
        {
            "requestId": str(new_id()),
            "partyList": [_party(theirs), _party(free), _party(named, fspId=payer.fsp_id)],
        },
    )
    held, registered, misnamed = answer["partyList"]
    assert held["partyId"] == _party(theirs)
    assert error_code(held) == "3003"
    assert registered == {"partyId": _party(free, fspId=payee.fsp_id)}
    assert misnamed["partyId"] == _party(named, fspId=payer.fsp_id)
    assert error_code(misnamed) == "3100"
    assert _holder(payee, theirs) == {"fspId": payer.fsp_id}
    assert _holder(payee, free) == {"fspId": payee.fsp_id}
    asked = payee.call("GET", f"/participants/MSISDN/{named}", resource="participants")
    assert asked.status_code == 202
    assert error_code(payee.wait_for("PUT", f"/participants/MSISDN/{named}/error").json()) == (
        "3204"
    )


def test_a_resent_batch_gets_the_same_answer_and_a_changed_one_3106(payee: OutsideDfsp) -> None:
    first, second = _msisdn(), _msisdn()
    document = {"requestId": str(new_id()), "partyList": [_party(first)]}
    answer = _batch(payee, document)
    assert _batch(payee, document) == answer

    changed = {**document, "partyList": [_party(second)]}
    sent = payee.call(
        "POST", "/participants", resource="participants", document=changed, destination=SWITCH_ID
    )
    assert sent.status_code == 202, sent.text
    told = payee.wait_for("PUT", f"/participants/{document['requestId']}/error")
    assert error_code(told.json()) == "3106"
    asked = payee.call("GET", f"/participants/MSISDN/{second}", resource="participants")
    assert asked.status_code == 202
    assert error_code(payee.wait_for("PUT", f"/participants/MSISDN/{second}/error").json()) == (
        "3204"
    )


@pytest.mark.parametrize(
    ("document", "codes"),
    [
        ({"requestId": "r-1", "partyList": [_party(_msisdn())]}, ("3101", "3100")),
        ({"requestId": str(new_id()), "partyList": []}, ("3100", "3101")),
        ({"partyList": [_party(_msisdn())]}, ("3102",)),
        (
            {"requestId": str(new_id()), "partyList": [_party(_msisdn())], "currency": "EUR"},
            ("3100",),
        ),
    ],
)
def test_a_batch_that_cannot_be_taken_is_refused_at_once_and_registers_nothing(
    payee: OutsideDfsp, document: dict[str, Any], codes: tuple[str, ...]
) -> None:
    answer = payee.call(
        "POST", "/participants", resource="participants", document=document, destination=SWITCH_ID
    )
    refused(answer, 400, *codes)
    for party in document["partyList"]:
        number = party["partyIdentifier"]
        asked = payee.call("GET", f"/participants/MSISDN/{number}", resource="participants")
        assert asked.status_code == 202
        told = payee.wait_for("PUT", f"/participants/MSISDN/{number}/error")
        assert error_code(told.json()) == "3204"
