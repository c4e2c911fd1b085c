"""Logging in with a phone and a one-time code, over HTTP, as a browser without JavaScript."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from comptoir.identity.registry.service import enrol_person
from comptoir.identity.registry.session import SESSION_COOKIE
from tests.identity.registry.conftest import MARIE, Node, csrf

pytestmark = pytest.mark.postgres


def enrol_marie(node: Node) -> None:
    with node.database.transaction() as session:
        enrol_person(
            session,
            name="Marie Joseph",
            phone=MARIE,
            birthdate="1988-03-14",
            actor="operator:test",
            clock=node.clock,
        )


def ask_code(browser: TestClient, phone: str, next_path: str = "") -> str:
    form = browser.get(f"/identity/login?next={next_path}")
    answer = browser.post(
        "/identity/login",
        data={"phone": phone, "next": next_path, "csrf_token": csrf(form.text)},
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def send_code(browser: TestClient, page: str, phone: str, code: str, next_path: str = ""):  # type: ignore[no-untyped-def]
    return browser.post(
        "/identity/login/code",
        data={"phone": phone, "code": code, "next": next_path, "csrf_token": csrf(page)},
        follow_redirects=False,
    )


def test_a_registered_person_logs_in_with_the_code_sent_by_sms(node: Node) -> None:
    enrol_marie(node)
    browser = node.browser()

    page = ask_code(browser, "+1 758 555 0101", "/identity/me?x=1")
    answer = send_code(browser, page, MARIE, node.code_sent_to(MARIE), "/identity/me?x=1")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/identity/me?x=1"
    cookie = answer.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = browser.get("/identity/me")
    assert me.status_code == 200
    assert "Marie Joseph" in me.text and "/identity/me/consents" in me.text
