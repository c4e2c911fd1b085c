"""Signing a demo customer in to a wallet with Comptoir ID, reading the one-time code the demo
keeps in its SMS table. A phone may already hold an earlier code (another test signed the same
person in): only a code sent after the request counts."""

from __future__ import annotations

import re
import sqlite3
import time

from playwright.sync_api import Page

from tests.support.servers import RunningServer


def _sent(server: RunningServer, phone: str) -> list[str]:
    """The messages sent to `phone`, newest first."""
    with sqlite3.connect(server.log_path.parent / "comptoir.db") as connection:
        rows = connection.execute(
            "select body from sms_message where recipient = ? order by created_at desc",
            (phone,),
        ).fetchall()
    return [body for (body,) in rows]


def codes_sent(server: RunningServer, phone: str) -> int:
    return len(_sent(server, phone))


def new_code(server: RunningServer, phone: str, sent_before: int) -> str:
    """The one-time code of the first message sent to `phone` after `sent_before` of them."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sent = _sent(server, phone)
        if len(sent) > sent_before and (found := re.search(r"\b(\d{6})\b", sent[0])):
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError("no new one-time code was kept for " + phone)


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
    """Signed in with the wallet's own one-time code, which the demo prints on the server's
    console (for customers, such as its merchants, who have no Comptoir ID)."""
    page.goto(server.url + wallet + "/signin")
    before = server.log_path.read_text().count(f"sign-in code for {phone} is")
    page.fill("#phone", phone)
    page.click(f"form[action='{wallet}/signin'] button")
    deadline = time.monotonic() + 20
    while True:
        codes = re.findall(
            rf"sign-in code for {re.escape(phone)} is (\d{{6}})", server.log_path.read_text()
        )
        if len(codes) > before:
            break
        assert time.monotonic() < deadline, "no new sign-in code was printed for " + phone
        time.sleep(0.2)
    page.fill("#code", codes[-1])
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
