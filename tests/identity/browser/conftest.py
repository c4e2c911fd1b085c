"""The browser tests' fixtures (a demo server, Chromium), for the identity block's own browser
tests. Package scope, as there: the Playwright loop stops when this package's tests end."""

from tests.browser.conftest import browser, demo_server, playwright

__all__ = ["browser", "demo_server", "playwright"]
