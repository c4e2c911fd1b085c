"""A form that refuses what was typed says why next to the field at fault, keeps what was
typed, and shows amounts as the reader writes them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from comptoir.apps.wallet.domain.signin import SESSION_LIFETIME
from comptoir.apps.wallet.models import WalletSession
from comptoir.apps.wallet.service.form_drafts import forget_ended_drafts
from tests.apps.wallet.conftest import ALICE, BOB, SHOP, Node
from tests.apps.wallet.test_pages import QR, csrf, offer_to_shop, sign_in, with_crc
from tests.support.addresses import without_ids
from tests.support.texts import Texts

FR = {"accept-language": "fr"}


def test_a_refused_amount_is_explained_at_its_field_and_kept(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay", headers=FR)
    assert "12,50" in form.text  # the example under the amount, as a French reader writes it

    answer = client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": SHOP, "amount": "abc", "csrf_token": csrf(form.text)},
        headers=FR,
    )

    assert answer.status_code == 400
    field = re.search(
        r'<p class="errors" id="amount-error">([^<]+)</p>\s*<input id="amount"[^>]*>', answer.text
    )
    assert field is not None, "the sentence is not next to the amount"
    assert "abc n&#39;est pas un montant." in field.group(1)
    assert 'value="abc"' in field.group(0) and 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="amount-hint amount-error"' in field.group(0)


def test_a_refund_above_what_is_left_keeps_the_amount_and_reason_at_that_payment(
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
    assert '<p class="errors" id="refund-1-error">You can refund at most' in refused.text
    assert 'value="11"' in refused.text and 'value="broken jar"' in refused.text
    assert "up to XCD\xa09.90 now" in merchant.get("/wallets/wallet-b/received").text


def test_an_empty_qr_asks_for_the_code_and_one_cut_over_lines_is_read_in_french(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay/qr")

    empty = client.post(
        "/wallets/wallet-a/pay/qr", data={"payload": " \n", "csrf_token": csrf(form.text)}
    )
    assert empty.status_code == 400
    assert '<p class="errors" id="payload-error">Paste the text of the merchant' in empty.text

    code = with_crc(QR)
    cut = client.post(
        "/wallets/wallet-a/pay/qr",
        data={"payload": f"{code[:30]}\r\n{code[30:]}\n", "csrf_token": csrf(form.text)},
        headers=FR,
    )
    assert cut.status_code == 200
    assert 'value="shop@wallet-b"' in cut.text and 'value="12,50"' in cut.text


def test_a_payment_to_an_unknown_number_offers_to_correct_it_with_what_was_typed(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay")
    started = client.post(
        "/wallets/wallet-a/pay",
        data={
            "recipient": "+17585550777",
            "amount": "2,5",
            "note": "rent",
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    node.pump()
    failed = client.get(started.headers["location"], headers=FR)
    link = re.search(r'href="(/wallets/wallet-a/pay\?[^"]+)"', failed.text)
    assert link is not None, "no way back to the form"
    typed_back = without_ids(link.group(1))
    assert "555" not in typed_back and "rent" not in typed_back, "typed values in a link"

    again = client.get(link.group(1).replace("&amp;", "&"), headers=FR)

    assert 'value="+17585550777"' in again.text and 'value="2,50"' in again.text
    assert 'value="rent"' in again.text


def test_a_failed_payment_fills_the_form_only_for_the_customer_who_made_it(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-a", BOB, "Bob Charles", balance=10_000)
    alice = sign_in(node, "wallet-a", ALICE, texts)
    form = alice.get("/wallets/wallet-a/pay")
    started = alice.post(
        "/wallets/wallet-a/pay",
        data={"recipient": "+17585550777", "amount": "2.5", "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    node.pump()
    payment_id = started.headers["location"].rsplit("/", 1)[-1]
    bob = sign_in(node, "wallet-a", BOB, texts)

    theirs = bob.get(f"/wallets/wallet-a/pay?again={payment_id}")

    assert theirs.status_code == 200 and "+17585550777" not in theirs.text


def test_a_request_to_pay_with_a_bad_amount_says_so_at_the_amount(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    merchant = sign_in(node, "wallet-b", SHOP, texts)
    page = merchant.get("/wallets/wallet-b/requests")

    refused = merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": ALICE, "amount": "0", "csrf_token": csrf(page.text)},
    )

    assert refused.status_code == 400
    assert '<p class="errors" id="request-amount-error">The amount must be' in refused.text
    assert f'value="{ALICE}"' in refused.text and 'value="0"' in refused.text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("1,234.50", "XCD\xa01,234.50"),  # as the English page writes it
        ("1\u202f234,50\xa0XCD", "XCD\xa01,234.50"),  # copied from the French page
        ("1.234,50", "XCD\xa01,234.50"),
        ("1,234", "XCD\xa01,234.00"),  # thousands, to a reader of the English page
        ("EC$20", "XCD\xa020.00"),
    ],
)
def test_an_amount_written_with_thousands_or_a_currency_is_read_as_meant(
    typed: str, shown: str, two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=500_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay")

    started = client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": "shop@wallet-b", "amount": typed, "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )

    assert started.status_code == 303
    node.pump()
    assert f"Pay {shown}" in client.get(started.headers["location"]).text


def test_switching_language_on_a_refused_payment_brings_back_what_was_typed(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay")
    refused = client.post(
        "/wallets/wallet-a/pay",
        data={
            "recipient": "+1 758 555 0777",
            "amount": "12.345",
            "note": "rent",
            "csrf_token": csrf(form.text),
        },
    )
    back_to = re.search(r'name="next" value="([^"]+)"', refused.text)
    assert back_to is not None

    switched = client.post(
        "/language",
        data={
            "lang": "fr",
            "next": back_to.group(1).replace("&amp;", "&"),
            "csrf_token": csrf(refused.text),
        },
    )

    assert switched.status_code == 200 and "Montant (XCD)" in switched.text
    assert 'value="+1 758 555 0777"' in switched.text and 'value="12.345"' in switched.text
    assert 'value="rent"' in switched.text
    # Why it was refused, said again beside the amount, in French now.
    assert re.search(r'id="amount-error">12.345 a trop de décimales', switched.text)
    addresses = [back_to.group(1)] + [answer.headers["location"] for answer in switched.history]
    links = re.findall(r'(?:href|action)="([^"]*)"', switched.text)
    for address in map(without_ids, addresses + links):
        assert "555" not in address and "12.345" not in address and "rent" not in address
    # A second switch keeps it too; a fresh form, opened from the menu, is empty.
    assert re.search(r'name="next" value="([^"]+)"', switched.text).group(1) == back_to.group(1)
    assert 'value="12.345"' not in client.get("/wallets/wallet-a/pay").text
    assert 'value="12.345"' not in client.get(back_to.group(1).replace("&amp;", "&")).text


def test_a_refused_payment_kept_for_the_language_switch_is_gone_once_a_payment_starts(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay")
    token = csrf(form.text)
    client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": "shop@wallet-b", "amount": "9999", "csrf_token": token},
    )
    kept = client.get("/wallets/wallet-a/pay?kept=1")
    assert 'value="9999"' in kept.text
    assert "Your balance (XCD\xa0100.00) is not enough for XCD\xa09,999.00." in kept.text

    started = client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": "shop@wallet-b", "amount": "5", "csrf_token": token},
        follow_redirects=False,
    )

    assert started.status_code == 303
    kept = client.get("/wallets/wallet-a/pay?kept=1")
    assert 'value="9999"' not in kept.text and 'value="5"' not in kept.text


def test_a_kept_form_is_forgotten_within_the_hour_after_its_session_expired(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay")
    client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": "+1 758 555 0777", "amount": "9999", "csrf_token": csrf(form.text)},
    )
    assert forget_ended_drafts(node.wallet) == 0  # the session is live: its draft stays

    node.clock.advance(SESSION_LIFETIME + timedelta(seconds=1))

    assert forget_ended_drafts(node.wallet) == 1
    with node.wallet.database.reading() as session:
        kept = session.scalars(select(WalletSession.form_draft)).all()
    assert all(draft is None for draft in kept)


def test_a_request_to_pay_without_a_customer_asks_for_the_customer(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    merchant = sign_in(node, "wallet-b", SHOP, texts)
    page = merchant.get("/wallets/wallet-b/requests")

    refused = merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": "", "amount": "5", "csrf_token": csrf(page.text)},
    )

    assert refused.status_code == 400
    assert (
        '<p class="errors" id="payer-error">Enter the phone number or alias of the customer who'
        in refused.text
    )
    assert "person to pay" not in refused.text


def test_a_request_being_routed_says_it_is_finding_the_customer_not_the_payee(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    merchant = sign_in(node, "wallet-b", SHOP, texts)
    page = merchant.get("/wallets/wallet-b/requests")

    merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": ALICE, "amount": "5", "csrf_token": csrf(page.text)},
    )

    listed = merchant.get("/wallets/wallet-b/requests").text
    assert "Finding the customer's bank" in listed and "Finding the payee" not in listed
