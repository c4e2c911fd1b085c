"""Scope values in an authorization request (OpenID Connect Core 1.0 section 3.1.2.1, RFC 6749
section 3.3): those the provider does not understand are ignored, and the token response says
which were granted."""

from __future__ import annotations

from tests.identity.oidc.protocol_requests import PAR, par_form
from tests.identity.oidc.world import World


def test_a_library_default_scope_with_email_signs_in_with_what_is_understood(
    world: World,
) -> None:
    shop = world.register_client(scopes="openid profile")
    marie = world.enrol()

    start = shop.begin(scope="openid profile email offline_access")
    tokens = shop.finish(start, world.authorize(marie, start))

    assert tokens.scope == "openid profile"
    claims = shop.userinfo(tokens)
    assert claims["name"] == "Marie Joseph"
    assert "email" not in claims


def test_a_request_without_openid_is_still_refused_among_unknown_scopes(world: World) -> None:
    shop = world.register_client()

    answer = world.http.post(PAR, data=par_form(shop, scope="email profile"))

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_scope"
