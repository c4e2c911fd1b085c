"""`ui_locales` (OpenID Connect Core 1.0 section 3.1.2.1): the language a relying party says the
person reads is the one the provider's login and consent pages speak, unless the person chose
another on the provider itself; a language the provider does not speak is no error."""

from __future__ import annotations

from comptoir.kernel import i18n
from tests.identity.oidc.world import World


def test_a_signed_in_person_sees_the_consent_screen_in_the_language_the_client_asked_for(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile", extra={"ui_locales": "fr-CA en"})

    page = marie.browser.get(
        start.authorization_url, headers={"Accept-Language": "en"}, follow_redirects=False
    )

    assert page.status_code == 200
    assert page.headers["content-language"] == "fr"
    assert 'lang="fr"' in page.text


def test_the_login_and_consent_that_follow_keep_the_clients_language(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    start = shop.begin(scope="openid profile", extra={"ui_locales": "fr"})

    parked = marie.browser.get(
        start.authorization_url, headers={"Accept-Language": "en"}, follow_redirects=False
    )
    assert parked.status_code == 303
    [hint] = [
        cookie
        for cookie in parked.headers.get_list("set-cookie")
        if cookie.startswith(i18n.LANGUAGE_HINT_COOKIE)
    ]
    assert f"{i18n.LANGUAGE_HINT_COOKIE}=fr" in hint and "Path=/identity" in hint
    assert "max-age" not in hint.lower()  # for this browser session only
    login = marie.browser.get(parked.headers["location"], headers={"Accept-Language": "en"})
    assert login.headers["content-language"] == "fr"

    world.sign_in(marie)
    consent = marie.browser.get(
        "/identity/oidc/authorize/resume", headers={"Accept-Language": "en"}
    )
    assert consent.status_code == 200 and "request_id" in consent.text
    assert consent.headers["content-language"] == "fr"


def test_the_hint_stays_on_the_identity_pages(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    start = shop.begin(scope="openid profile", extra={"ui_locales": "fr"})
    marie.browser.get(start.authorization_url, follow_redirects=False)

    elsewhere = marie.browser.get("/", headers={"Accept-Language": "en"})

    assert elsewhere.headers["content-language"] == "en"


def test_the_persons_own_choice_on_the_provider_outranks_the_clients(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    marie.browser.cookies.set(i18n.LANGUAGE_COOKIE, "en")
    start = shop.begin(scope="openid profile", extra={"ui_locales": "fr"})

    page = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert page.status_code == 200
    assert page.headers["content-language"] == "en"
    assert i18n.LANGUAGE_HINT_COOKIE not in page.headers.get("set-cookie", "")


def test_a_language_the_provider_does_not_speak_is_no_error_and_changes_nothing(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile", extra={"ui_locales": "de-DE x-klingon"})

    page = marie.browser.get(
        start.authorization_url, headers={"Accept-Language": "en"}, follow_redirects=False
    )

    assert page.status_code == 200
    assert page.headers["content-language"] == "en"
    assert i18n.LANGUAGE_HINT_COOKIE not in page.headers.get("set-cookie", "")


def test_a_later_clients_language_replaces_an_earlier_hint(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    first = shop.begin(scope="openid profile", extra={"ui_locales": "fr"})
    marie.browser.get(first.authorization_url, follow_redirects=False)
    second = shop.begin(scope="openid profile", extra={"ui_locales": "en"})

    page = marie.browser.get(
        second.authorization_url, headers={"Accept-Language": "fr"}, follow_redirects=False
    )

    assert page.headers["content-language"] == "en"
