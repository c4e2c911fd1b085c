from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

HTML = {"accept": "text/html"}


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


def test_the_landing_page_explains_comptoir_and_offers_the_four_roles(client: TestClient) -> None:
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-language"] == "en"
    for role in ("Shopper", "Seller", "Bank or wallet", "Operator"):
        assert role in page.text
    assert 'href="#main"' in page.text
    assert '<main id="main"' in page.text


def test_the_landing_page_speaks_french_to_a_french_browser(client: TestClient) -> None:
    page = client.get("/", headers={**HTML, "accept-language": "fr-FR,fr;q=0.9"})
    assert page.headers["content-language"] == "fr"
    assert '<html lang="fr">' in page.text
    assert "Acheteur" in page.text and "Vendeur" in page.text


def test_the_language_switcher_keeps_the_choice_in_a_cookie(client: TestClient) -> None:
    landing = client.get("/", headers=HTML)
    answer = client.post(
        "/language",
        data={"lang": "fr", "next": "/", "csrf_token": csrf_token(landing.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert "comptoir_lang=fr" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    again = client.get("/", headers={**HTML, "accept-language": "en"})
    assert again.headers["content-language"] == "fr"


@pytest.mark.parametrize(
    ("cookie", "language"),
    [
        ("comptoir_lang=fr", "fr"),
        ("other=1; comptoir_lang=fr; session=abc", "fr"),
        ("session=abc; other=comptoir_lang", "en"),  # named, but not as a cookie
        ("session=abc", "en"),
        ("", "en"),
    ],
)
def test_the_language_cookie_wins_over_the_browser_among_other_cookies(
    client: TestClient, cookie: str, language: str
) -> None:
    page = client.get("/", headers={**HTML, "accept-language": "en", "cookie": cookie})

    assert page.headers["content-language"] == language


def test_the_language_switcher_refuses_to_redirect_off_site(client: TestClient) -> None:
    landing = client.get("/", headers=HTML)
    answer = client.post(
        "/language",
        data={"lang": "fr", "next": "//evil.example/", "csrf_token": csrf_token(landing.text)},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_a_form_without_its_csrf_token_is_refused_in_the_visitors_language(
    client: TestClient,
) -> None:
    client.get("/", headers=HTML)
    answer = client.post(
        "/language",
        data={"lang": "fr", "next": "/"},
        headers={"accept": "application/json", "accept-language": "fr"},
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == "/problems/csrf-failed"
    assert body["title"] == "Le formulaire a expiré"
    assert "comptoir_lang" not in answer.headers.get("set-cookie", "")


def test_a_forged_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/", headers=HTML)
    answer = client.post("/language", data={"lang": "fr", "csrf_token": "forged"})
    assert answer.status_code == 403


def test_a_form_posted_from_another_site_is_refused(client: TestClient) -> None:
    landing = client.get("/", headers=HTML)
    answer = client.post(
        "/language",
        data={"lang": "fr", "csrf_token": csrf_token(landing.text)},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert answer.status_code == 403


def test_an_unknown_address_is_a_problem_document_with_a_stable_type(client: TestClient) -> None:
    answer = client.get("/no/such/page", headers={"accept": "application/json"})
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "instance": "/no/such/page",
    }


def test_a_browser_gets_an_html_error_page_instead(client: TestClient) -> None:
    answer = client.get("/no/such/page", headers={**HTML, "accept-language": "fr"})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Introuvable" in answer.text


def test_each_problem_type_has_a_page_that_explains_it(client: TestClient) -> None:
    page = client.get("/problems/csrf-failed", headers=HTML)
    assert page.status_code == 200
    assert "The form has expired" in page.text


def test_a_missing_form_field_is_named_by_a_json_pointer(client: TestClient) -> None:
    landing = client.get("/", headers=HTML)
    answer = client.post("/language", data={"csrf_token": csrf_token(landing.text)})
    assert answer.status_code == 422
    body = answer.json()
    assert body["type"] == "/problems/validation"
    assert body["errors"] == [{"pointer": "/lang", "detail": "This field is required."}]


def test_health_reports_the_database(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["database"] == "ok"


def test_pages_carry_security_headers_and_no_third_party_origin(client: TestClient) -> None:
    page = client.get("/", headers=HTML)
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "http://" not in page.text.replace("http://127.0.0.1", "")
    assert "https://" not in page.text


def test_the_csrf_cookie_is_http_only_and_same_site(client: TestClient) -> None:
    cookie = client.get("/", headers=HTML).headers["set-cookie"]
    assert cookie.startswith("comptoir_csrf=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_the_api_publishes_an_openapi_3_1_document(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "/healthz" in document["paths"]


def test_the_node_relays_outbox_events_to_subscribed_handlers_while_it_runs(
    tmp_path: Path,
) -> None:
    from comptoir.app import create_app
    from comptoir.kernel import outbox
    from comptoir.kernel.db import Database, upgrade
    from comptoir.kernel.settings import load_settings

    settings = load_settings(data_dir=tmp_path, outbox_poll_seconds=0.05)
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine)
    app = create_app(settings, database=database)
    received = threading.Event()
    seen: list[dict[str, object]] = []

    def handler(event: outbox.OutboxEvent) -> None:
        seen.append(event.payload)
        received.set()

    app.state.node.outbox.subscribe("test.happened", "test-recorder", handler)
    with TestClient(app):
        with database.transaction() as session:
            outbox.publish(session, topic="test.happened", payload={"n": 1})
        assert received.wait(timeout=10)
    assert seen == [{"n": 1}]


def test_a_role_page_lists_the_services_that_blocks_registered_for_it(tmp_path: Path) -> None:
    from comptoir.app import create_app
    from comptoir.kernel.settings import load_settings
    from comptoir.kernel.web.navigation import Role, ServiceLink

    app = create_app(load_settings(data_dir=tmp_path, blocks="home"))
    with TestClient(app) as client:
        empty = client.get("/operator", headers=HTML)
        assert "does not offer services for this role yet" in empty.text
        app.state.node.directory.add(
            Role.OPERATOR, ServiceLink("Not found", "/operator/switch", "Home")
        )
        page = client.get("/operator", headers={**HTML, "accept-language": "fr"})
    assert 'href="/operator/switch"' in page.text
    assert "Introuvable" in page.text, "labels are message ids, shown in the reader's language"
    assert "does not offer services" not in page.text


def test_a_label_colon_follows_the_typography_of_the_language() -> None:
    from comptoir.kernel import i18n
    from comptoir.kernel.web.templating import Templates

    template = Templates().environment.from_string('{{ _("Home") }}{{ colon() }}')
    assert template.render() == "Home:"
    i18n.set_current_locale("fr")
    try:
        assert template.render() == "Accueil\u00a0:"
    finally:
        i18n.set_current_locale("en")
