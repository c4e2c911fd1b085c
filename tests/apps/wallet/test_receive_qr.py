"""A merchant makes its own QR code on its Receive page: one to print for the counter (no
amount), or one for a single sale (the amount fixed). The code is an EMVCo payload naming the
merchant's alias, which any wallet on the switch reads and pays."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from comptoir.kernel.emvco_qr import PointOfInitiation, decode
from comptoir.kernel.money import Money
from tests.apps.wallet.conftest import ALICE, SHOP, Node
from tests.apps.wallet.test_pages import csrf, sign_in
from tests.support.texts import Texts

RECEIVE = "/wallets/wallet-b/receive"


def _merchant(node: Node, texts: Texts) -> TestClient:
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    return sign_in(node, "wallet-b", SHOP, texts)


def _payload(page: str) -> str:
    found = re.search(r'<textarea id="qr-payload" rows="4" readonly>([^<]+)</textarea>', page)
    assert found, "the page shows no code's text"
    return html.unescape(found.group(1))


def test_a_merchant_makes_a_code_to_print_that_pays_its_alias_and_leaves_the_amount_open(
    two_banks: Node, texts: Texts
) -> None:
    merchant = _merchant(two_banks, texts)
    assert "Make the code" in merchant.get(RECEIVE).text

    page = merchant.get(RECEIVE, params={"city": "Soufrière"})

    assert page.status_code == 200, page.text
    assert "<svg" in page.text and "QR code to pay Chez Marie" in page.text
    code = decode(_payload(page.text))
    assert code.account is not None and code.account.alias == "shop@wallet-b"
    assert (code.merchant_name, code.merchant_city, code.country) == (
        "Chez Marie",
        "Soufriere",  # EMVCo prints ASCII
        "LC",  # the merchant's phone is Saint Lucia's
    )
    assert code.amount is None and code.point_of_initiation == PointOfInitiation.STATIC
    assert "your customer types the amount" in page.text


def test_a_code_for_one_sale_fixes_its_amount_and_another_wallet_pays_exactly_that(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    merchant = _merchant(node, texts)
    page = merchant.get(RECEIVE, params={"city": "Castries", "amount": "12,50"})
    code = decode(_payload(page.text))
    assert code.amount == Money(1250, "XCD")
    assert code.point_of_initiation == PointOfInitiation.DYNAMIC

    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    alice = sign_in(node, "wallet-a", ALICE, texts)
    form = alice.get("/wallets/wallet-a/pay/qr")
    read = alice.post(
        "/wallets/wallet-a/pay/qr",
        data={"payload": _payload(page.text), "csrf_token": csrf(form.text)},
    )
    assert read.status_code == 200, read.text
    assert "The QR code is from Chez Marie, with the amount to pay." in read.text
    assert '<input type="hidden" name="amount" value="12.50">' in read.text


def test_an_amount_that_is_not_one_is_refused_at_its_field_and_no_code_is_shown(
    two_banks: Node, texts: Texts
) -> None:
    merchant = _merchant(two_banks, texts)

    refused = merchant.get(RECEIVE, params={"city": "Castries", "amount": "1.234"})

    assert refused.status_code == 400
    assert 'id="amount-error"' in refused.text and "<svg" not in refused.text
    assert 'value="1.234"' in refused.text and 'value="Castries"' in refused.text


def test_a_code_without_a_town_is_refused_in_the_reader_s_language(
    two_banks: Node, texts: Texts
) -> None:
    merchant = _merchant(two_banks, texts)

    refused = merchant.get(RECEIVE, params={"city": " ", "amount": "5"})
    french = merchant.get(
        RECEIVE, params={"city": "", "amount": "5"}, headers={"accept-language": "fr"}
    )

    assert refused.status_code == 400 and 'id="city-error"' in refused.text
    assert "Write the town where you sell" in refused.text
    assert french.status_code == 400 and "Écrivez la ville où vous vendez" in french.text


def test_a_person_who_sells_nothing_is_offered_no_code(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    alice = sign_in(node, "wallet-a", ALICE, texts)

    page = alice.get("/wallets/wallet-a/receive", params={"city": "Castries"})

    assert page.status_code == 200
    assert "Your QR code" not in page.text and "<svg" not in page.text


def test_a_town_longer_than_a_code_holds_is_said_with_what_the_code_prints(
    two_banks: Node, texts: Texts
) -> None:
    merchant = _merchant(two_banks, texts)

    page = merchant.get(RECEIVE, params={"city": "A very long town name indeed"})

    assert page.status_code == 200, page.text
    assert decode(_payload(page.text)).merchant_city == "A very long tow"
    assert "this one prints “A very long tow”" in page.text
    short = merchant.get(RECEIVE, params={"city": "Castries"})
    assert "this one prints" not in short.text
