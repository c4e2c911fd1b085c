"""The identity block's forms (a person's registration, a business's), read in another language
half-way through, in Chromium without JavaScript: the header's language buttons send the form to
be kept (in a signed cookie, never in an address), and it comes back as typed, its problems
said again in the language now read. Nothing is registered, and no code sent, by a switch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.wallet_signin import signed_in_to_identity
from tests.support.addresses import without_ids
from tests.support.servers import RunningServer
from tests.support.texts import codes_sent

pytestmark = pytest.mark.browser

PHONE = "+17585550102"  # Kwame Charles, in the demo's registry
FORM = "/identity/me/businesses/new"
TYPED = {
    "#name": "Vieux Fort Fish Fry",
    "#registration_number": "LC-BN-2026-0777",
    "#address": "Clarke Street, Vieux Fort",
}


@pytest.fixture(scope="module")
def kwame(browser: Browser, demo_server: RunningServer) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    signed_in_to_identity(page, demo_server, PHONE)
    yield page
    context.close()


def _typed(page: Page, demo_server: RunningServer) -> None:
    page.goto(demo_server.url + FORM)
    for field, value in TYPED.items():
        page.fill(field, value)
    page.select_option("#women_owned", "no")


def test_the_business_form_read_in_french_before_it_is_sent_keeps_what_was_typed(
    kwame: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    kwame.context.clear_cookies(name="comptoir_lang")
    _typed(kwame, demo_server)
    addresses: list[str] = []
    kwame.on("request", lambda request: addresses.append(request.url))

    kwame.locator("header button[value=fr]").click()

    assert kwame.locator("html").get_attribute("lang") == "fr"
    for field, value in TYPED.items():
        assert kwame.locator(field).input_value() == value
    assert kwame.locator("#women_owned").input_value() == "no"
    assert kwame.locator("[aria-invalid=true]").count() == 0  # not sent: nothing to refuse
    assert not any("Fish" in url or "0777" in url for url in map(without_ids, addresses))
    kwame.goto(demo_server.url + "/identity/me")
    assert "Vieux Fort Fish Fry" not in kwame.content()  # a switch registers nothing
    kwame.screenshot(path=screenshots / "identity-business-switch-fr.png", full_page=True)


def test_a_refused_business_form_read_in_english_says_its_problem_again_in_english(
    kwame: Page, demo_server: RunningServer, screenshots: Path
) -> None:
    kwame.context.add_cookies([{"name": "comptoir_lang", "value": "fr", "url": demo_server.url}])
    _typed(kwame, demo_server)
    kwame.click(f"main form[action='{FORM}'] button")  # no sector: refused
    assert kwame.locator("#sector[aria-invalid=true]").count() == 1
    french = kwame.locator("#sector-error").inner_text()

    kwame.locator("header button[value=en]").click()

    assert kwame.locator("html").get_attribute("lang") == "en"
    assert kwame.locator("#name").input_value() == TYPED["#name"]
    english = kwame.locator("#sector-error").inner_text()
    assert english == "Say what the business does." and english != french
    kwame.screenshot(path=screenshots / "identity-business-refused-en.png", full_page=True)


def test_a_registration_read_in_french_before_it_is_sent_keeps_what_was_typed(
    browser: Browser, demo_server: RunningServer, screenshots: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(demo_server.url + "/identity/register")
        page.fill("#name", "Bernadette Louis")
        page.fill("#phone", "+1 758 555 0177")
        page.fill("#birthdate_day", "9")
        addresses: list[str] = []
        page.on("request", lambda request: addresses.append(request.url))
        sent_before = codes_sent(demo_server, "+17585550177")

        page.locator("header button[value=fr]").click()

        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("#name").input_value() == "Bernadette Louis"
        assert page.locator("#phone").input_value() == "+1 758 555 0177"
        assert page.locator("#birthdate_day").input_value() == "9"
        assert page.locator("[aria-invalid=true]").count() == 0
        # The preferred language was the page's own: it follows the page.
        assert page.locator("#locale").input_value() == "fr"
        assert not any("0177" in url or "Bernadette" in url for url in map(without_ids, addresses))
        assert codes_sent(demo_server, "+17585550177") == sent_before
        page.screenshot(path=screenshots / "identity-register-switch-fr.png", full_page=True)
    finally:
        context.close()
