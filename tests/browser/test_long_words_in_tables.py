"""A long unbroken word in a table (an item's name typed without spaces, a pasted code in a
payment's note), seen in Chromium without JavaScript on a 360 px phone: the table scrolls in its
own box and the page stays as wide as the screen."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page

from tests.browser.test_market_bad_input import SELLER_WORDS, _signed_in_owner
from tests.browser.wallet_signin import signed_in_to_wallet
from tests.support.servers import RunningServer

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360


def _until(page: Page, found: Locator, seconds: float = 20.0) -> None:
    """Reload until an asynchronous answer shows (the pages work without JavaScript)."""
    deadline = time.monotonic() + seconds
    while found.count() == 0:
        assert time.monotonic() < deadline, f"nothing on {page.url}"
        time.sleep(0.5)
        page.reload()


def _page_width(page: Page) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def _phone(browser: Browser, *, javascript: bool = False) -> Page:
    context = browser.new_context(
        java_script_enabled=javascript,
        locale="en-GB",
        viewport={"width": PHONE_WIDTH, "height": 740},
    )
    return context.new_page()


def test_a_cart_holding_an_item_with_a_long_unbroken_name_is_no_wider_than_a_phone(
    browser: Browser, demo_server: RunningServer, screenshots: Path
) -> None:
    name = "Soursop" + "z" * 150  # found by no other test's search in the shared demo
    owner = _phone(browser, javascript=True)
    shopper = _phone(browser)
    try:
        _signed_in_owner(owner, demo_server)
        owner.goto(demo_server.url + "/sellers/island-market/shop/items/new")
        words = SELLER_WORDS["en"]
        owner.get_by_label(words["name"], exact=True).fill(name)
        owner.get_by_label(words["price"]).fill("6.00")
        owner.get_by_label(words["stock"]).fill("3")
        owner.get_by_role("button", name=words["save"]).click()
        owner.get_by_role("heading", name=name).wait_for()  # added, on its own page

        shopper.goto(demo_server.url + "/shop/search?words=" + name)
        add = shopper.get_by_role("button", name="Add to cart")
        _until(shopper, add)
        add.first.click()
        shopper.get_by_role("button", name="Get a quote with every fee").click()
        _until(shopper, shopper.get_by_text("What you pay, line by line"))

        assert shopper.get_by_text(name).count() > 0, shopper.url
        for shown, path in (("cart", ""), ("orders", "/shop/orders")):
            if path:
                shopper.goto(demo_server.url + path)
            shopper.screenshot(path=str(screenshots / f"long-name-{shown}.png"), full_page=True)
            widest = _page_width(shopper)
            assert widest <= PHONE_WIDTH, f"{shopper.url} is {widest} px wide on a phone"
    finally:
        owner.context.close()
        shopper.context.close()


def test_a_wallet_history_holding_a_long_pasted_note_is_no_wider_than_a_phone(
    browser: Browser, demo_server: RunningServer, screenshots: Path
) -> None:
    note = "INV" + "7" * 120  # a pasted invoice code, without a space to break at
    payer = _phone(browser)
    payee = _phone(browser)
    try:
        signed_in_to_wallet(payer, demo_server, "/wallets/island-wallet", "+17585550101")
        payer.goto(demo_server.url + "/wallets/island-wallet/pay")
        payer.fill("#recipient", "+17585550201")
        payer.fill("#amount", "2.25")
        payer.fill("#note", note)
        payer.click("form[action='/wallets/island-wallet/pay'] button")
        agree = payer.locator("form[action$='/confirm'] button")
        _until(payer, agree)
        agree.click()

        signed_in_to_wallet(payee, demo_server, "/wallets/antilles-bank", "+17585550201")
        _until(payee, payee.get_by_text(note, exact=False))
        payee.screenshot(path=str(screenshots / "long-note-wallet-history.png"), full_page=True)
        widest = _page_width(payee)
        assert widest <= PHONE_WIDTH, f"{payee.url} is {widest} px wide on a phone"
    finally:
        payer.context.close()
        payee.context.close()
