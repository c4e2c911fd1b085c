"""The wallet's pages as a customer uses them: sign in, pay, approve, refund; in a browser
without JavaScript (plain forms), in English and French."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import NamedTuple

import httpx
import pytest
from fastapi.testclient import TestClient

from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.pages.common import memo_text
from comptoir.apps.wallet.service.customers import get_customer_view
from comptoir.kernel.i18n import LazyText, current_locale, set_current_locale
from tests.apps.wallet.conftest import ALICE, BASE_URL, BOB, SHOP, Node
from tests.support.texts import Texts

HTML = {"accept": "text/html"}


@contextmanager
def language(locale: str) -> Iterator[None]:
    before = current_locale()
    set_current_locale(locale)
    try:
        yield
    finally:
        set_current_locale(before)


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


QR = (
    tlv("00", "01")
    + tlv("01", "12")
    + tlv("26", tlv("00", "org.comptoir") + tlv("01", "shop@wallet-b"))
    + tlv("52", "5999")
    + tlv("53", "951")
    + tlv("54", "12.50")
    + tlv("58", "LC")
    + tlv("59", "Chez Marie")
    + tlv("60", "Castries")
    + "6304"
)


def with_crc(payload: str) -> str:
    from comptoir.kernel.emvco_qr import crc16_ccitt_false

    return payload + f"{crc16_ccitt_false(payload.encode()):04X}"


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


def browser(node: Node) -> TestClient:
    return TestClient(node.client.app, base_url=BASE_URL, headers=HTML)


def sign_in(node: Node, institution_id: str, phone: str, texts: Texts) -> TestClient:
    client = browser(node)
    form = client.get(f"/wallets/{institution_id}/signin")
    texts.forget()
    sent = client.post(
        f"/wallets/{institution_id}/signin", data={"phone": phone, "csrf_token": csrf(form.text)}
    )
    code = texts.codes()[-1]
    done = client.post(
        f"/wallets/{institution_id}/signin/code",
        data={"phone": phone, "code": code, "csrf_token": csrf(sent.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return client


class Offer(NamedTuple):
    """A payment waiting for its payer's agreement, as the payer's browser sees it."""

    browser: TestClient
    page: str  # the payment's own page
    shown: httpx.Response  # that page, with the payee, the fees and the total
    payer_id: uuid.UUID


def started_payment(node: Node, client: TestClient, recipient: str, amount: str) -> str:
    """Start paying from wallet-a's pay form, as typed; the address of the payment's page once
    the payee's bank has answered."""
    form = client.get("/wallets/wallet-a/pay")
    started = client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": recipient, "amount": amount, "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    node.pump()
    return str(started.headers["location"])


def offer_to_shop(node: Node, texts: Texts) -> Offer:
    """Alice (wallet-a, XCD 100.00) starts paying Chez Marie (wallet-b) XCD 10.00."""
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    customer = sign_in(node, "wallet-a", ALICE, texts)
    page = started_payment(node, customer, "shop@wallet-b", "10")
    return Offer(customer, page, customer.get(page), alice.id)


def test_the_wallet_is_offered_to_shoppers_and_banks(two_banks: Node) -> None:
    client = browser(two_banks)
    assert "/wallets" in client.get("/shop").text
    assert "/wallets" in client.get("/bank").text
    page = client.get("/wallets")
    assert page.status_code == 200
    assert "Wallet A" in page.text and "Bank B" in page.text


def test_a_customer_signs_in_with_a_code_printed_on_the_console(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=12_345)
    client = browser(node)
    assert client.get("/wallets/wallet-a/home", follow_redirects=False).status_code == 303

    form = client.get("/wallets/wallet-a/signin")
    texts.forget()
    sent = client.post(
        "/wallets/wallet-a/signin",
        data={"phone": "+1 758 555 0101", "csrf_token": csrf(form.text)},
    )
    [code] = texts.codes("+17585550101")  # the number as typed, made E.164
    done = client.post(
        "/wallets/wallet-a/signin/code",
        data={"phone": "+17585550101", "code": code, "csrf_token": csrf(sent.text)},
        follow_redirects=False,
    )

    assert done.status_code == 303
    cookie = done.headers["set-cookie"]
    assert "comptoir_wallet=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Path=/wallets/wallet-a" in cookie
    home = client.get("/wallets/wallet-a/home")
    assert "Alice Joseph" in home.text and "XCD\xa0123.45" in home.text
    assert home.headers["cache-control"] == "no-store"


def test_a_phone_without_an_account_looks_the_same_and_gets_no_code(
    two_banks: Node, texts: Texts
) -> None:
    client = browser(two_banks)
    form = client.get("/wallets/wallet-a/signin")
    texts.forget()
    sent = client.post(
        "/wallets/wallet-a/signin", data={"phone": "+17585559999", "csrf_token": csrf(form.text)}
    )
    assert sent.status_code == 200 and "we have sent it a code" in sent.text
    assert texts.codes() == []


def test_signing_in_without_a_phone_number_asks_for_one_in_plain_words(two_banks: Node) -> None:
    client = browser(two_banks)
    form = client.get("/wallets/wallet-a/signin")

    refused = client.post(
        "/wallets/wallet-a/signin", data={"phone": "  ", "csrf_token": csrf(form.text)}
    )

    assert refused.status_code == 400
    assert "Write the phone number with its country code" in refused.text
    assert "&#39;&#39;" not in refused.text and "''" not in refused.text


def test_switching_language_at_the_code_step_stays_at_the_code_step_without_a_new_code(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = browser(node)
    form = client.get("/wallets/wallet-a/signin")
    texts.forget()
    sent = client.post(
        "/wallets/wallet-a/signin", data={"phone": ALICE, "csrf_token": csrf(form.text)}
    )
    code = texts.codes()[-1]
    back = re.search(r'name="next" value="([^"]+)"', sent.text)
    assert back is not None

    switched = client.post(
        "/language",
        data={
            "lang": "fr",
            "next": back.group(1).replace("&amp;", "&"),
            "csrf_token": csrf(sent.text),
        },
    )

    assert '<html lang="fr">' in switched.text and 'name="code"' in switched.text
    assert texts.codes() == []  # no second code was sent
    # The phone waits in a cookie of the sign-in pages, never in an address the server gives.
    addresses = [back.group(1)] + [answer.headers["location"] for answer in switched.history]
    assert all("555" not in address for address in addresses), addresses
    assert 'name="code"' not in client.get("/wallets/wallet-a/signin").text  # another number
    done = client.post(
        "/wallets/wallet-a/signin/code",
        data={"phone": ALICE, "code": code, "csrf_token": csrf(switched.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303


def test_three_wrong_codes_lock_the_phone_for_ten_minutes(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    form = client.get("/wallets/wallet-a/signin")
    texts.forget()
    sent = client.post(
        "/wallets/wallet-a/signin", data={"phone": ALICE, "csrf_token": csrf(form.text)}
    )
    code = texts.codes()[-1]
    wrong = "000000" if code != "000000" else "111111"
    token = csrf(sent.text)
    answers = [
        client.post(
            "/wallets/wallet-a/signin/code",
            data={"phone": ALICE, "code": wrong, "csrf_token": token},
        ).status_code
        for _ in range(3)
    ]
    assert answers == [400, 400, 429]
    locked = client.post(
        "/wallets/wallet-a/signin/code", data={"phone": ALICE, "code": code, "csrf_token": token}
    )
    assert locked.status_code == 429 and "locked" in locked.text

    node.clock.advance(timedelta(minutes=10, seconds=1))
    assert sign_in(node, "wallet-a", ALICE, texts).get("/wallets/wallet-a/home").status_code == 200


def test_a_customer_pays_through_the_pages_and_sees_the_total_before_agreeing(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    shop = node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    client = sign_in(node, "wallet-a", ALICE, texts)

    form = client.get("/wallets/wallet-a/pay")
    started = client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": "shop@wallet-b", "amount": "12.50", "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    assert started.status_code == 303
    page_url = started.headers["location"]
    waiting = client.get(page_url)
    assert "Finding the payee" in waiting.text and "Check again" in waiting.text
    # While it waits, the page looks again by itself; an offer waits for the customer.
    assert '<meta http-equiv="refresh" content="3">' in waiting.text

    node.pump()
    offer = client.get(page_url)
    assert "Chez Marie" in offer.text
    assert 'http-equiv="refresh"' not in offer.text
    for shown in ("XCD\xa012.50", "XCD\xa00.13", "XCD\xa012.37", "Pay XCD\xa012.50"):
        assert shown in offer.text, shown
    assert (
        get_customer_view(node.wallet, institution_id="wallet-b", customer_id=shop.id).balance.minor
        == 0
    )

    agreed = client.post(
        f"{page_url}/confirm", data={"csrf_token": csrf(offer.text)}, follow_redirects=False
    )
    assert agreed.status_code == 303
    node.pump()
    receipt = client.get(page_url)
    assert "Receipt" in receipt.text and "Paid" in receipt.text
    home = client.get("/wallets/wallet-a/home")
    assert "XCD\xa087.50" in home.text


def test_the_payees_history_names_who_paid_and_their_note(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay")
    started = client.post(
        "/wallets/wallet-a/pay",
        data={
            "recipient": "shop@wallet-b",
            "amount": "3",
            "note": "Invoice 7",
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    node.pump()
    offer = client.get(started.headers["location"])
    client.post(started.headers["location"] + "/confirm", data={"csrf_token": csrf(offer.text)})
    node.pump()

    shop = sign_in(node, "wallet-b", SHOP, texts)
    history = shop.get("/wallets/wallet-b/home").text

    assert "Payment received · Alice Joseph · Invoice 7" in history


@pytest.mark.parametrize(
    ("recipient", "amount", "message"),
    [
        ("shop@wallet-b", "abc", "abc is not an amount"),
        ("shop@wallet-b", "1.234", "too many decimals"),
        ("shop@wallet-b", "0", "more than zero"),
        ("shop@wallet-b", "500", "is not enough"),
        ("555", "5", "not a phone number"),
    ],
)
def test_bad_payment_input_is_explained_and_changes_nothing(
    two_banks: Node,
    texts: Texts,
    recipient: str,
    amount: str,
    message: str,
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    sent_before = len(node.switch.received)
    form = client.get("/wallets/wallet-a/pay")
    answer = client.post(
        "/wallets/wallet-a/pay",
        data={"recipient": recipient, "amount": amount, "csrf_token": csrf(form.text)},
    )
    assert answer.status_code == 400
    assert message in answer.text and 'role="alert"' in answer.text
    assert 'aria-invalid="true"' in answer.text
    node.pump()
    assert len(node.switch.received) == sent_before


def test_a_form_without_its_csrf_token_is_refused(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    answer = client.post("/wallets/wallet-a/pay", data={"recipient": BOB, "amount": "1"})
    assert answer.status_code == 403


def test_a_pasted_merchant_qr_fills_the_payment_form(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)
    form = client.get("/wallets/wallet-a/pay/qr")
    read = client.post(
        "/wallets/wallet-a/pay/qr", data={"payload": with_crc(QR), "csrf_token": csrf(form.text)}
    )
    assert read.status_code == 200
    assert 'value="shop@wallet-b"' in read.text and 'value="12.50"' in read.text
    assert "Chez Marie" in read.text

    damaged = client.post(
        "/wallets/wallet-a/pay/qr", data={"payload": QR + "0000", "csrf_token": csrf(form.text)}
    )
    assert damaged.status_code == 400 and "checksum" in damaged.text


def test_the_qr_page_keeps_the_signed_in_customers_menu_and_sign_out(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    client = sign_in(node, "wallet-a", ALICE, texts)

    form = client.get("/wallets/wallet-a/pay/qr")
    refused = client.post(
        "/wallets/wallet-a/pay/qr", data={"payload": "anything", "csrf_token": csrf(form.text)}
    )

    for page in (form, refused):
        assert "Wallet A · Alice Joseph" in page.text
        assert 'href="/wallets/wallet-a/home"' in page.text
        assert 'action="/wallets/wallet-a/signout"' in page.text


def test_the_pages_speak_french_to_a_french_browser(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=123_456)
    client = sign_in(node, "wallet-a", ALICE, texts)
    home = client.get("/wallets/wallet-a/home", headers={"accept-language": "fr"})
    assert home.headers["content-language"] == "fr"
    assert '<html lang="fr">' in home.text
    assert "1\u202f234,56\xa0XCD" in home.text


def test_an_offer_left_past_its_time_shows_as_expired_with_no_pay_button(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    client = sign_in(node, "wallet-a", ALICE, texts)
    page_url = started_payment(node, client, "shop@wallet-b", "5")
    assert "Pay XCD\xa05.00" in client.get(page_url).text

    node.clock.advance(timedelta(hours=1))
    offer = client.get(page_url)
    home = client.get("/wallets/wallet-a/home")

    assert "Expired" in offer.text and "The offer expired before the payment was made" in offer.text
    assert "Pay XCD\xa05.00" not in offer.text and "/confirm" not in offer.text
    assert 'href="/wallets/wallet-a/pay">Start again' in offer.text
    # Nothing of it moved: the account's list of payments no longer holds it.
    assert page_url not in home.text and "Waiting for your agreement" not in home.text


def test_an_offer_agreed_to_from_a_tab_left_open_past_its_time_stays_expired(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    client = sign_in(node, "wallet-a", ALICE, texts)
    page_url = started_payment(node, client, "shop@wallet-b", "5")
    left_open = client.get(page_url)

    node.clock.advance(timedelta(hours=1))
    client.post(f"{page_url}/confirm", data={"csrf_token": csrf(left_open.text)})
    after = client.get(page_url)

    assert "Expired" in after.text and "Start again" in after.text
    assert "Correct and try again" not in after.text and "Failed" not in after.text
    assert "XCD\xa0100.00" in client.get("/wallets/wallet-a/home").text


def test_the_opening_balance_is_named_in_the_readers_language_and_a_note_as_written() -> None:
    opening = memo_text(books.OPENING_BALANCE)
    with language("fr"):
        opening_fr = memo_text(books.OPENING_BALANCE)
        # "Paid" is a message id too: a person's note that happens to match one stays as written.
        note_fr = memo_text("Paid")

    assert opening == "opening balance"
    assert opening_fr == LazyText(books.OPENING_BALANCE).render("fr")
    assert note_fr == "Paid"
    assert memo_text(None) == "" and memo_text("") == ""


def test_a_customer_approves_a_request_to_pay_on_the_requests_page(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    merchant = sign_in(node, "wallet-b", SHOP, texts)
    page = merchant.get("/wallets/wallet-b/requests")
    assert "Ask a customer to pay" in page.text
    merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": ALICE, "amount": "20", "note": "Invoice 7", "csrf_token": csrf(page.text)},
    )
    node.pump()

    # Delivered to the customer's bank, not yet paid: the merchant must not read "received".
    assert "Delivered: waiting for the customer" in merchant.get("/wallets/wallet-b/requests").text
    customer = sign_in(node, "wallet-a", ALICE, texts)
    home = customer.get("/wallets/wallet-a/home")
    assert "1 request to pay is waiting" in home.text
    requests_page = customer.get("/wallets/wallet-a/requests")
    assert "Chez Marie asks you to pay XCD\xa020.00" in requests_page.text
    action = re.search(r'action="(/wallets/wallet-a/requests/[^"]+/approve)"', requests_page.text)
    assert action is not None
    approved = customer.post(
        action.group(1), data={"csrf_token": csrf(requests_page.text)}, follow_redirects=False
    )
    assert approved.status_code == 303
    node.pump()
    offer = customer.get(approved.headers["location"])
    customer.post(approved.headers["location"] + "/confirm", data={"csrf_token": csrf(offer.text)})
    node.pump()
    assert "Paid" in merchant.get("/wallets/wallet-b/requests").text


def test_a_request_to_pay_nobody_holds_says_why_it_failed_with_french_punctuation(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    merchant = sign_in(node, "wallet-b", SHOP, texts)
    page = merchant.get("/wallets/wallet-b/requests")
    merchant.post(
        "/wallets/wallet-b/requests",
        data={"payer": "+17585550777", "amount": "5", "csrf_token": csrf(page.text)},
    )
    node.pump()

    listed = merchant.get("/wallets/wallet-b/requests", headers={"accept-language": "fr"})

    assert "Échoué\xa0: Aucun compte n&#39;a été trouvé" in listed.text


def test_signing_out_ends_the_session(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = sign_in(node, "wallet-a", ALICE, texts)
    home = client.get("/wallets/wallet-a/home")
    cookie = client.cookies.get("comptoir_wallet")
    client.post("/wallets/wallet-a/signout", data={"csrf_token": csrf(home.text)})
    replay = browser(node)
    replay.cookies.set("comptoir_wallet", cookie or "", path="/wallets/wallet-a")
    assert replay.get("/wallets/wallet-a/home", follow_redirects=False).status_code == 303


def test_the_accounts_payments_leave_out_what_never_moved_money(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    client = sign_in(node, "wallet-a", ALICE, texts)

    paid = started_payment(node, client, "shop@wallet-b", "3")
    client.post(paid + "/confirm", data={"csrf_token": csrf(client.get(paid).text)})
    cancelled = started_payment(node, client, "shop@wallet-b", "4")
    client.post(cancelled + "/cancel", data={"csrf_token": csrf(client.get(cancelled).text)})
    nobody = started_payment(node, client, "+17585550999", "5")
    waiting = started_payment(node, client, "shop@wallet-b", "6")
    node.pump()

    home = client.get("/wallets/wallet-a/home").text

    assert f'href="{paid}"' in home and f'href="{waiting}"' in home
    assert f'href="{cancelled}"' not in home and f'href="{nobody}"' not in home
    assert "No account was found" in client.get(nobody).text  # its own page still says why
