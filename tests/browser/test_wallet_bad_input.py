"""A French-speaking customer of the demo's wallet, in Chromium without JavaScript, signing in
with Comptoir ID and typing what people type: the page says what is wrong at the field, keeps
it, and a payment agreed twice is paid once."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.wallet_signin import codes_sent, new_code, signed_in_to_wallet
from tests.support.servers import RunningServer

pytestmark = pytest.mark.browser

PHONE = "+17585550201"  # Aline Baptiste, Antilles Bank, reads French
WALLET = "/wallets/antilles-bank"


@pytest.fixture(scope="module")
def customer(browser: Browser, demo_server: RunningServer) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    signed_in_to_wallet(page, demo_server, WALLET, PHONE)
    yield page
    context.close()


def _pay(page: Page, url: str, recipient: str, amount: str) -> None:
    page.goto(url + WALLET + "/pay")
    page.fill("#recipient", recipient)
    page.fill("#amount", amount)
    page.click(f"form[action='{WALLET}/pay'] button")


def test_letters_for_an_amount_are_explained_in_french_at_the_amount_and_kept(
    customer: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    _pay(customer, demo_server.url, "+17585550101", "douze")
    customer.screenshot(path=str(screenshots / "wallet-bad-amount-fr.png"), full_page=True)

    assert customer.locator("#amount-error").inner_text() == "douze n'est pas un montant."
    assert customer.locator("#amount").get_attribute("aria-invalid") == "true"
    assert customer.locator("#amount").input_value() == "douze"
    assert customer.locator("#recipient").input_value() == "+17585550101"
    assert "12,50" in customer.locator("#amount-hint").inner_text()


def test_a_payment_agreed_again_from_a_second_tab_is_paid_once(
    customer: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    before = customer.context.new_page()
    before.goto(demo_server.url + WALLET + "/home")
    paid_before = len(re.findall(r"1,50\s*XCD", before.locator("main").inner_text()))
    _pay(customer, demo_server.url, "+17585550101", "1,5")
    pay_button = customer.locator("form[action$='/confirm'] button")
    deadline = time.monotonic() + 20
    while pay_button.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.3)
        customer.reload()
    assert "1,50" in pay_button.inner_text()
    second_tab = customer.context.new_page()
    second_tab.goto(customer.url)

    pay_button.click()
    second_tab.locator("form[action$='/confirm'] button").click()
    second_tab.screenshot(path=str(screenshots / "wallet-paid-once-fr.png"), full_page=True)

    shown = second_tab.locator("main").inner_text()
    assert second_tab.locator("main [role=alert]").count() == 1
    assert "sending" not in shown and "committed" not in shown
    before.goto(demo_server.url + WALLET + "/home")
    paid_after = len(re.findall(r"1,50\s*XCD", before.locator("main").inner_text()))
    assert paid_after - paid_before == 2  # one line in "your payments", one in the history


def test_the_phone_number_the_wallet_needs_cannot_be_left_unshared_and_signs_in(
    browser: Browser, demo_server: RunningServer, screenshots: Path
) -> None:
    kwame = "+17585550102"
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(demo_server.url + "/wallets/island-wallet/signin")
    page.click("form[action='/wallets/island-wallet/signin/oidc'] button")
    page.fill("#phone", kwame)
    before = codes_sent(demo_server, kwame)
    page.click("form[action='/identity/login'] button")
    page.fill("input[name=code]", new_code(demo_server, kwame, before))
    page.click("main form button[type=submit] >> nth=0")
    phone = page.locator("#claim-phone_number")
    page.screenshot(path=str(screenshots / "wallet-phone-needed-fr.png"), full_page=True)

    # The wallet asks for it as essential: the consent page marks it needed, not to untick.
    assert phone.is_checked() and phone.is_disabled()
    page.click("button[value=allow]")

    assert page.url.endswith("/wallets/island-wallet/home"), page.url
    assert "Kwame Charles" in page.locator("main").inner_text()
    context.close()
