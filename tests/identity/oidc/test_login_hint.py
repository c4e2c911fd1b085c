"""`login_hint` (OpenID Connect Core 1.0 section 3.1.2.1): a phone number the relying party
names fills in the login page that follows, never through an address; a hint that is not a
phone number is no error; the hint is forgotten once the person has logged in, and when a later
request names none."""

from __future__ import annotations

import re

from comptoir.channels.sms.outbox import latest_message_to
from comptoir.identity.registry.pages.pending import LOGIN_HINT
from tests.identity.oidc.world import CSRF_FIELD, World, hidden

RESUME = "/identity/oidc/authorize/resume"
PHONE_FIELD = 'id="phone" name="phone" type="tel" value="{}"'


def test_a_phone_login_hint_fills_in_the_login_page_and_travels_in_no_address(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    start = shop.begin(scope="openid profile", extra={"login_hint": "+1 758 555 0101"})

    parked = marie.browser.get(start.authorization_url, follow_redirects=False)
    login = marie.browser.get(parked.headers["location"])

    assert PHONE_FIELD.format("+17585550101") in login.text
    assert "555" not in parked.headers["location"]
    assert "555" not in str(login.url)


def test_a_hint_that_is_not_a_phone_number_is_ignored(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    start = shop.begin(scope="openid profile", extra={"login_hint": "marie@example.org"})

    parked = marie.browser.get(start.authorization_url, follow_redirects=False)
    login = marie.browser.get(parked.headers["location"])

    assert parked.status_code == 303 and login.status_code == 200
    assert PHONE_FIELD.format("") in login.text


def test_a_later_request_without_a_hint_forgets_the_earlier_one(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    first = shop.begin(scope="openid profile", extra={"login_hint": "+17585550101"})
    marie.browser.get(first.authorization_url, follow_redirects=False)
    assert LOGIN_HINT in marie.browser.cookies

    second = shop.begin(scope="openid profile")
    parked = marie.browser.get(second.authorization_url, follow_redirects=False)
    login = marie.browser.get(parked.headers["location"])

    assert LOGIN_HINT not in marie.browser.cookies
    assert PHONE_FIELD.format("") in login.text


def test_the_hint_is_forgotten_once_the_person_has_logged_in(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    start = shop.begin(scope="openid profile", extra={"login_hint": marie.phone})
    parked = marie.browser.get(start.authorization_url, follow_redirects=False)
    login = marie.browser.get(parked.headers["location"])

    sent = marie.browser.post(
        "/identity/login",
        data={"phone": marie.phone, "next": RESUME, "csrf_token": hidden(login.text, CSRF_FIELD)},
    )
    with world.database.reading() as session:
        code = re.search(r"\b(\d{6})\b", latest_message_to(session, marie.phone) or "")
    assert code is not None
    marie.browser.post(
        "/identity/login/code",
        data={
            "phone": marie.phone,
            "code": code.group(1),
            "next": RESUME,
            "csrf_token": hidden(sent.text, CSRF_FIELD),
        },
        follow_redirects=False,
    )

    assert LOGIN_HINT not in marie.browser.cookies
