"""The whole authorization code flow in-process, on SQLite and PostgreSQL: PAR, the
authorization endpoint, consent, the code exchange with private_key_jwt and DPoP, userinfo."""

from __future__ import annotations

from datetime import timedelta

from comptoir.kernel.oidc import callback_parameters
from tests.identity.oidc.world import ISSUER, World, claims_parameter


def test_discovery_names_the_endpoints_and_the_fapi_choices(world: World) -> None:
    document = world.http.get("/.well-known/openid-configuration").json()

    assert document["issuer"] == ISSUER
    assert document["pushed_authorization_request_endpoint"] == f"{ISSUER}/identity/oidc/par"
    assert document["require_pushed_authorization_requests"] is True
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert document["dpop_signing_alg_values_supported"] == ["ES256"]
    assert document["authorization_response_iss_parameter_supported"] is True
    assert document["subject_types_supported"] == ["pairwise"]
    keys = world.http.get(document["jwks_uri"]).json()["keys"]
    assert [key["crv"] for key in keys] == ["P-256"]
    assert all("d" not in key for key in keys)


def test_a_person_signs_in_at_a_shop_which_gets_what_they_agreed_to(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()

    start = shop.begin(scope="openid profile phone")
    page = world.consent_page(marie, start)
    assert "Coconut Corner" in page
    assert "To deliver your order" in page
    callback = world.decide(
        marie, page, claims=["sub", "name", "phone_number", "phone_number_verified"]
    )
    assert callback.startswith("https://shop.example/callback?")
    assert callback_parameters(callback)["iss"] == ISSUER
    tokens = shop.finish(start, callback)
    claims = shop.userinfo(tokens)

    assert tokens.token_type == "DPoP"
    assert tokens.id_token_claims["iss"] == ISSUER
    assert tokens.id_token_claims["aud"] == shop.client_id
    assert tokens.id_token_claims["nonce"] == start.nonce
    assert claims["sub"] == tokens.subject
    assert claims["name"] == "Marie Joseph"
    assert claims["phone_number"] == "+17585550101"
    assert claims["phone_number_verified"] is True
    # She unticked these two: they are not released.
    assert "birthdate" not in claims
    assert "locale" not in claims


def test_claims_asked_for_the_id_token_are_in_it(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()

    start = shop.begin(
        scope="openid", claims=claims_parameter(id_token={"name": {"essential": True}})
    )
    tokens = shop.finish(start, world.authorize(marie, start))

    assert tokens.id_token_claims["name"] == "Marie Joseph"
    # Only the subject at userinfo: the name was asked for the ID token alone. (A JSON
    # answer: this client registered for no signed one.)
    assert set(shop.userinfo(tokens)) == {"sub"}


def test_a_consent_that_covers_the_request_skips_the_screen(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    first = shop.begin(scope="openid profile")
    shop.finish(first, world.authorize(marie, first))

    again = shop.begin(scope="openid profile")
    answer = marie.browser.get(again.authorization_url, follow_redirects=False)

    assert answer.status_code == 303
    tokens = shop.finish(again, answer.headers["location"])
    assert shop.userinfo(tokens)["name"] == "Marie Joseph"


def test_a_request_for_more_claims_asks_again_and_makes_a_new_version(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    first = shop.begin(scope="openid profile")
    shop.finish(first, world.authorize(marie, first))

    more = shop.begin(scope="openid profile phone")
    page = world.consent_page(marie, more)
    shop.finish(more, world.decide(marie, page))

    consents = marie.browser.get("/identity/me/consents").text
    assert "version 2" in consents


def test_essential_claims_are_released_even_when_the_form_leaves_them_out(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(
        scope="openid", claims=claims_parameter(userinfo={"phone_number": {"essential": True}})
    )
    page = world.consent_page(marie, start)

    assert 'id="claim-phone_number" checked disabled' in page
    tokens = shop.finish(start, world.decide(marie, page, claims=[]))
    assert shop.userinfo(tokens)["phone_number"] == "+17585550101"


def test_a_person_who_refuses_is_sent_back_with_access_denied(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")

    callback = world.decide(marie, world.consent_page(marie, start), allow=False)

    parameters = callback_parameters(callback)
    assert parameters["error"] == "access_denied"
    assert parameters["state"] == start.state
    assert parameters["iss"] == ISSUER


def test_someone_not_signed_in_logs_in_and_comes_back_to_the_consent_screen(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    start = shop.begin(scope="openid profile")

    answer = marie.browser.get(start.authorization_url, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/identity/login?next=/identity/oidc/authorize/resume"
    # A code by SMS can take minutes: the request waits for the person, not 90 seconds.
    world.clock.advance(timedelta(minutes=4))
    world.sign_in(marie)
    page = marie.browser.get("/identity/oidc/authorize/resume", follow_redirects=False)

    assert page.status_code == 200
    assert "Coconut Corner" in page.text
    tokens = shop.finish(start, world.decide(marie, page.text))
    assert shop.userinfo(tokens)["name"] == "Marie Joseph"


def test_only_the_browser_that_was_sent_to_log_in_can_resume(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    mallory = world.enrol(name="Mallory")
    start = shop.begin()
    marie.browser.get(start.authorization_url, follow_redirects=False)

    stolen = mallory.browser.get(start.authorization_url, follow_redirects=False)
    resumed = mallory.browser.get("/identity/oidc/authorize/resume", follow_redirects=False)

    assert stolen.status_code == 400
    assert resumed.status_code == 400


def test_a_parked_request_expires_after_ten_minutes(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol(signed_in=False)
    start = shop.begin()
    marie.browser.get(start.authorization_url, follow_redirects=False)
    world.clock.advance(timedelta(minutes=11))
    world.sign_in(marie)

    answer = marie.browser.get("/identity/oidc/authorize/resume", follow_redirects=False)

    assert answer.status_code == 400
    assert "expired" in answer.text
