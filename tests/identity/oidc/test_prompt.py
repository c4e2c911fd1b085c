"""`prompt` and `max_age` (OpenID Connect Core 1.0 section 3.1.2.1): a silent sign-in that
fails with login_required or consent_required, a new login when asked for, and the consent
screen again when asked for."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from comptoir.kernel.oidc import OidcError, RelyingParty
from tests.identity.oidc.world import ISSUER, Person, World

RESUME = "/identity/oidc/authorize/resume"


def answer_of(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def agreed_once(world: World, shop: RelyingParty, person: Person) -> None:
    """A first sign-in, so that a consent is on file."""
    start = shop.begin(scope="openid profile")
    shop.finish(start, world.authorize(person, start))


def test_prompt_none_without_a_login_tells_the_client_login_required(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    start = shop.begin(scope="openid profile", extra={"prompt": "none"})

    answer = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("https://shop.example/callback?")
    assert answer_of(location) | {"error_description": ""} == {
        "error": "login_required",
        "error_description": "",
        "state": start.state,
        "iss": ISSUER,
    }
    again = marie.browser.get(start.authorization_url, follow_redirects=False)
    assert again.status_code != 303  # the request was used up


def test_prompt_none_with_a_login_and_a_consent_on_file_signs_in_silently(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    agreed_once(world, shop, marie)
    start = shop.begin(scope="openid profile", extra={"prompt": "none"})

    answer = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert answer.status_code == 303
    tokens = shop.finish(start, answer.headers["location"])
    assert shop.userinfo(tokens)["sub"] == tokens.subject


def test_prompt_none_without_a_consent_tells_the_client_consent_required(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile", extra={"prompt": "none"})

    answer = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert answer.status_code == 303
    assert answer_of(answer.headers["location"])["error"] == "consent_required"
    with pytest.raises(OidcError):
        shop.finish(start, answer.headers["location"])


def test_prompt_login_makes_a_signed_in_person_log_in_again(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    agreed_once(world, shop, marie)
    world.clock.advance(timedelta(minutes=5))
    start = shop.begin(scope="openid profile", extra={"prompt": "login"})

    answer = marie.browser.get(start.authorization_url, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/identity/login?next=")
    # Back at the provider without having logged in again: the login page once more.
    stale = marie.browser.get(RESUME, follow_redirects=False)
    assert stale.headers["location"].startswith("/identity/login?next=")

    world.clock.advance(timedelta(seconds=30))
    world.sign_in(marie)  # what the login page does once the code is right
    resumed = marie.browser.get(RESUME, follow_redirects=False)

    assert resumed.status_code == 303
    tokens = shop.finish(start, resumed.headers["location"])
    assert tokens.id_token_claims["auth_time"] == int(world.clock.now().timestamp())


def test_a_login_older_than_max_age_needs_a_new_one_and_a_recent_one_does_not(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    agreed_once(world, shop, marie)
    world.clock.advance(timedelta(minutes=2))

    recent_enough = shop.begin(scope="openid profile", extra={"max_age": "600"})
    straight = marie.browser.get(recent_enough.authorization_url, follow_redirects=False)
    too_old = shop.begin(scope="openid profile", extra={"max_age": "60"})
    sent_to_login = marie.browser.get(too_old.authorization_url, follow_redirects=False)

    assert straight.headers["location"].startswith("https://shop.example/callback?")
    assert sent_to_login.headers["location"].startswith("/identity/login?next=")
    world.clock.advance(timedelta(minutes=3))  # the login itself takes a while
    world.sign_in(marie)
    resumed = marie.browser.get(RESUME, follow_redirects=False)
    assert resumed.headers["location"].startswith("https://shop.example/callback?")


def test_prompt_consent_shows_the_consent_screen_even_with_a_consent_on_file(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    agreed_once(world, shop, marie)
    start = shop.begin(scope="openid profile", extra={"prompt": "consent"})

    page = world.consent_page(marie, start)
    callback = world.decide(marie, page)

    assert shop.finish(start, callback).subject


@pytest.mark.parametrize(
    "extra",
    [
        {"prompt": "none login"},
        {"prompt": "sometimes"},
        {"max_age": "-1"},
        {"max_age": "ten"},
        {"max_age": "1.5"},
    ],
)
def test_a_bad_prompt_or_max_age_is_refused_when_pushed(
    world: World, extra: dict[str, str]
) -> None:
    shop = world.register_client()

    with pytest.raises(OidcError, match="invalid_request"):
        shop.begin(scope="openid profile", extra=extra)


def test_discovery_names_the_prompt_values(world: World) -> None:
    document = world.http.get("/.well-known/openid-configuration").json()

    assert set(document["prompt_values_supported"]) == {
        "none",
        "login",
        "consent",
        "select_account",
    }
