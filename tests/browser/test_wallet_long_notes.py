"""A wallet's tables on a 360 px phone, in Chromium without JavaScript: a payment note of 128
characters without a space wraps in its own cell, so the amount stays on the screen; a day, a
time, an amount or a state is never cut inside a word; and a table box that does scroll shows
it, with shadows at the edge where more is hidden (CSS only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page

from tests.browser.test_long_words_in_tables import PHONE_WIDTH, _page_width, _phone, _until
from tests.browser.wallet_signin import signed_in_to_wallet
from tests.support.servers import RunningServer

pytestmark = pytest.mark.browser

PAYER, PAYEE = "+17585550101", "+17585550201"


def _right(cell: Locator) -> float:
    box = cell.bounding_box()
    assert box is not None, "the cell is not shown"
    return box["x"] + box["width"]


def _style(cell: Locator, name: str) -> str:
    value: str = cell.evaluate(f"(e) => getComputedStyle(e).getPropertyValue('{name}')")
    return value


def _start_paying(payer: Page, server: RunningServer, note: str) -> None:
    payer.goto(server.url + "/wallets/island-wallet/pay")
    payer.fill("#recipient", PAYEE)
    payer.fill("#amount", "1.25")
    payer.fill("#note", note)
    payer.click("form[action='/wallets/island-wallet/pay'] button")
    _until(payer, payer.locator("form[action$='/confirm'] button"))


def test_a_128_character_note_wraps_and_the_amount_stays_on_a_phones_screen(
    browser: Browser, demo_server: RunningServer, screenshots: Path
) -> None:
    note = "REF" + "8" * 125  # 128 characters, as long as a note may be, and no space
    payer = _phone(browser)
    payee = _phone(browser)
    try:
        signed_in_to_wallet(payer, demo_server, "/wallets/island-wallet", PAYER)
        _start_paying(payer, demo_server, note)
        payer.locator("form[action$='/confirm'] button").click()

        signed_in_to_wallet(payee, demo_server, "/wallets/antilles-bank", PAYEE)
        row = payee.locator("#history ~ .scroll tr", has_text=note).first
        _until(payee, row)
        payee.screenshot(path=str(screenshots / "wallet-history-128-note.png"), full_page=True)

        date, what, amount = (row.locator("td").nth(index) for index in range(3))
        assert _right(amount) <= PHONE_WIDTH, "the amount is off the phone's screen"
        assert _page_width(payee) <= PHONE_WIDTH
        assert _style(what, "overflow-wrap") == "anywhere"
        assert _style(amount, "white-space") == "nowrap"
        day, time = date.locator("span").nth(0), date.locator("span").nth(1)
        for kept_whole in (day, time):  # on two lines at most, each whole
            assert _style(kept_whole, "white-space") == "nowrap"
        line = float(_style(amount, "line-height").removesuffix("px"))
        assert (what.bounding_box() or {"height": 0})["height"] > 2 * line  # it wrapped
    finally:
        payer.context.close()
        payee.context.close()


def test_a_payments_state_is_shown_whole_beside_the_payee_on_a_phone(
    browser: Browser, demo_server: RunningServer, screenshots: Path
) -> None:
    payer = _phone(browser)
    try:
        signed_in_to_wallet(payer, demo_server, "/wallets/island-wallet", PAYER)
        _start_paying(payer, demo_server, "state check")  # left waiting for the agreement
        payer.goto(demo_server.url + "/wallets/island-wallet/home")
        state = payer.locator("#payments ~ .scroll td", has_text="Waiting for your agreement")
        _until(payer, state)
        payer.screenshot(path=str(screenshots / "wallet-payments-state.png"), full_page=True)

        cell = state.first
        assert _right(cell) <= PHONE_WIDTH, "the state is cut at the screen's edge"
        assert _style(cell, "overflow-wrap") == "normal"  # broken between words only
        assert _style(cell, "word-break") == "normal"
        amount = cell.locator("xpath=preceding-sibling::td[1]")
        assert _style(amount, "white-space") == "nowrap"
    finally:
        payer.context.close()


def test_a_table_box_that_scrolls_shows_shadows_where_more_is_hidden(
    browser: Browser, demo_server: RunningServer
) -> None:
    payer = _phone(browser)
    try:
        signed_in_to_wallet(payer, demo_server, "/wallets/island-wallet", PAYER)
        box = payer.locator(".scroll").first
        box.wait_for()
        # Covers that scroll with the table (local) over shadows fixed at the box's edges
        # (scroll): a shadow shows only on a side where the table goes on.
        assert _style(box, "background-attachment") == "local, local, scroll, scroll"
        assert _style(box, "background-image").count("gradient(") == 4
        assert _style(box, "overflow-x") == "auto"
    finally:
        payer.context.close()
