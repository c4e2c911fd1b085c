"""Every registry page, in English and French: served, within the 50 KB budget, every visible
field labelled, one h1, and reachable from the landing page's links."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from comptoir.identity.registry.service import enrol_person, make_agent, register_business
from tests.identity.registry.conftest import MARIE, Node, csrf

PAGE_BUDGET_BYTES = 50 * 1024


def agent_browser(node: Node, locale: str) -> TestClient:
    with node.database.transaction() as session:
        marie = enrol_person(
            session,
            name="Marie Joseph",
            phone=MARIE,
            birthdate="1988-03-14",
            actor="operator:test",
            clock=node.clock,
        )
        make_agent(session, phone=MARIE, actor="operator:test", clock=node.clock)
        register_business(
            session,
            owner_id=marie.id,
            name="Marigot Market",
            registration_number="LC-BN-2019-0117",
            address="Castries",
            sector="Food",
            actor="operator:test",
            clock=node.clock,
        )
    browser = node.operator()
    browser.headers["accept-language"] = locale
    page = browser.get("/identity/login")
    sent = browser.post("/identity/login", data={"phone": MARIE, "csrf_token": csrf(page.text)})
    browser.post(
        "/identity/login/code",
        data={"phone": MARIE, "code": node.code_sent_to(MARIE), "csrf_token": csrf(sent.text)},
    )
    return browser


def check_page(html: str, path: str) -> None:
    assert len(html.encode()) <= PAGE_BUDGET_BYTES, path
    assert html.count("<h1") == 1, path
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert field_id in labelled, f"{path}: #{field_id} has no label"
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' not in tag:
            assert "id=" in tag, f"{path}: {tag} cannot be labelled"


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_registry_page_is_labelled_and_within_budget(node: Node, locale: str) -> None:
    browser = agent_browser(node, locale)
    paths = [
        "/identity/me",
        "/identity/me/businesses/new",
        "/identity/me/passkeys",
        "/identity/agent",
        "/operator/identity/businesses",
        "/operator/sms",
    ]
    for path in paths:
        answer = browser.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-language"] == locale
        check_page(answer.text, path)
    visitor = node.browser(**{"accept-language": locale})
    for path in ("/identity/login", "/identity/register"):
        answer = visitor.get(path)
        assert answer.status_code == 200
        check_page(answer.text, path)


def test_the_registry_is_reachable_from_the_landing_page(node: Node) -> None:
    browser = node.browser()
    landing = browser.get("/")
    pages = "".join(
        browser.get(link).text for link in re.findall(r'href="(/[a-z]+)"', landing.text)
    )

    assert "/identity/me" in landing.text + pages
    operator = node.operator().get("/operator").text
    assert "/operator/identity/businesses" in operator and "/operator/sms" in operator
    login = browser.get("/identity/me").text
    assert 'href="/identity/register"' in login
