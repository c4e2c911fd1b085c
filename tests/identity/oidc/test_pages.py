"""Every page of the provider, in English and French: served, within the 50 KB budget, one
heading of the first level, every visible field labelled; and reachable by links."""

from __future__ import annotations

import re

import pytest

from comptoir.kernel.web.operator import sign_in_link
from tests.identity.oidc.world import ISSUER, World

PAGE_BUDGET_BYTES = 50 * 1024


def check_page(html: str, what: str) -> None:
    assert len(html.encode()) <= PAGE_BUDGET_BYTES, what
    assert html.count("<h1") == 1, what
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert field_id in labelled, f"{what}: #{field_id} has no label"
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' not in tag:
            assert "id=" in tag, f"{what}: {tag} cannot be labelled"


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_page_of_the_provider_is_labelled_and_within_budget(
    world: World, locale: str
) -> None:
    shop = world.register_client(post_logout_redirect_uris=["https://shop.example/bye"])
    marie = world.enrol()
    marie.browser.headers["Accept-Language"] = locale
    start = shop.begin(scope="openid profile phone")
    consent = marie.browser.get(start.authorization_url, follow_redirects=False)
    tokens = shop.finish(start, world.decide(marie, consent.text))
    shop.userinfo(tokens)
    pages = {
        "consent": consent,
        "consents": marie.browser.get("/identity/me/consents"),
        "releases": marie.browser.get("/identity/me/releases"),
        "logout": marie.browser.get(
            shop.logout_url(
                id_token=tokens.id_token,
                post_logout_redirect_uri="https://shop.example/bye",
                state="s",
            )
        ),
        "refused": marie.browser.get("/identity/oidc/authorize?client_id=x"),
    }
    world.http.headers["Accept-Language"] = locale
    world.http.get(sign_in_link("", world.app.state.node.secret))
    pages["clients"] = world.http.get("/operator/identity/clients")

    for what, answer in pages.items():
        assert answer.status_code in (200, 400), what
        assert answer.headers["content-language"] == locale, what
        check_page(answer.text, what)


def test_a_persons_pages_and_the_operators_are_reachable_by_links(world: World) -> None:
    landing = world.http.get("/").text
    linked = "".join(world.http.get(link).text for link in re.findall(r'href="(/[a-z]+)"', landing))
    world.http.get(sign_in_link(ISSUER, world.app.state.node.secret).removeprefix(ISSUER))
    console = world.http.get("/operator").text

    assert "/identity/me/releases" in landing + linked
    assert "/identity/me/consents" in landing + linked
    assert "/operator/identity/clients" in console


def test_switching_language_on_the_consent_screen_shows_it_again_and_the_sign_in_goes_on(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile phone")
    consent = world.consent_page(marie, start)
    back_to = re.search(r'name="next" value="([^"]+)"', consent)
    assert back_to is not None
    target = back_to.group(1).replace("&amp;", "&")
    assert target.startswith("/identity/oidc/consent?request=")

    switched = marie.browser.post(
        "/language",
        data={
            "csrf_token": re.findall(r'name="csrf_token" value="([^"]+)"', consent)[0],
            "lang": "fr",
            "next": target,
        },
    )

    assert switched.status_code == 200, switched.text[:500]
    assert switched.headers["content-language"] == "fr"
    assert "request_id" in switched.text
    tokens = shop.finish(start, world.decide(marie, switched.text))
    assert shop.userinfo(tokens)["sub"]


def test_the_consent_screen_is_not_shown_to_someone_else(world: World) -> None:
    shop = world.register_client()
    marie, other = world.enrol(), world.enrol()
    consent = world.consent_page(marie, shop.begin(scope="openid"))
    request_id = re.search(r'name="request_id" value="([^"]+)"', consent)
    assert request_id is not None

    seen = other.browser.get(f"/identity/oidc/consent?request={request_id.group(1)}")

    assert seen.status_code == 400
    assert "request_id" not in seen.text


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ("en", "To find your account by your phone number"),
        ("fr", "Pour retrouver votre compte grâce à votre numéro de téléphone"),
    ],
)
def test_a_purpose_the_catalogue_knows_is_shown_in_the_readers_language(
    world: World, locale: str, shown: str
) -> None:
    shop = world.register_client(purpose="To find your account by your phone number")
    marie = world.enrol()
    marie.browser.headers["Accept-Language"] = locale

    consent = world.consent_page(marie, shop.begin(scope="openid profile phone"))

    assert shown in consent


def test_a_purpose_in_the_operators_own_words_is_shown_as_written(world: World) -> None:
    shop = world.register_client(purpose="Pour livrer votre commande à 100 %")
    marie = world.enrol()
    marie.browser.headers["Accept-Language"] = "en"

    consent = world.consent_page(marie, shop.begin(scope="openid"))

    assert "Pour livrer votre commande à 100 %" in consent
