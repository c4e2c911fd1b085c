"""Passkeys: a signed-in person registers one, then logs in with it alone; a wrong origin, a
replayed answer, an unknown passkey or a locked method are refused."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from comptoir.identity.registry.service import PASSKEY, enrol_person, set_method_lock
from comptoir.identity.registry.session import SESSION_COOKIE
from comptoir.kernel.audit import entries
from tests.identity.registry.authenticator import Authenticator
from tests.identity.registry.conftest import BASE_URL, MARIE, Node, csrf

pytestmark = pytest.mark.postgres


def signed_in(node: Node) -> tuple[uuid.UUID, TestClient]:
    with node.database.transaction() as session:
        marie = enrol_person(
            session,
            name="Marie Joseph",
            phone=MARIE,
            birthdate="1988-03-14",
            actor="operator:test",
            clock=node.clock,
        )
    browser = node.browser()
    page = browser.get("/identity/login")
    sent = browser.post("/identity/login", data={"phone": MARIE, "csrf_token": csrf(page.text)})
    browser.post(
        "/identity/login/code",
        data={"phone": MARIE, "code": node.code_sent_to(MARIE), "csrf_token": csrf(sent.text)},
    )
    return marie.id, browser


def add_passkey(browser: TestClient, key: Authenticator) -> None:
    options = browser.post("/identity/me/passkeys/options", json={})
    assert options.status_code == 200, options.text
    added = browser.post(
        "/identity/me/passkeys",
        json={"label": "My phone", "credential": key.create(options.json())},
    )
    assert added.status_code == 200, added.text


def passkey_login(browser: TestClient, key: Authenticator, next_path: str = "/identity/me"):  # type: ignore[no-untyped-def]
    options = browser.post("/identity/login/passkey/options", json={})
    assert options.status_code == 200
    return browser.post(
        "/identity/login/passkey", json={"next": next_path, "credential": key.get(options.json())}
    )


def test_a_person_adds_a_passkey_and_then_logs_in_with_it_alone(node: Node) -> None:
    person_id, browser = signed_in(node)
    key = Authenticator(origin=BASE_URL, rp_id="testserver")
    add_passkey(browser, key)
    assert "My phone" in browser.get("/identity/me/passkeys").text

    stranger = node.browser()
    answer = passkey_login(stranger, key, "/identity/me?from=passkey")

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"redirect": "/identity/me?from=passkey"}
    assert SESSION_COOKIE in answer.headers["set-cookie"]
    assert "Marie Joseph" in stranger.get("/identity/me").text
    with node.database.reading() as session:
        logins = entries(session, action="identity.person.signed_in")
        added = entries(session, action="identity.passkey.added")
    assert logins[0].details == {"method": "passkey"}
    assert [entry.actor for entry in added] == [f"person:{person_id}"]


def test_a_passkey_made_for_another_site_is_refused(node: Node) -> None:
    _person_id, browser = signed_in(node)
    key = Authenticator(origin="https://evil.example", rp_id="testserver")
    options = browser.post("/identity/me/passkeys/options", json={})

    refused = browser.post("/identity/me/passkeys", json={"credential": key.create(options.json())})

    assert refused.status_code == 400
    assert refused.json()["error"] == "passkey_refused"
    assert "You have no passkey yet" in browser.get("/identity/me/passkeys").text


def test_a_replayed_passkey_answer_is_refused(node: Node) -> None:
    _person_id, browser = signed_in(node)
    key = Authenticator(origin=BASE_URL, rp_id="testserver")
    add_passkey(browser, key)
    stranger = node.browser()
    options = stranger.post("/identity/login/passkey/options", json={}).json()
    answer = key.get(options)
    assert stranger.post("/identity/login/passkey", json={"credential": answer}).status_code == 200

    thief = node.browser()
    thief.post("/identity/login/passkey/options", json={})
    replayed = thief.post("/identity/login/passkey", json={"credential": answer})

    assert replayed.status_code == 400
    assert SESSION_COOKIE not in replayed.headers.get("set-cookie", "")


def test_an_unknown_passkey_is_refused(node: Node) -> None:
    signed_in(node)
    key = Authenticator(origin=BASE_URL, rp_id="testserver", user_handle=b"x" * 16)

    answer = passkey_login(node.browser(), key)

    assert answer.status_code == 400
    assert answer.json()["error"] == "unknown_passkey"


def test_a_locked_passkey_method_refuses_sign_in(node: Node) -> None:
    person_id, browser = signed_in(node)
    key = Authenticator(origin=BASE_URL, rp_id="testserver")
    add_passkey(browser, key)
    with node.database.transaction() as session:
        set_method_lock(
            session,
            person_id=person_id,
            method=PASSKEY,
            locked=True,
            actor=f"person:{person_id}",
            clock=node.clock,
        )

    answer = passkey_login(node.browser(), key)

    assert answer.status_code == 400
    assert answer.json()["error"] == "method_locked"
    assert "locked logging in with a passkey" in answer.json()["detail"]


def test_the_passkey_pages_need_a_signed_in_person(node: Node) -> None:
    browser = node.browser()

    assert browser.get("/identity/me/passkeys", follow_redirects=False).status_code == 303
    assert browser.post("/identity/me/passkeys/options", json={}).status_code == 401


def test_a_passkey_answer_nested_deeper_than_the_json_parser_goes_is_refused(node: Node) -> None:
    browser = node.browser()
    browser.post("/identity/login/passkey/options", json={})

    answer = browser.post(
        "/identity/login/passkey",
        content=b"[" * 30_000 + b"]" * 30_000,  # within the size limit
        headers={"content-type": "application/json"},
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "passkey_refused"
