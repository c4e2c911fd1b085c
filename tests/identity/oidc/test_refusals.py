"""Refusals at the front: pushed requests and the authorization endpoint (RFC 9126,
FAPI 2.0), and client authentication by private_key_jwt."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from comptoir.kernel.crypto import generate_jwk, issue_jwt
from comptoir.kernel.oidc import (
    OidcError,
    new_code_verifier,
    s256_challenge,
)
from tests.identity.oidc.protocol_requests import (
    PAR,
    par_form,
)
from tests.identity.oidc.world import ISSUER, World, claims_parameter


def test_it_refuses_an_authorization_request_that_was_not_pushed(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()

    answer = marie.browser.get(
        "/identity/oidc/authorize",
        params={
            "client_id": shop.client_id,
            "response_type": "code",
            "redirect_uri": shop.redirect_uri,
            "scope": "openid",
            "code_challenge": s256_challenge(new_code_verifier()),
            "code_challenge_method": "S256",
        },
        follow_redirects=False,
    )

    assert answer.status_code == 400
    assert "pushed authorization requests" in answer.text
    assert "location" not in answer.headers


def test_it_refuses_the_plain_pkce_method(world: World) -> None:
    shop = world.register_client()
    verifier = new_code_verifier()

    answer = world.http.post(
        PAR, data=par_form(shop, code_challenge=verifier, code_challenge_method="plain")
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert "S256" in answer.json()["error_description"]


def test_it_refuses_an_unregistered_redirect_uri_and_never_redirects_to_it(world: World) -> None:
    shop = world.register_client()

    answer = world.http.post(PAR, data=par_form(shop, redirect_uri="https://evil.example/cb"))

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    # Without a pushed request nothing is ever redirected, whatever the query says.
    page = world.http.get(
        "/identity/oidc/authorize",
        params={"client_id": shop.client_id, "redirect_uri": "https://evil.example/cb"},
        follow_redirects=False,
    )
    assert page.status_code == 400
    assert "evil.example" not in page.headers.get("location", "")


def test_it_refuses_a_scope_the_client_is_not_registered_for(world: World) -> None:
    shop = world.register_client(scopes="openid profile")

    answer = world.http.post(PAR, data=par_form(shop, scope="openid phone"))

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_scope"


def test_it_refuses_a_claim_the_client_may_not_ask_for(world: World) -> None:
    shop = world.register_client(scopes="openid profile")

    with pytest.raises(OidcError) as refused:
        shop.begin(claims=claims_parameter(userinfo={"phone_number": {"essential": True}}))

    assert refused.value.error == "invalid_request"
    assert "phone_number" in refused.value.description


def test_a_request_uri_serves_once(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin()
    world.authorize(marie, start)

    again = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert again.status_code == 400
    assert "used already" in again.text


def test_a_request_uri_expires_after_ninety_seconds(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin()
    world.clock.advance(timedelta(seconds=91))

    answer = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert answer.status_code == 400
    assert "expired" in answer.text


def test_a_request_uri_is_bound_to_its_client(world: World) -> None:
    shop = world.register_client()
    other = world.register_client(name="Other shop")
    marie = world.enrol()
    start = shop.begin()

    answer = marie.browser.get(
        start.authorization_url.replace(shop.client_id, other.client_id), follow_redirects=False
    )

    assert answer.status_code == 400


def test_it_refuses_an_expired_client_assertion(world: World) -> None:
    shop = world.register_client()
    form = par_form(shop)
    world.clock.advance(timedelta(seconds=60 + 31))

    answer = world.http.post(PAR, data=form)

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert "expired" in answer.json()["error_description"]


def test_it_refuses_a_replayed_client_assertion(world: World) -> None:
    shop = world.register_client()
    form = par_form(shop)
    assert world.http.post(PAR, data=form).status_code == 201

    answer = world.http.post(PAR, data=form)

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_it_refuses_an_assertion_signed_by_another_key(world: World) -> None:
    shop = world.register_client()
    stranger = generate_jwk("P-256")
    assertion = issue_jwt(
        {"sub": shop.client_id, "jti": secrets.token_urlsafe(8)},
        stranger,
        issuer=shop.client_id,
        audience=ISSUER,
        ttl_seconds=60,
        clock=world.clock,
    )

    answer = world.http.post(PAR, data=par_form(shop, client_assertion=assertion))

    assert answer.json()["error"] == "invalid_client"


def test_it_refuses_an_assertion_for_another_audience(world: World) -> None:
    shop = world.register_client()
    assertion = shop.client_assertion(audience="https://other-provider.example")

    answer = world.http.post(PAR, data=par_form(shop, client_assertion=assertion))

    assert answer.json()["error"] == "invalid_client"


def test_it_refuses_an_unknown_client_and_client_secrets(world: World) -> None:
    shop = world.register_client()

    unknown = world.http.post(PAR, data=par_form(shop, client_id="nobody"))
    secret = world.http.post(PAR, data={**par_form(shop), "client_secret": "x"})

    assert unknown.status_code == 401
    assert unknown.json()["error"] == "invalid_client"
    assert secret.json()["error"] == "invalid_client"
