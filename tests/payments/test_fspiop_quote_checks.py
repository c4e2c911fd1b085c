"""A quote the transfer would be refused for is refused before the payee is asked: an amount of
nothing or finer than its currency allows (3100), a currency the payer's DFSP does not hold
(4103), one the payee's does not (5106)."""

from __future__ import annotations

import pytest

from tests.payments import test_switch_e2e as e2e
from tests.payments.fspiop_peer import Peer
from tests.payments.outside_world import quote_document
from tests.payments.test_switch_e2e import Node, error_code

pytestmark = pytest.mark.slow
node = e2e.node
payer = e2e.payer
payee = e2e.payee
__all__ = ["node", "payee", "payer"]  # the fixtures this module uses


@pytest.mark.parametrize(
    ("amount", "code", "words"),
    [
        ({"currency": "XCD", "amount": "10.005"}, "3100", "decimals"),
        ({"currency": "XCD", "amount": "0"}, "3100", "more than zero"),
        ({"currency": "EUR", "amount": "10"}, "4103", "payer FSP does not hold EUR"),
        ({"currency": "USD", "amount": "10"}, "5106", "payee FSP does not hold USD"),
    ],
)
def test_a_quote_the_transfer_would_be_refused_for_never_reaches_the_payee(
    node: Node, payer: Peer, payee: Peer, amount: dict[str, str], code: str, words: str
) -> None:
    held = node.comptoir("switch", "positions").stdout
    if f"{payer.fsp_id}\tUSD" not in held:
        added = node.comptoir(
            "switch", "participant", "add-currency", payer.fsp_id,
            "--currency", "USD", "--ndc", "10.00",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    document = quote_document(
        amount=amount,
        payee={
            "partyIdInfo": {
                "partyIdType": "MSISDN",
                "partyIdentifier": "17585550785",
                "fspId": payee.fsp_id,
            }
        },
    )
    assert payer.send("POST", "/quotes", resource="quotes", document=document).status_code == 202
    told = payer.wait_for("PUT", f"/quotes/{document['quoteId']}/error").json()
    assert error_code(told) == code, told
    assert words in told["errorInformation"]["errorDescription"]
    with pytest.raises(AssertionError, match="got no POST"):
        payee.wait_for("POST", "/quotes", timeout=1)
