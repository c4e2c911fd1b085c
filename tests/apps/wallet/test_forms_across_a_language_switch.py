"""The wallet's refused forms (request to pay, refund, payment) come back as typed when the
language is switched, with their problem said in the new language, and nothing typed in any
address; each form keeps its own draft until it is sent through or opened afresh."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from tests.apps.wallet.conftest import ALICE, SHOP, Node
from tests.apps.wallet.test_pages import QR, browser, csrf, offer_to_shop, sign_in, with_crc
from tests.support.addresses import without_ids
from tests.support.texts import Texts


def _switch(client: TestClient, page: httpx.Response, lang: str) -> tuple[str, httpx.Response]:
    """Press the header's language button on `page`: where it sends back to, and the page."""
    back_to = re.search(r'name="next" value="([^"]+)"', page.text)
    assert back_to is not None
    address = back_to.group(1).replace("&amp;", "&")
    switched = client.post(
        "/language", data={"lang": lang, "next": address, "csrf_token": csrf(page.text)}
    )
    return address, switched


def _addresses(back_to: str, page: httpx.Response) -> list[str]:
    """The address the switch came back to, where it was sent, and every link and form."""
    sent = [answer.headers["location"] for answer in page.history]
    found = [back_to, *sent, *re.findall(r'(?:href|action)="([^"]*)"', page.text)]
    return [without_ids(address) for address in found]


def _merchant(node: Node, texts: Texts) -> TestClient:
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    return sign_in(node, "wallet-b", SHOP, texts)


def test_switching_language_on_a_refused_request_to_pay_brings_back_what_was_typed(
    two_banks: Node, texts: Texts
) -> None:
    merchant = _merchant(two_banks, texts)
    page = merchant.get("/wallets/wallet-b/requests")
    refused = merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": ALICE, "amount": "0", "note": "jam", "csrf_token": csrf(page.text)},
    )
    assert refused.status_code == 400

    back_to, switched = _switch(merchant, refused, "fr")

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert f'value="{ALICE}"' in switched.text and 'value="0"' in switched.text
    assert 'value="jam"' in switched.text
    assert re.search(
        r'id="request-amount-error">Le montant doit être supérieur à zéro', switched.text
    )
    for address in _addresses(back_to, switched):
        assert "555" not in address and "jam" not in address and "amount" not in address
    # A second switch keeps it too; the page opened afresh, from the menu, is empty.
    assert _switch(merchant, switched, "en")[1].text.count('value="jam"') == 1
    assert 'value="jam"' not in merchant.get("/wallets/wallet-b/requests").text
    assert 'value="jam"' not in merchant.get(back_to).text


def test_a_request_without_a_customer_asks_for_the_customer_again_after_a_switch(
    two_banks: Node, texts: Texts
) -> None:
    merchant = _merchant(two_banks, texts)
    page = merchant.get("/wallets/wallet-b/requests")
    refused = merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": "", "amount": "5", "csrf_token": csrf(page.text)},
    )

    switched = _switch(merchant, refused, "fr")[1]

    assert (
        '<p class="errors" id="payer-error">Indiquez le numéro de téléphone ou l&#39;alias du'
        " client qui doit payer." in switched.text
    )
    assert 'value="5"' in switched.text


def test_a_request_sent_through_forgets_the_refused_one(two_banks: Node, texts: Texts) -> None:
    merchant = _merchant(two_banks, texts)
    page = merchant.get("/wallets/wallet-b/requests")
    token = csrf(page.text)
    merchant.post(
        "/wallets/wallet-b/requests", data={"payer": ALICE, "amount": "0", "csrf_token": token}
    )

    sent = merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": ALICE, "amount": "5", "csrf_token": token},
        follow_redirects=False,
    )

    assert sent.status_code == 303
    kept = merchant.get("/wallets/wallet-b/requests?kept=1")
    assert 'value="0"' not in kept.text and 'id="request-amount-error"' not in kept.text


def test_switching_language_on_a_refused_refund_brings_it_back_at_its_payment(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    customer, page, offer, _ = offer_to_shop(node, texts)
    customer.post(page + "/confirm", data={"csrf_token": csrf(offer.text)})
    node.pump()
    merchant = sign_in(node, "wallet-b", SHOP, texts)
    sales = merchant.get("/wallets/wallet-b/received")
    action = re.search(r'action="(/wallets/wallet-b/received/[^"]+/refund)"', sales.text)
    assert action is not None
    refused = merchant.post(
        action.group(1),
        data={"amount": "11", "reason": "broken jar", "csrf_token": csrf(sales.text)},
    )
    assert refused.status_code == 400

    back_to, switched = _switch(merchant, refused, "fr")

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    field = re.search(
        r'<p class="errors" id="refund-1-error">([^<]+)</p>\s*<input id="refund-1"[^>]*>',
        switched.text,
    )
    assert field is not None, "the refusal is not at the payment's amount"
    assert field.group(1).startswith("Vous pouvez rembourser au plus 10,00\xa0XCD")
    assert 'value="11"' in field.group(0) and 'value="broken jar"' in switched.text
    for address in _addresses(back_to, switched):
        assert "11" not in address.rsplit("/", 1)[-1] and "broken" not in address
    assert 'value="broken jar"' not in merchant.get("/wallets/wallet-b/received").text


def test_a_refused_payment_and_a_refused_request_are_each_kept_for_their_own_page(
    two_banks: Node, texts: Texts
) -> None:
    merchant = _merchant(two_banks, texts)
    pay = merchant.get("/wallets/wallet-b/pay")
    token = csrf(pay.text)
    merchant.post(
        "/wallets/wallet-b/pay", data={"recipient": ALICE, "amount": "abc", "csrf_token": token}
    )
    merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": ALICE, "amount": "0", "note": "jam", "csrf_token": token},
    )

    assert 'value="abc"' in merchant.get("/wallets/wallet-b/pay?kept=1").text
    assert 'value="jam"' in merchant.get("/wallets/wallet-b/requests?kept=1").text


def test_signing_out_forgets_every_refused_form(two_banks: Node, texts: Texts) -> None:
    merchant = _merchant(two_banks, texts)
    page = merchant.get("/wallets/wallet-b/requests")
    token = csrf(page.text)
    merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": ALICE, "amount": "0", "note": "jam", "csrf_token": token},
    )

    merchant.post("/wallets/wallet-b/signout", data={"csrf_token": token})
    again = sign_in(two_banks, "wallet-b", SHOP, texts)

    assert 'value="jam"' not in again.get("/wallets/wallet-b/requests?kept=1").text


def test_a_refused_qr_code_read_in_french_keeps_the_text_pasted_with_its_problem(
    two_banks: Node, texts: Texts
) -> None:
    client = _merchant(two_banks, texts)
    form = client.get("/wallets/wallet-b/pay/qr")
    code = with_crc(QR)
    damaged = code[:-1] + ("1" if code.endswith("0") else "0")  # the checksum no longer matches
    refused = client.post(
        "/wallets/wallet-b/pay/qr", data={"payload": damaged, "csrf_token": csrf(form.text)}
    )
    assert refused.status_code == 400

    back_to, switched = _switch(client, refused, "fr")

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert damaged in switched.text
    assert re.search(r'id="payload-error">Le code QR est abîmé', switched.text)
    assert all(damaged[:20] not in address for address in _addresses(back_to, switched))
    assert damaged not in client.get("/wallets/wallet-b/pay/qr").text


def test_a_phone_refused_at_sign_in_read_in_french_keeps_the_number_out_of_every_address(
    two_banks: Node,
) -> None:
    client = browser(two_banks)
    form = client.get("/wallets/wallet-a/signin")
    refused = client.post(
        "/wallets/wallet-a/signin", data={"phone": "758 555 077", "csrf_token": csrf(form.text)}
    )
    assert refused.status_code == 400

    back_to, switched = _switch(client, refused, "fr")

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert 'value="758 555 077"' in switched.text and 'aria-invalid="true"' in switched.text
    assert "758 555 077 n&#39;est pas un numéro de téléphone au format international" in (
        switched.text
    )
    for address in _addresses(back_to, switched):
        assert "555" not in address and "077" not in address
    assert 'value="758 555 077"' not in client.get("/wallets/wallet-a/signin").text
    assert 'value="758 555 077"' not in client.get(back_to).text
