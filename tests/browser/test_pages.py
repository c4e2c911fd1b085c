"""Every page, in every language, as a visitor's browser sees it: no JavaScript needed, within
the 50 KB first-load budget, nothing fetched from another origin, and no WCAG 2.2 A/AA
violation found by axe-core."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Response

from tests.support.servers import RunningServer

pytestmark = pytest.mark.browser

PAGE_BUDGET_BYTES = 50 * 1024
LOCALES = ("en", "fr")
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
# Pages a visitor reaches without following a link: an error page and a problem explanation.
UNLINKED_PAGES = ("/no-such-page", "/problems/not-found")
NOT_PAGES = ("/healthz", "/api/", "/static/")


def crawl(browser: Browser, base_url: str, operator: dict[str, str]) -> list[str]:
    """Every same-origin page reachable by links from the landing page, as the operator (who
    sees every page a visitor sees, and the operator's console besides)."""
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies([operator])  # type: ignore[list-item]
    page = context.new_page()
    seen: list[str] = []
    queue = deque(["/", *UNLINKED_PAGES])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.append(path)
        page.goto(base_url + path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urlparse(urldefrag(urljoin(base_url + path, href))[0])
            if target.netloc != urlparse(base_url).netloc or target.path.startswith(NOT_PAGES):
                continue
            if target.path in seen or target.path in queue:
                continue
            kind = context.request.get(base_url + target.path).headers.get("content-type", "")
            if kind.startswith("text/html"):  # downloads (CSV, XML) are not pages
                queue.append(target.path)
    context.close()
    return seen


@pytest.fixture(scope="module")
def pages(
    browser: Browser, demo_server: RunningServer, operator_cookie: dict[str, str]
) -> list[str]:
    found = crawl(browser, demo_server.url, operator_cookie)
    assert {"/", "/shop", "/sell", "/bank", "/operator", "/operator/switch"} <= set(found)
    return found


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def _load_without_javascript(
    browser: Browser, url: str, locale: str, operator: dict[str, str]
) -> tuple[Page, list[Response], int]:
    context = browser.new_context(
        java_script_enabled=False, locale=locale, viewport={"width": 360, "height": 740}
    )
    context.add_cookies([operator])  # type: ignore[list-item]
    page = context.new_page()
    responses: list[Response] = []
    # Playwright needs a Python function here: it cannot tag a built-in method as a listener.
    page.on("response", lambda response: responses.append(response))  # noqa: PLW0108
    page.goto(url, wait_until="load")
    # A redirect (a page that asks the visitor to sign in first) has no body to count.
    transferred = sum(
        len(response.body()) for response in responses if not 300 <= response.status < 400
    )
    return page, responses, transferred


@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_works_without_javascript_within_the_budget(
    browser: Browser,
    demo_server: RunningServer,
    pages: list[str],
    locale: str,
    screenshots: Path,
    operator_cookie: dict[str, str],
) -> None:
    for path in pages:
        page, responses, transferred = _load_without_javascript(
            browser, demo_server.url + path, locale, operator_cookie
        )
        assert page.locator("html").get_attribute("lang") == locale, path
        assert page.locator("main h1").count() == 1, f"{path} has no single main heading"
        assert transferred <= PAGE_BUDGET_BYTES, f"{path} transfers {transferred} bytes"
        origins = {urlparse(response.url).netloc for response in responses}
        assert origins <= {urlparse(demo_server.url).netloc}, f"{path} fetched from {origins}"
        page.screenshot(path=str(screenshots / f"{_slug(path)}-{locale}.png"), full_page=True)
        page.context.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_no_page_has_an_accessibility_violation(
    browser: Browser,
    demo_server: RunningServer,
    pages: list[str],
    locale: str,
    operator_cookie: dict[str, str],
) -> None:
    axe = Axe()
    context = browser.new_context(locale=locale, bypass_csp=True)
    context.add_cookies([operator_cookie])  # type: ignore[list-item]
    page = context.new_page()
    failures: dict[str, list[str]] = {}
    for path in pages:
        page.goto(demo_server.url + path)
        results = axe.run(page, options=AXE_OPTIONS)
        violations = results.response["violations"]
        if violations:
            failures[path] = [
                f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
                for v in violations
            ]
    context.close()
    assert failures == {}


def test_a_keyboard_user_can_skip_straight_to_the_main_content(
    browser: Browser, demo_server: RunningServer
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("href") == "#main"
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main" or page.url.endswith("#main")
    context.close()


def test_the_language_switcher_works_without_javascript(
    browser: Browser, demo_server: RunningServer, screenshots: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(demo_server.url + "/sell")
    assert page.locator("h1").inner_text() == "Seller"
    page.get_by_role("button", name="Français").click()
    page.wait_for_url(demo_server.url + "/sell")
    assert page.locator("h1").inner_text() == "Vendeur"
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(demo_server.url + "/")
    assert "Qui êtes-vous aujourd'hui ?" in page.locator("main").inner_text()
    page.screenshot(path=str(screenshots / "language-switched-fr.png"))
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_touch_targets_are_at_least_24_pixels(
    browser: Browser, demo_server: RunningServer, pages: list[str], operator_cookie: dict[str, str]
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies([operator_cookie])  # type: ignore[list-item]
    page = context.new_page()
    for path in pages:
        page.goto(demo_server.url + path)
        small = page.evaluate(
            """() => [...document.querySelectorAll('a, button, input, select, textarea')]
                .filter(el => el.offsetParent !== null && !el.classList.contains('skip'))
                .map(el => [el.outerHTML.slice(0, 60), el.getBoundingClientRect().height])
                .filter(([, h]) => h < 24)"""
        )
        inline_links_in_text = [entry for entry in small if not str(entry[0]).startswith("<a")]
        assert inline_links_in_text == [], f"{path}: {inline_links_in_text}"
    context.close()
