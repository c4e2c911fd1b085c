"""RP-Initiated Logout 1.0 at the end_session_endpoint, from outside: what an `id_token_hint`
and a `client_id` must agree on, and when a post-logout redirection may be made."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from comptoir.kernel.crypto import generate_jwk, issue_jwt
from tests.identity.oidc.world import CSRF_FIELD, ISSUER, World, hidden

LOGOUT = "/identity/oidc/logout"
BYE = "https://shop.example/bye"


def test_a_hint_issued_to_another_client_than_client_id_is_refused(world: World) -> None:
    # Section 2: "When both client_id and id_token_hint are present, the OP MUST verify that
    # the Client Identifier matches the one used when issuing the ID Token."
    shop = world.register_client(post_logout_redirect_uris=[BYE])
    other = world.register_client(name="Other Shop", post_logout_redirect_uris=[BYE])
    marie = world.enrol()
    start = other.begin()
    tokens = other.finish(start, world.authorize(marie, start))
    query = {"id_token_hint": tokens.id_token, "client_id": shop.client_id}

    answer = marie.browser.get(
        f"{LOGOUT}?{urlencode({**query, 'post_logout_redirect_uri': BYE})}",
        follow_redirects=False,
    )

    assert answer.status_code == 400
    assert "location" not in answer.headers


def test_a_hint_this_provider_did_not_sign_is_refused(world: World) -> None:
    shop = world.register_client(post_logout_redirect_uris=[BYE])
    forged = issue_jwt(
        {"sub": "someone"},
        generate_jwk("P-256"),
        issuer=ISSUER,
        audience=shop.client_id,
        clock=world.clock,
    )

    answer = world.http.get(
        f"{LOGOUT}?{urlencode({'id_token_hint': forged, 'post_logout_redirect_uri': BYE})}",
        follow_redirects=False,
    )

    assert answer.status_code == 400
    assert "location" not in answer.headers


def test_an_expired_hint_still_names_the_client_and_the_person_is_sent_back(
    world: World,
) -> None:
    # Section 2: the OP SHOULD accept ID Tokens "even when the exp time has passed".
    shop = world.register_client(post_logout_redirect_uris=[BYE])
    marie = world.enrol()
    start = shop.begin()
    tokens = shop.finish(start, world.authorize(marie, start))
    world.clock.advance(timedelta(days=2))
    world.sign_in(marie)
    query = {"id_token_hint": tokens.id_token, "post_logout_redirect_uri": BYE, "state": "z"}

    confirm = marie.browser.get(f"{LOGOUT}?{urlencode(query)}")
    assert confirm.status_code == 200
    done = marie.browser.post(
        LOGOUT,
        data={**query, "csrf_token": hidden(confirm.text, CSRF_FIELD)},
        follow_redirects=False,
    )

    assert done.status_code == 303
    location = urlsplit(done.headers["location"])
    assert (location.netloc, location.path) == ("shop.example", "/bye")
    assert parse_qs(location.query) == {"state": ["z"]}


def test_client_id_alone_allows_a_redirection_to_its_registered_uri(world: World) -> None:
    shop = world.register_client(post_logout_redirect_uris=[BYE])
    marie = world.enrol()
    query = {"client_id": shop.client_id, "post_logout_redirect_uri": BYE}

    confirm = marie.browser.get(f"{LOGOUT}?{urlencode(query)}")
    assert confirm.status_code == 200
    done = marie.browser.post(
        LOGOUT,
        data={**query, "csrf_token": hidden(confirm.text, CSRF_FIELD)},
        follow_redirects=False,
    )

    assert done.status_code == 303
    # No state was sent: none comes back.
    assert done.headers["location"] == BYE


def test_a_redirection_with_neither_hint_nor_client_id_is_refused(world: World) -> None:
    world.register_client(post_logout_redirect_uris=[BYE])

    answer = world.http.get(
        f"{LOGOUT}?{urlencode({'post_logout_redirect_uri': BYE})}", follow_redirects=False
    )

    assert answer.status_code == 400
    assert "location" not in answer.headers
