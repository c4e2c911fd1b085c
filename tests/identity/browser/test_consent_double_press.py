"""Pressing "Share and continue" twice on the consent screen, in Chromium: the first answer
is held back on its way to the browser, as on a slow link, and the person presses again. The
second press must lead to the service, signed in, with one consent and one code."""

from __future__ import annotations

import sqlite3
import time

import pytest
from playwright.sync_api import Browser, Route

from tests.support.servers import RunningServer
from tests.support.texts import codes_sent, new_code

pytestmark = pytest.mark.browser

WALLET = "/wallets/island-wallet"
SHARE = "form[action='/identity/oidc/consent'] button[value=allow]"


def _written(server: RunningServer, phone: str) -> tuple[int, int]:
    """The consent versions and codes the provider wrote for the person with `phone`."""
    person = "(select id from identity_person where phone = ?)"
    with sqlite3.connect(server.log_path.parent / "comptoir.db") as connection:
        consents = connection.execute(
            f"select count(*) from identity_oidc_consent where person_id = {person}", (phone,)
        ).fetchone()[0]
        codes = connection.execute(
            f"select count(*) from identity_oidc_code where person_id = {person}", (phone,)
        ).fetchone()[0]
    return int(consents), int(codes)


@pytest.mark.parametrize(
    ("locale", "phone"),
    [("en", "+17585550101"), ("fr", "+17585550102")],
)
def test_a_second_press_of_share_while_the_first_answer_is_slow_reaches_the_service(
    browser: Browser, demo_server: RunningServer, locale: str, phone: str
) -> None:
    context = browser.new_context(java_script_enabled=False, locale=locale)
    page = context.new_page()
    page.goto(demo_server.url + WALLET + "/signin")
    page.click(f"form[action='{WALLET}/signin/oidc'] button")
    page.fill("#phone", phone)
    before = codes_sent(demo_server, phone)
    page.click("form[action='/identity/login'] button")
    page.fill("#code", new_code(demo_server, phone, before))
    page.click("form[action='/identity/login/code'] button")
    assert "/identity/oidc/" in page.url and page.locator(SHARE).count() == 1
    assert page.locator("html").get_attribute("lang") == locale

    held: list[Route] = []

    def hold_the_first_answer(route: Route) -> None:
        if route.request.method == "POST" and not held:
            route.fetch(max_redirects=0)  # the provider answers the first press...
            held.append(route)  # ...and the answer never reaches the browser
            return
        route.continue_()

    page.route("**/identity/oidc/consent", hold_the_first_answer)
    # Pressed with the mouse, where the button is: as a person does, without waiting for the
    # first press's page (which Playwright's own click would wait for).
    button = page.locator(SHARE).bounding_box()
    assert button is not None
    x, y = button["x"] + button["width"] / 2, button["y"] + button["height"] / 2
    page.mouse.click(x, y)
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the first press never reached the provider"
    page.mouse.click(x, y)
    # The first press's navigation ends aborted, which `wait_for_url` would take for the
    # answer: the address is watched instead.
    deadline = time.monotonic() + 20
    while not page.url.endswith(WALLET + "/home") and time.monotonic() < deadline:
        page.wait_for_timeout(100)

    assert page.url.endswith(WALLET + "/home"), page.url
    assert _written(demo_server, phone) == (1, 1)
    context.close()
