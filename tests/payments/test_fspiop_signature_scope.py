"""What the switch asks of a participant's FSPIOP-Signature, as DFSPs written from the
Signature document meet it over real HTTP: a signature may cover more headers than the five it
must (3.2 step G), each then checked against the request (3.3 step g); a GET, which has no
body and changes nothing, may come unsigned (the API gives the header cardinality 0..1), while
every message that changes something must be signed."""

from __future__ import annotations

import pytest

from tests.payments import test_switch_e2e as e2e
from tests.payments.outside_dfsp import OutsideDfsp, media
from tests.payments.outside_world import (
    payee,
    payer,
    quote_document,
    refused,
    switch_jwks,
)
from tests.payments.test_fspiop_directory import registered

pytestmark = pytest.mark.slow
node = e2e.node
__all__ = ["node", "payee", "payer", "switch_jwks"]  # the fixtures this module uses
SWITCH_ID = "comptoir-switch"


def test_a_quote_whose_signature_also_covers_its_content_type_and_accept_is_relayed(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    document = quote_document()
    answer = payer.call(
        "POST",
        "/quotes",
        resource="quotes",
        document=document,
        destination=payee.fsp_id,
        also_protected=("Content-Type", "Accept"),
    )
    assert answer.status_code == 202, answer.text
    relayed = payee.wait_for("POST", "/quotes")
    assert relayed.json()["quoteId"] == document["quoteId"]


def test_a_lookup_whose_signature_covers_its_accept_is_routed_to_the_holder(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    path = registered(payee, None)
    asked = payer.call("GET", f"/parties{path}", resource="parties", also_protected=("Accept",))
    assert asked.status_code == 202, asked.text
    assert payee.wait_for("GET", f"/parties{path}").headers["fspiop-source"] == payer.fsp_id


def test_a_covered_header_changed_after_signing_gets_3105(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    answer = payer.call(
        "POST",
        "/quotes",
        resource="quotes",
        document=quote_document(),
        destination=payee.fsp_id,
        also_protected=("Accept",),
        # Still an Accept the switch takes, but not the one that was signed.
        change={"Accept": media("quotes").replace("version=2.0", "version=2")},
    )
    information = refused(answer, 400, "3105")
    assert "Accept" in information["errorDescription"]


def test_an_unsigned_lookup_is_routed_to_the_holder(payer: OutsideDfsp, payee: OutsideDfsp) -> None:
    path = registered(payee, None)
    asked = payer.call(
        "GET", f"/parties{path}", resource="parties", change={"FSPIOP-Signature": None}
    )
    assert asked.status_code == 202, asked.text
    lookup = payee.wait_for("GET", f"/parties{path}")
    assert lookup.headers["fspiop-source"] == payer.fsp_id
    assert "fspiop-signature" not in lookup.headers


def test_an_unsigned_quote_gets_3105_and_goes_nowhere(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    answer = payer.call(
        "POST",
        "/quotes",
        resource="quotes",
        document=quote_document(),
        destination=payee.fsp_id,
        change={"FSPIOP-Signature": None},
    )
    refused(answer, 400, "3105")


def test_an_unsigned_removal_of_an_alias_gets_3105_and_keeps_the_alias(
    payer: OutsideDfsp, payee: OutsideDfsp
) -> None:
    path = registered(payee, None)
    removed = payee.call(
        "DELETE",
        f"/participants{path}",
        resource="participants",
        destination=SWITCH_ID,
        change={"FSPIOP-Signature": None},
    )
    refused(removed, 400, "3105")
    asked = payer.call("GET", f"/parties{path}", resource="parties")
    assert asked.status_code == 202, asked.text
    payee.wait_for("GET", f"/parties{path}")
