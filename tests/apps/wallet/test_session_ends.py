"""A session that ends while a page is open is said when the next form is sent: nothing was
paid, and the sign-in page says why it is there. The code step has its own address, so a
reload shows it again instead of asking for another code."""

from __future__ import annotations

from comptoir.apps.wallet.pages.common import SESSION_COOKIE
from comptoir.apps.wallet.service.customers import get_customer_view
from tests.apps.wallet.conftest import ALICE, BOB, Node
from tests.apps.wallet.test_pages import browser, csrf, sign_in
from tests.support.texts import Texts

ENDED = "Your session has ended, so nothing was paid or changed since."


def test_a_payment_sent_after_the_session_ended_elsewhere_pays_nothing_and_says_why(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    bob = node.customer("wallet-a", BOB, "Bob Pierre", balance=0)
    alice = sign_in(node, "wallet-a", ALICE, texts)
    form = alice.get("/wallets/wallet-a/pay")
    token = alice.cookies.get(SESSION_COOKIE)
    other_tab = browser(node)
    other_tab.cookies.set(SESSION_COOKIE, token or "")
    home = other_tab.get("/wallets/wallet-a/home")
    other_tab.post("/wallets/wallet-a/signout", data={"csrf_token": csrf(home.text)})

    sent = alice.post(
        "/wallets/wallet-a/pay",
        data={"recipient": BOB, "amount": "5", "note": "", "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )

    assert sent.status_code == 303
    assert sent.headers["location"] == "/wallets/wallet-a/signin?ended=1"
    page = alice.get(sent.headers["location"])
    assert ENDED in page.text
    assert alice.cookies.get(SESSION_COOKIE) is None  # said once
    assert ENDED not in alice.get("/wallets/wallet-a/signin").text
    paid_to_bob = get_customer_view(node.wallet, institution_id="wallet-a", customer_id=bob.id)
    assert paid_to_bob.balance.minor == 0


def test_a_visitor_never_signed_in_is_sent_to_sign_in_without_that_notice(
    two_banks: Node,
) -> None:
    visitor = browser(two_banks)
    sent = visitor.get("/wallets/wallet-a/home", follow_redirects=False)
    assert sent.headers["location"] == "/wallets/wallet-a/signin"


def test_the_code_step_has_its_own_address_and_a_reload_sends_no_new_code(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph", balance=10_000)
    visitor = browser(node)
    form = visitor.get("/wallets/wallet-a/signin")
    texts.forget()

    sent = visitor.post(
        "/wallets/wallet-a/signin",
        data={"phone": ALICE, "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/wallets/wallet-a/signin?step=code"
    reloaded = visitor.get(sent.headers["location"])
    again = visitor.get(sent.headers["location"])

    assert reloaded.status_code == again.status_code == 200
    assert 'name="code"' in again.text and "There is a problem" not in again.text
    assert len(texts.codes()) == 1
