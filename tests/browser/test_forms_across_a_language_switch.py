"""Switching language in the middle of a form, in Chromium without JavaScript (as on a feature
phone's browser): what was typed comes back in the other language, a refusal is said again in
it, and no address the browser is sent to or asks for ever holds the phone or the address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.browser.test_market_bad_input import (
    WORDS,
    _quoted_for_delivery,
    _signed_in_owner,
    _until,
)
from tests.browser.test_pages import AXE_OPTIONS
from tests.browser.wallet_signin import signed_in_to_wallet, signed_in_with_a_code
from tests.support.addresses import without_ids
from tests.support.servers import RunningServer

pytestmark = pytest.mark.browser

PHONE = "+1 758 555 0188"
ADDRESS = "7 Jeremie Street, Castries"
PERSONAL = ("555", "0188", "Jeremie", "Castries", "+1", "%2B1")


class Addresses:
    """Every URL the page asked for and every Location it was sent to."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        page.on("request", lambda request: self.seen.append(request.url))
        page.on("response", lambda response: self.seen.append(response.headers.get("location", "")))

    def assert_nothing_personal(self) -> None:
        for url in map(without_ids, self.seen):
            for secret in PERSONAL:
                assert secret not in url, f"{secret!r} in {url!r}"


@pytest.fixture
def shopper(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        java_script_enabled=False, locale="en-GB", viewport={"width": 360, "height": 740}
    )
    yield context.new_page()
    context.close()


def test_the_checkout_read_in_french_from_its_own_buttons_keeps_what_was_typed(
    shopper: Page, demo_server: RunningServer
) -> None:
    _quoted_for_delivery(shopper, demo_server, WORDS["en"])
    addresses = Addresses(shopper)
    shopper.get_by_label(WORDS["en"]["name"]).fill("Marie Joseph")
    shopper.get_by_label(WORDS["en"]["phone"]).fill(PHONE)
    shopper.get_by_label(WORDS["en"]["address"]).fill(ADDRESS)

    shopper.locator("main form button[name=lang][value=fr]").click()

    fr = WORDS["fr"]
    assert shopper.locator("html").get_attribute("lang") == "fr"
    assert shopper.get_by_label(fr["name"]).input_value() == "Marie Joseph"
    assert shopper.get_by_label(fr["phone"]).input_value() == PHONE
    assert shopper.get_by_label(fr["address"]).input_value() == ADDRESS
    assert shopper.locator("[aria-invalid=true]").count() == 0
    addresses.assert_nothing_personal()


def test_a_refused_checkout_read_in_french_from_the_header_says_its_problems_in_french(
    shopper: Page, demo_server: RunningServer
) -> None:
    _quoted_for_delivery(shopper, demo_server, WORDS["en"])
    addresses = Addresses(shopper)
    shopper.get_by_label(WORDS["en"]["phone"]).fill("758 555 018")
    shopper.get_by_label(WORDS["en"]["address"]).fill(ADDRESS)
    shopper.get_by_role("button", name=WORDS["en"]["continue"]).click()
    assert shopper.locator("#phone-error").inner_text() == WORDS["en"]["phone_problem"]

    shopper.locator("header form button[value=fr]").click()

    fr = WORDS["fr"]
    assert shopper.locator("html").get_attribute("lang") == "fr"
    assert shopper.locator("#phone-error").inner_text() == fr["phone_problem"]
    assert shopper.locator("#name-error").inner_text() == fr["name_problem"]
    assert shopper.get_by_label(fr["phone"]).input_value() == "758 555 018"
    assert shopper.get_by_label(fr["address"]).input_value() == ADDRESS
    addresses.assert_nothing_personal()


def test_a_refused_payment_read_in_english_from_the_header_keeps_the_payee_and_amount(
    browser: Browser, demo_server: RunningServer
) -> None:
    wallet = "/wallets/antilles-bank"
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        signed_in_to_wallet(page, demo_server, wallet, "+17585550201")
        addresses = Addresses(page)
        page.goto(demo_server.url + wallet + "/pay")
        page.fill("#recipient", PHONE)
        page.fill("#amount", "douze")
        page.click(f"form[action='{wallet}/pay'] button")
        assert page.locator("#amount-error").inner_text() == "douze n'est pas un montant."

        page.locator("header form button[value=en]").click()

        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("#amount-error").inner_text() == "douze is not an amount."
        assert page.locator("#recipient").input_value() == PHONE
        assert page.locator("#amount").input_value() == "douze"
        addresses.assert_nothing_personal()
    finally:
        context.close()


def test_the_checkout_read_in_french_from_the_header_before_it_is_sent_keeps_what_was_typed(
    shopper: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    _quoted_for_delivery(shopper, demo_server, WORDS["en"])
    addresses = Addresses(shopper)
    shopper.get_by_label(WORDS["en"]["name"]).fill("Marie Joseph")
    shopper.get_by_label(WORDS["en"]["phone"]).fill(PHONE)
    shopper.get_by_label(WORDS["en"]["address"]).fill(ADDRESS)

    shopper.locator("header button[value=fr]").click()

    fr = WORDS["fr"]
    assert shopper.locator("html").get_attribute("lang") == "fr"
    assert shopper.get_by_label(fr["name"]).input_value() == "Marie Joseph"
    assert shopper.get_by_label(fr["phone"]).input_value() == PHONE
    assert shopper.get_by_label(fr["address"]).input_value() == ADDRESS
    assert shopper.locator("[aria-invalid=true]").count() == 0
    addresses.assert_nothing_personal()
    shopper.screenshot(path=screenshots / "checkout-header-switch-fr.png", full_page=True)


def test_enter_in_a_checkout_field_sends_the_form_rather_than_switching_language(
    browser: Browser, demo_server: RunningServer
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        fr = WORDS["fr"]
        _quoted_for_delivery(page, demo_server, fr)
        page.get_by_label(fr["address"]).fill(ADDRESS)
        page.get_by_label(fr["phone"]).fill("758 555 018")

        page.get_by_label(fr["phone"]).press("Enter")

        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("#phone-error").inner_text() == fr["phone_problem"]
        assert page.get_by_label(fr["address"]).input_value() == ADDRESS
    finally:
        context.close()


MARKET = "/wallets/antilles-bank"


@pytest.fixture(scope="module")
def market(browser: Browser, demo_server: RunningServer) -> Iterator[Page]:
    """Castries Market Produce, a merchant at Antilles Bank, signed in once (a new code waits
    30 seconds), in French."""
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    signed_in_with_a_code(page, demo_server, MARKET, "+17585550202")
    yield page
    context.close()


def _in_french(page: Page, demo_server: RunningServer, path: str) -> None:
    page.context.add_cookies([{"name": "comptoir_lang", "value": "fr", "url": demo_server.url}])
    page.goto(demo_server.url + MARKET + path)


def test_a_refused_request_to_pay_read_in_english_from_the_header_keeps_what_was_typed(
    market: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    _in_french(market, demo_server, "/requests")
    addresses = Addresses(market)
    market.fill("#payer", PHONE)
    market.fill("#request-amount", "douze")
    market.fill("#request-note", "Jeremie basket")
    market.click(f"form[action='{MARKET}/requests'] button")
    assert market.locator("#request-amount-error").inner_text() == "douze n'est pas un montant."
    market.screenshot(path=screenshots / "wallet-request-refused-fr.png", full_page=True)

    market.locator("header form button[value=en]").click()

    assert market.locator("html").get_attribute("lang") == "en"
    assert market.locator("#request-amount-error").inner_text() == "douze is not an amount."
    assert market.locator("#payer").input_value() == PHONE
    assert market.locator("#request-amount").input_value() == "douze"
    assert market.locator("#request-note").input_value() == "Jeremie basket"
    addresses.assert_nothing_personal()
    market.screenshot(path=screenshots / "wallet-request-refused-en.png", full_page=True)


def test_a_request_to_pay_read_in_english_before_it_is_sent_keeps_what_was_typed(
    market: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    _in_french(market, demo_server, "/requests")
    addresses = Addresses(market)
    market.fill("#payer", PHONE)
    market.fill("#request-amount", "12")

    market.locator("header form button[value=en]").click()

    assert market.locator("html").get_attribute("lang") == "en"
    assert market.locator("#payer").input_value() == PHONE
    assert market.locator("#request-amount").input_value() == "12"
    assert market.locator("[aria-invalid=true]").count() == 0
    addresses.assert_nothing_personal()
    market.screenshot(path=screenshots / "wallet-request-unsent-en.png", full_page=True)


def test_a_refused_qr_code_read_in_english_from_the_header_keeps_the_text_pasted(
    market: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    _in_french(market, demo_server, "/pay/qr")
    market.fill("#payload", "000201 Jeremie")
    market.click(f"form[action='{MARKET}/pay/qr'] button")
    assert market.locator("#payload-error").count() == 1
    market.screenshot(path=screenshots / "wallet-qr-refused-fr.png", full_page=True)

    market.locator("header form button[value=en]").click()

    assert market.locator("html").get_attribute("lang") == "en"
    assert market.locator("#payload").input_value() == "000201 Jeremie"
    assert market.locator("#payload-error").inner_text().startswith("This is not a payment QR")
    market.screenshot(path=screenshots / "wallet-qr-refused-en.png", full_page=True)


def _paid_to_the_market(browser: Browser, demo_server: RunningServer) -> None:
    """Marie Joseph (Island Wallet) pays the market XCD 5.00."""
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        signed_in_to_wallet(page, demo_server, "/wallets/island-wallet", "+17585550101")
        page.goto(demo_server.url + "/wallets/island-wallet/pay")
        page.fill("#recipient", "market@antilles-bank")
        page.fill("#amount", "5")
        page.click("form[action='/wallets/island-wallet/pay'] button")
        _until(page, page.locator("form[action$='/confirm'] button"))
        page.click("form[action$='/confirm'] button")
    finally:
        context.close()


def test_a_refused_refund_read_in_english_from_the_header_keeps_it_at_its_payment(
    browser: Browser, market: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    _paid_to_the_market(browser, demo_server)
    _in_french(market, demo_server, "/received")
    _until(market, market.locator("#refund-1"))
    addresses = Addresses(market)
    market.fill("#refund-1", "999")
    market.fill("#reason-1", "Jeremie basket")
    market.click("form[action$='/refund'] >> nth=0 >> button")
    assert (
        market.locator("#refund-1-error").inner_text().startswith("Vous pouvez rembourser au plus")
    )
    market.screenshot(path=screenshots / "wallet-refund-refused-fr.png", full_page=True)

    market.locator("header form button[value=en]").click()

    assert market.locator("html").get_attribute("lang") == "en"
    assert market.locator("#refund-1-error").inner_text().startswith("You can refund at most")
    assert market.locator("#refund-1").input_value() == "999"
    assert market.locator("#reason-1").input_value() == "Jeremie basket"
    addresses.assert_nothing_personal()
    market.screenshot(path=screenshots / "wallet-refund-refused-en.png", full_page=True)


def test_a_refused_registration_read_in_english_from_the_header_keeps_the_details(
    browser: Browser, demo_server: RunningServer, screenshots: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(demo_server.url + "/identity/register")
        addresses = Addresses(page)
        page.fill("#name", "Marie Jeremie")
        page.fill("#phone", PHONE)
        page.fill("#birthdate_day", "31")
        page.fill("#birthdate_month", "2")
        page.fill("#birthdate_year", "1990")
        page.click("main form[action='/identity/register'] button[type=submit]")
        assert page.locator("#birthdate-error").count() == 1
        page.screenshot(path=screenshots / "identity-register-refused-fr.png", full_page=True)

        page.locator("header form button[value=en]").click()

        assert page.locator("html").get_attribute("lang") == "en"
        assert (
            page.locator("#birthdate-error")
            .inner_text()
            .startswith("This date of birth is not a real date.")
        )
        assert page.locator("#name").input_value() == "Marie Jeremie"
        assert page.locator("#phone").input_value() == PHONE
        assert page.locator("#birthdate_day").input_value() == "31"
        addresses.assert_nothing_personal()
        page.screenshot(path=screenshots / "identity-register-refused-en.png", full_page=True)
    finally:
        context.close()


def test_the_checkout_with_its_header_tied_to_the_form_has_no_accessibility_violation(
    browser: Browser, demo_server: RunningServer
) -> None:
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    try:
        _quoted_for_delivery(page, demo_server, WORDS["fr"])

        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]

        assert [violation["id"] for violation in violations] == []
    finally:
        context.close()


@pytest.mark.parametrize(
    "signin", ["/identity/login", "/wallets/antilles-bank/signin", "/sellers/island-market/signin"]
)
def test_a_phone_refused_at_sign_in_read_in_english_from_the_header_is_still_there(
    signin: str, browser: Browser, demo_server: RunningServer, screenshots: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(demo_server.url + signin)
        addresses = Addresses(page)
        page.fill("#phone", "758 555 018")  # a digit short
        page.click(f"main form[action='{signin}'] button")
        assert page.locator("#phone[aria-invalid=true]").count() == 1
        name = signin.strip("/").replace("/", "-")
        page.screenshot(path=screenshots / f"{name}-refused-fr.png", full_page=True)

        page.locator("header form button[value=en]").click()

        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("#phone").input_value() == "758 555 018"
        assert page.locator("#phone[aria-invalid=true]").count() == 1
        addresses.assert_nothing_personal()
        page.screenshot(path=screenshots / f"{name}-refused-en.png", full_page=True)
    finally:
        context.close()


def test_the_shops_terms_read_in_french_from_the_header_keep_what_was_typed_and_save_nothing(
    shopper: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    _signed_in_owner(shopper, demo_server)
    shopper.goto(demo_server.url + "/sellers/island-market/shop/terms")
    saved_days = shopper.get_by_label("Days a buyer has to return goods").input_value()
    shopper.get_by_label("Delivery fee (XCD)").fill("4.5.0")
    shopper.get_by_label("Your wallet alias for payments (optional)").fill("spice@cu")
    shopper.get_by_label("Days a buyer has to return goods").fill("400")
    shopper.get_by_role("button", name="Save").click()
    assert shopper.locator("#return_days-error").count() == 1

    shopper.locator("header form button[value=fr]").click()

    assert shopper.locator("html").get_attribute("lang") == "fr"
    assert shopper.get_by_label("Frais de livraison (XCD)").input_value() == "4.5.0"
    alias = shopper.get_by_label("Votre alias de portefeuille pour les paiements (facultatif)")
    assert alias.input_value() == "spice@cu"
    days = shopper.get_by_label("Jours dont dispose un acheteur pour retourner les articles")
    assert days.input_value() == "400" and days.get_attribute("aria-invalid") == "true"
    assert shopper.locator("#return_days-error").inner_text() == (
        "Écrivez le délai de retour en jours, de 0 à 365."
    )
    shopper.screenshot(path=str(screenshots / "terms-switched-to-french.png"), full_page=True)
    shopper.goto(demo_server.url + "/sellers/island-market/shop/terms")  # opened afresh
    assert days.input_value() == saved_days  # nothing was saved
