"""The switch's alias directory as DFSPs written from the FSPIOP v2.0 documents use it over
real HTTP: GET and DELETE /participants/{Type}/{ID} take the `?currency=XYZ` filter the API
has them support, and a removal is answered with the FSP information empty."""

from __future__ import annotations

import pytest

from comptoir.kernel.ids import new_id
from tests.payments import test_switch_e2e as e2e
from tests.payments.outside_dfsp import OutsideDfsp
from tests.payments.outside_world import payee, payer, refused, switch_jwks
from tests.payments.test_switch_e2e import error_code

pytestmark = pytest.mark.slow
node = e2e.node
__all__ = ["node", "payee", "payer", "switch_jwks"]  # the fixtures this module uses
SWITCH_ID = "comptoir-switch"


def registered(payee: OutsideDfsp, currency: str | None) -> str:
    """A new MSISDN registered by `payee` (in `currency`, if given); its path after
    /participants."""
    path = f"/MSISDN/1758{new_id().int % 10**7:07d}"
    document = {"fspId": payee.fsp_id} | ({} if currency is None else {"currency": currency})
    answer = payee.call(
        "POST",
        f"/participants{path}",
        resource="participants",
        document=document,
        destination=SWITCH_ID,
    )
    assert answer.status_code == 202, answer.text
    assert payee.wait_for("PUT", f"/participants{path}").json() == {"fspId": payee.fsp_id}
    return path


def ask(dfsp: OutsideDfsp, method: str, path: str, query: str = "") -> None:
    answer = dfsp.call(method, f"/participants{path}{query}", resource="participants")
    assert answer.status_code == 202, answer.text


def test_a_party_asked_for_in_its_currency_is_answered_with_its_dfsp(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    path = registered(payee, "XCD")
    ask(payer, "GET", path, "?currency=XCD")
    assert payer.wait_for("PUT", f"/participants{path}").json() == {"fspId": payee.fsp_id}


def test_a_party_asked_for_in_another_currency_is_not_found(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    path = registered(payee, "XCD")
    ask(payer, "GET", path, "?currency=USD")
    answer = payer.wait_for("PUT", f"/participants{path}/error")
    assert error_code(answer.json()) == "3204"


def test_a_party_registered_without_a_currency_is_found_in_any(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    path = registered(payee, None)
    ask(payer, "GET", path, "?currency=USD")
    assert payer.wait_for("PUT", f"/participants{path}").json() == {"fspId": payee.fsp_id}


def test_a_currency_the_api_does_not_have_is_refused_with_3101(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    path = registered(payee, "XCD")
    answer = payer.call("GET", f"/participants{path}?currency=xcd", resource="participants")
    refused(answer, 400, "3101")


def test_a_removal_is_answered_with_the_fsp_information_empty_and_the_party_is_gone(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    path = registered(payee, "XCD")
    ask(payee, "DELETE", path)
    assert payee.wait_for("PUT", f"/participants{path}").json() == {}
    ask(payer, "GET", path)
    assert error_code(payer.wait_for("PUT", f"/participants{path}/error").json()) == "3204"


def test_a_removal_in_another_currency_removes_nothing(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    path = registered(payee, "XCD")
    ask(payee, "DELETE", path, "?currency=USD")
    assert error_code(payee.wait_for("PUT", f"/participants{path}/error").json()) == "3204"
    ask(payer, "GET", path)
    assert payer.wait_for("PUT", f"/participants{path}").json() == {"fspId": payee.fsp_id}
