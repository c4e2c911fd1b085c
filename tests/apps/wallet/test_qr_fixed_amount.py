"""A merchant's QR code that carries an amount (EMVCo tag 54) fixes what the payer pays: the
payment form shows the amount as set, not as a field to edit, and the server pays the amount of
the code it read and kept, refusing any other the browser sends. A code without an amount
(a static one) lets the payer type it."""

from __future__ import annotations

import re
import uuid
from typing import NamedTuple

import httpx
from fastapi.testclient import TestClient

from comptoir.apps.wallet.service.payer import payment_view
from comptoir.kernel.money import Money
from tests.apps.wallet.conftest import ALICE, BOB, SHOP, Node
from tests.apps.wallet.test_pages import QR, csrf, sign_in, tlv, with_crc
from tests.support.texts import Texts

PAY = "/wallets/wallet-a/pay"
STATIC_QR = QR.replace(tlv("54", "12.50"), "").replace(tlv("01", "12"), tlv("01", "11"))


class Payer(NamedTuple):
    browser: TestClient
    id: uuid.UUID


def _alice(node: Node, texts: Texts) -> Payer:
    alice = node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    node.customer("wallet-b", SHOP, "Chez Marie", merchant=True, alias="shop@wallet-b")
    node.customer("wallet-a", BOB, "Bob Charles")
    return Payer(sign_in(node, "wallet-a", ALICE, texts), alice.id)


def _read(alice: Payer, code: str) -> str:
    form = alice.browser.get(PAY + "/qr")
    read = alice.browser.post(
        PAY + "/qr", data={"payload": with_crc(code), "csrf_token": csrf(form.text)}
    )
    assert read.status_code == 200, read.text
    page: str = read.text
    return page


def _mark(page: str) -> str:
    found = re.search(r'<input type="hidden" name="qr" value="([^"]+)">', page)
    assert found, "the form does not say it pays the QR code read"
    return found.group(1)


def _paid(node: Node, alice: Payer, sent: httpx.Response) -> Money:
    """The amount of the payment a sent form started."""
    node.pump()
    view = payment_view(
        node.wallet,
        institution_id="wallet-a",
        customer_id=alice.id,
        payment_id=uuid.UUID(sent.headers["location"].rsplit("/", 1)[-1]),
    )
    return view.amount


def test_a_qr_code_with_an_amount_shows_it_fixed_rather_than_in_a_field_to_edit(
    two_banks: Node, texts: Texts
) -> None:
    alice = _alice(two_banks, texts)

    page = _read(alice, QR)

    assert '<input id="amount"' not in page  # nothing to type the amount into
    assert '<input type="hidden" name="amount" value="12.50">' in page
    assert "<dd>12.50</dd>" in page
    assert "The QR code sets this amount: it cannot be changed." in page
    assert '<input type="hidden" name="recipient" value="shop@wallet-b">' in page
    assert "<dd>shop@wallet-b</dd>" in page
    assert "The QR code is from Chez Marie, with the amount to pay." in page
    assert _mark(page)


def test_the_server_refuses_another_amount_than_the_qr_codes_and_pays_its_own(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = _alice(node, texts)
    page = _read(alice, QR)
    sent = {"qr": _mark(page), "recipient": "shop@wallet-b", "csrf_token": csrf(page)}

    changed = alice.browser.post(PAY, data={**sent, "amount": "1.00"}, follow_redirects=False)

    assert changed.status_code == 400
    assert "This QR code asks for exactly XCD\xa012.50: the amount cannot be changed." in (
        changed.text
    )
    assert "<dd>12.50</dd>" in changed.text and '<input id="amount"' not in changed.text
    assert "Waiting for your agreement" not in alice.browser.get("/wallets/wallet-a/home").text

    paid = alice.browser.post(PAY, data={**sent, "amount": "12.50"}, follow_redirects=False)
    assert paid.status_code == 303, paid.text
    assert _paid(node, alice, paid) == Money(1250, "XCD")


def test_a_qr_payment_takes_its_payee_and_amount_from_the_code_read_not_the_browser(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = _alice(node, texts)
    page = _read(alice, QR)

    sent = alice.browser.post(
        PAY,
        data={"qr": _mark(page), "recipient": BOB, "amount": "", "csrf_token": csrf(page)},
        follow_redirects=False,
    )

    assert sent.status_code == 303, sent.text
    node.pump()
    offer = alice.browser.get(sent.headers["location"])
    assert "Chez Marie" in offer.text and "Bob Charles" not in offer.text
    assert _paid(node, alice, sent) == Money(1250, "XCD")


def test_a_static_qr_code_lets_the_payer_type_the_amount(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    alice = _alice(node, texts)

    page = _read(alice, STATIC_QR)

    assert re.search(r'<input id="amount" name="amount" type="text"[^>]*value=""', page)
    assert "cannot be changed" not in page
    assert "<dd>shop@wallet-b</dd>" in page
    sent = alice.browser.post(
        PAY,
        data={
            "qr": _mark(page),
            "recipient": "shop@wallet-b",
            "amount": "3",
            "csrf_token": csrf(page),
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert _paid(node, alice, sent) == Money(300, "XCD")


def test_a_qr_payment_sent_after_its_code_was_put_aside_asks_to_read_it_again(
    two_banks: Node, texts: Texts
) -> None:
    alice = _alice(two_banks, texts)
    page = _read(alice, QR)
    alice.browser.get(PAY)  # the plain payment form, opened afresh, puts the code read aside

    sent = alice.browser.post(
        PAY,
        data={
            "qr": _mark(page),
            "recipient": "shop@wallet-b",
            "amount": "1",
            "csrf_token": csrf(page),
        },
        follow_redirects=False,
    )

    assert sent.status_code == 400
    assert "The QR code read earlier is no longer at hand. Read it again to pay it." in sent.text


def test_a_form_from_an_older_qr_code_does_not_pay_the_code_read_since(
    two_banks: Node, texts: Texts
) -> None:
    alice = _alice(two_banks, texts)
    first = _read(alice, QR)
    _read(alice, STATIC_QR)  # another code, read in another tab

    sent = alice.browser.post(
        PAY,
        data={
            "qr": _mark(first),
            "recipient": "shop@wallet-b",
            "amount": "12.50",
            "csrf_token": csrf(first),
        },
        follow_redirects=False,
    )

    assert sent.status_code == 400
    assert "Read it again to pay it." in sent.text


def test_a_fixed_amount_stays_fixed_across_a_language_switch(two_banks: Node, texts: Texts) -> None:
    alice = _alice(two_banks, texts)
    page = _read(alice, QR)

    switched = alice.browser.post(
        PAY,
        data={
            "qr": _mark(page),
            "recipient": "shop@wallet-b",
            "amount": "99",  # whatever the browser sends, the code's amount is shown
            "lang": "fr",
            "csrf_token": csrf(page),
        },
    )

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert '<input id="amount"' not in switched.text and "<dd>12,50</dd>" in switched.text
    assert '<input type="hidden" name="amount" value="12,50">' in switched.text
    assert "Le code QR fixe ce montant : il ne peut pas être modifié." in switched.text


GONE_QR = QR.replace(tlv("01", "shop@wallet-b"), tlv("01", "gone@wallet-b"))


def test_a_failed_qr_payment_tried_again_pays_the_same_code_with_its_amount_still_fixed(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = _alice(node, texts)
    page = _read(alice, GONE_QR)  # a merchant alias nobody holds: the payment fails
    sent = {"qr": _mark(page), "recipient": "gone@wallet-b", "csrf_token": csrf(page)}
    started = alice.browser.post(PAY, data={**sent, "amount": "12.50"}, follow_redirects=False)
    assert started.status_code == 303, started.text
    node.pump()
    failed = alice.browser.get(started.headers["location"])
    link = re.search(r'href="(/wallets/wallet-a/pay\?again=[^"]+)"', failed.text)
    assert link is not None, "no way to try again"

    again = alice.browser.get(link.group(1))

    assert '<input id="amount"' not in again.text  # still nothing to type the amount into
    assert "<dd>12.50</dd>" in again.text
    assert "The QR code sets this amount: it cannot be changed." in again.text
    retry = {"qr": _mark(again.text), "recipient": "gone@wallet-b", "csrf_token": csrf(again.text)}
    changed = alice.browser.post(PAY, data={**retry, "amount": "1.00"}, follow_redirects=False)
    assert changed.status_code == 400
    assert "the amount cannot be changed" in changed.text
    resent = alice.browser.post(PAY, data={**retry, "amount": "12.50"}, follow_redirects=False)
    assert resent.status_code == 303, resent.text
    assert _paid(node, alice, resent) == Money(1250, "XCD")


def test_a_qr_payment_form_sent_again_after_its_payment_started_pays_nothing_twice(
    two_banks: Node, texts: Texts
) -> None:
    alice = _alice(two_banks, texts)
    page = _read(alice, QR)
    sent = {"qr": _mark(page), "recipient": "shop@wallet-b", "amount": "12.50"}
    first = alice.browser.post(PAY, data={**sent, "csrf_token": csrf(page)}, follow_redirects=False)
    assert first.status_code == 303, first.text

    second = alice.browser.post(
        PAY, data={**sent, "csrf_token": csrf(page)}, follow_redirects=False
    )

    assert second.status_code == 400
    assert "Read it again to pay it." in second.text


def test_a_qr_payment_that_fails_again_can_be_tried_again_on_the_same_code(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    alice = _alice(node, texts)
    page = _read(alice, GONE_QR)
    for _ in range(3):  # the first payment, then two retries, each failing
        sent = {"qr": _mark(page), "recipient": "gone@wallet-b", "amount": "12.50"}
        started = alice.browser.post(
            PAY, data={**sent, "csrf_token": csrf(page)}, follow_redirects=False
        )
        assert started.status_code == 303, started.text
        node.pump()
        failed = alice.browser.get(started.headers["location"])
        link = re.search(r'href="(/wallets/wallet-a/pay\?again=[^"]+)"', failed.text)
        assert link is not None, "no way to try again"
        page = alice.browser.get(link.group(1)).text
        assert "<dd>12.50</dd>" in page and "<dd>gone@wallet-b</dd>" in page
