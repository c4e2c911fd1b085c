"""The identity block's pages on a 360 px phone, in English and in French, for a person signed
in (holding a credential) and for the operator: nothing is wider than the screen (a wide table
scrolls in its own box), so no page has to be scrolled sideways to be read, and a wide table's
caption starts on the screen rather than centred past its edge."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from comptoir.kernel.crypto import generate_jwk
from tests.browser.wallet_signin import signed_in_to_identity
from tests.support.servers import RunningServer

pytestmark = pytest.mark.browser

PHONE = "+17585550301"  # Joseph Felix, a registry agent
PERSON_PAGES = (
    "/identity/me",
    "/identity/me/consents",
    "/identity/me/releases",
    "/identity/me/credentials",
    "/identity/me/passkeys",
    "/identity/me/businesses/new",
    "/identity/agent",
)
OPERATOR_PAGES = (
    "/operator/identity/clients",
    "/operator/identity/businesses",
    "/operator/identity/credentials",
)
SIGNED_OUT_PAGES = ("/identity/register", "/identity/login")


def _overflowing(page: Page) -> list[str]:
    return list(
        page.evaluate(
            """() => document.documentElement.scrollWidth > window.innerWidth
                ? [...document.querySelectorAll('main *')]
                    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 3).map(el => el.outerHTML.slice(0, 60))
                : []"""
        )
    )


def _captions_off_screen(page: Page) -> list[str]:
    """Captions whose text starts beyond the screen's right edge, as read before any scroll."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('caption')].filter(caption => {
                    const words = document.createRange();
                    words.selectNodeContents(caption);
                    return words.getBoundingClientRect().left + 40 > window.innerWidth;
                }).map(caption => caption.textContent.trim())"""
        )
    )


@pytest.fixture(scope="module")
def signed_in(browser: Browser, demo_server: RunningServer) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    signed_in_to_identity(page, demo_server, PHONE)
    # A credential held, so that the page lists it in its table.
    page.goto(demo_server.url + "/identity/me/credentials")
    download = "form[action='/identity/me/credentials/download']"
    page.fill(f"{download} textarea", json.dumps(generate_jwk("P-256").public().to_dict()))
    with page.expect_download():
        page.click(f"{download} button")
    yield page
    context.close()


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_no_identity_page_is_wider_than_a_360_pixel_screen(
    browser: Browser,
    demo_server: RunningServer,
    operator_cookie: dict[str, str],
    signed_in: Page,
    locale: str,
) -> None:
    operator = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    operator.add_cookies([operator_cookie])  # type: ignore[list-item]
    operator_page = operator.new_page()
    too_wide: dict[str, list[str]] = {}
    for page, paths in ((signed_in, PERSON_PAGES), (operator_page, OPERATOR_PAGES)):
        page.goto(demo_server.url + paths[0])
        page.click(f"form[action='/language'] button[value={locale}]")
        for path in paths:
            page.goto(demo_server.url + path)
            if found := _overflowing(page):
                too_wide[path] = found
            if hidden := _captions_off_screen(page):
                too_wide[path + " captions"] = hidden
    operator.close()
    visitor = browser.new_context(
        java_script_enabled=False, locale=locale, viewport={"width": 360, "height": 740}
    )
    page = visitor.new_page()
    for path in SIGNED_OUT_PAGES:
        page.goto(demo_server.url + path)
        if found := _overflowing(page):
            too_wide[path] = found
    visitor.close()

    assert too_wide == {}
