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


def test_a_lookup_naming_a_sub_id_nobody_registered_goes_to_the_dfsp_of_the_party(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    # A business registers itself once; its tills (sub-ids) are its DFSP's to know.
    path = registered(payee, None)
    asked = payer.call("GET", f"/parties{path}/till-7", resource="parties")
    assert asked.status_code == 202, asked.text
    forwarded = payee.wait_for("GET", f"/parties{path}/till-7")
    assert forwarded.headers["fspiop-source"] == payer.fsp_id
    ask(payer, "GET", f"{path}/till-7")
    assert payer.wait_for("PUT", f"/participants{path}/till-7").json() == {"fspId": payee.fsp_id}
    # A sub-id registered by another DFSP is still that DFSP's.
    sub = f"{path}/till-8"
    answer = payer.call(
        "POST",
        f"/participants{sub}",
        resource="participants",
        document={"fspId": payer.fsp_id},
        destination=SWITCH_ID,
    )
    assert answer.status_code == 202, answer.text
    assert payer.wait_for("PUT", f"/participants{sub}").json() == {"fspId": payer.fsp_id}
    ask(payee, "GET", sub)
    assert payee.wait_for("PUT", f"/participants{sub}").json() == {"fspId": payer.fsp_id}
