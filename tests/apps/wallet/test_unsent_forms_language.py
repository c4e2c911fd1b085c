"""The wallet's forms read in another language before they are sent: the header's language
buttons send the form (`switch_keeps`) to be kept on the sign-in session, so it comes back as
typed in the new language, with no problem named (it was not sent), nothing paid or asked for,
and nothing typed in any address. A refused form switched the same way keeps its problem."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.apps.wallet.conftest import ALICE, BOB, Node
from tests.apps.wallet.test_forms_across_a_language_switch import _merchant
from tests.apps.wallet.test_pages import QR, csrf, sign_in, with_crc
from tests.support.texts import Texts

PAY = "/wallets/wallet-a/pay"


def _alice(node: Node, texts: Texts) -> TestClient:
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    return sign_in(node, "wallet-a", ALICE, texts)


def test_a_payment_switched_before_it_is_sent_comes_back_as_typed_and_pays_nothing(
    two_banks: Node, texts: Texts
) -> None:
    alice = _alice(two_banks, texts)
    form = alice.get(PAY)
    assert 'form="pay"' in form.text  # the header's buttons send this form
    typed = {"recipient": BOB, "amount": "12.50", "note": "Jeremie basket"}

    switched = alice.post(PAY, data={**typed, "lang": "fr", "csrf_token": csrf(form.text)})

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    for value in typed.values():
        assert f'value="{value}"' in switched.text
    assert 'aria-invalid="true"' not in switched.text and 'name="refused"' not in switched.text
    sent_to = [answer.headers["location"] for answer in switched.history]
    assert sent_to == [PAY + "?kept=1"]
    assert "Jeremie basket" not in alice.get("/wallets/wallet-a/home").text
    assert 'value="Jeremie basket"' not in alice.get(PAY).text  # opened afresh: empty


def test_a_refused_payment_switched_from_the_header_keeps_its_problem_and_the_edits(
    two_banks: Node, texts: Texts
) -> None:
    alice = _alice(two_banks, texts)
    form = alice.get(PAY)
    refused = alice.post(
        PAY, data={"recipient": BOB, "amount": "douze", "csrf_token": csrf(form.text)}
    )
    assert refused.status_code == 400 and 'name="refused" value="1"' in refused.text

    switched = alice.post(
        PAY,
        data={
            "recipient": BOB,
            "amount": "douze",
            "note": "typed after the refusal",
            "refused": "1",
            "lang": "fr",
            "csrf_token": csrf(refused.text),
        },
    )

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert re.search(r'id="amount-error">douze n&#39;est pas un montant', switched.text)
    assert 'value="typed after the refusal"' in switched.text


def test_a_qr_code_pasted_and_switched_before_it_is_read_comes_back_as_pasted(
    two_banks: Node, texts: Texts
) -> None:
    alice = _alice(two_banks, texts)
    form = alice.get(PAY + "/qr")

    switched = alice.post(
        PAY + "/qr", data={"payload": "000201 half", "lang": "fr", "csrf_token": csrf(form.text)}
    )

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert ">000201 half</textarea>" in switched.text
    assert 'aria-invalid="true"' not in switched.text


def test_a_request_to_pay_switched_before_it_is_sent_asks_no_one(
    two_banks: Node, texts: Texts
) -> None:
    merchant = _merchant(two_banks, texts)
    page = merchant.get("/wallets/wallet-b/requests")
    assert 'form="ask"' in page.text

    switched = merchant.post(
        "/wallets/wallet-b/requests",
        data={
            "payer": ALICE,
            "amount": "4",
            "note": "jam",
            "lang": "fr",
            "csrf_token": csrf(page.text),
        },
    )

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert f'value="{ALICE}"' in switched.text and 'value="jam"' in switched.text
    assert 'aria-invalid="true"' not in switched.text
    outgoing = switched.text.split('id="outgoing"', 1)[1]
    assert "4.00" not in outgoing  # no request was sent


def test_a_payment_filled_from_a_qr_code_keeps_the_merchants_name_across_a_switch(
    two_banks: Node, texts: Texts
) -> None:
    alice = _alice(two_banks, texts)
    form = alice.get(PAY + "/qr")
    filled = alice.post(PAY + "/qr", data={"payload": with_crc(QR), "csrf_token": csrf(form.text)})
    assert "Chez Marie" in filled.text

    mark = re.search(r'name="qr" value="([^"]+)"', filled.text)
    assert mark is not None

    switched = alice.post(
        PAY,
        data={
            "recipient": "shop@wallet-b",
            "amount": "12.50",
            "qr": mark.group(1),
            "lang": "fr",
            "csrf_token": csrf(filled.text),
        },
    )

    assert 'lang="fr"' in switched.text and "Ce code QR vient de Chez Marie" in switched.text
    assert 'value="shop@wallet-b"' in switched.text and 'value="12,50"' in switched.text
