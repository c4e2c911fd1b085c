"""Signing a demo customer in to a wallet with Comptoir ID or with the wallet's own code,
reading the one-time code the demo keeps in its SMS table. A phone may already hold an earlier
code (another test signed the same person in): only a code sent after the request counts."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.support.servers import RunningServer
from tests.support.texts import codes_sent, new_code


def signed_in_to_wallet(page: Page, server: RunningServer, wallet: str, phone: str) -> None:
    """`wallet` is the wallet's path ("/wallets/antilles-bank")."""
    page.goto(server.url + wallet + "/signin")
    page.click(f"form[action='{wallet}/signin/oidc'] button")
    page.fill("#phone", phone)
    before = codes_sent(server, phone)
    page.click("form[action='/identity/login'] button")
    page.fill("input[name=code]", new_code(server, phone, before))
    page.click("main form button[type=submit] >> nth=0")
    if "/identity/" in page.url:  # what the wallet will receive: shared once
        page.click("main form button[type=submit] >> nth=0")
    assert page.url.endswith(wallet + "/home"), page.url


def signed_in_with_a_code(page: Page, server: RunningServer, wallet: str, phone: str) -> None:
    """Signed in with the wallet's own one-time code (for customers, such as its merchants,
    who have no Comptoir ID)."""
    page.goto(server.url + wallet + "/signin")
    before = codes_sent(server, phone)
    page.fill("#phone", phone)
    page.click(f"form[action='{wallet}/signin'] button")
    page.fill("#code", new_code(server, phone, before))
    page.click(f"form[action='{wallet}/signin/code'] button")
    assert page.url.endswith(wallet + "/home"), page.url


def signed_in_to_identity(page: Page, server: RunningServer, phone: str) -> None:
    """Logged in at Comptoir ID itself with the code "sent" by SMS, landing on the person's
    own page."""
    page.goto(server.url + "/identity/login")
    page.fill("#phone", phone)
    before = codes_sent(server, phone)
    page.click("form[action='/identity/login'] button")
    page.fill("#code", new_code(server, phone, before))
    page.click("form[action='/identity/login/code'] button")
    assert page.url.endswith("/identity/me"), page.url
