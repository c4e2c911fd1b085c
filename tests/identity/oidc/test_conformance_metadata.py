"""The provider's metadata, checked the way an outside relying party reads it: every member
it advertises holds (OpenID Connect Discovery 1.0, RFC 8414), and what it does not do is not
left to a default that says it does."""

from __future__ import annotations

import base64
import json

import pytest

from comptoir.kernel.crypto import import_jwks, verify_jwt
from tests.identity.oidc.protocol_requests import PAR, TOKEN, dpop_for, par_form, token_form
from tests.identity.oidc.world import ISSUER, World

OPENID_CONFIGURATION = "/.well-known/openid-configuration"


def metadata(world: World) -> dict[str, object]:
    answer = world.http.get(OPENID_CONFIGURATION)
    assert answer.status_code == 200
    document = answer.json()
    assert isinstance(document, dict)
    return document


def test_the_rfc_8414_address_serves_the_same_metadata_as_the_openid_configuration(
    world: World,
) -> None:
    # RFC 8414 section 3: an issuer without a path publishes at
    # /.well-known/oauth-authorization-server; its "issuer" is the issuer identifier.
    answer = world.http.get("/.well-known/oauth-authorization-server")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == metadata(world)
    assert answer.json()["issuer"] == ISSUER


def test_the_metadata_does_not_leave_request_objects_to_a_default_that_offers_them(
    world: World,
) -> None:
    # Discovery 1.0 section 3: an absent request_uri_parameter_supported means true, and the
    # provider fetches no request object by reference; a request object by value is refused.
    document = metadata(world)

    assert document["request_parameter_supported"] is False
    assert document["request_uri_parameter_supported"] is False
    shop = world.register_client()
    answer = world.http.post(PAR, data=par_form(shop, request="e30.e30."))
    assert answer.json()["error"] == "request_not_supported"


@pytest.mark.parametrize(
    ("member", "method", "answers"),
    [
        ("jwks_uri", "GET", {200}),
        ("authorization_endpoint", "GET", {200, 400}),
        ("pushed_authorization_request_endpoint", "POST", {400, 401}),
        ("token_endpoint", "POST", {400, 401}),
        ("userinfo_endpoint", "GET", {401}),
        ("userinfo_endpoint", "POST", {401}),
        ("end_session_endpoint", "GET", {200}),
    ],
)
def test_every_advertised_endpoint_is_served_at_its_url(
    world: World, member: str, method: str, answers: set[int]
) -> None:
    url = metadata(world)[member]
    assert isinstance(url, str)
    assert url.startswith(ISSUER + "/")

    answer = world.http.request(method, url)

    assert answer.status_code in answers, (answer.status_code, answer.text[:300])


def test_the_id_token_is_signed_as_advertised_with_a_key_of_the_jwks(world: World) -> None:
    document = metadata(world)
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid")
    tokens = shop.finish(start, world.authorize(marie, start))

    segment = tokens.id_token.split(".")[0]
    header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    assert header["alg"] in document["id_token_signing_alg_values_supported"]  # type: ignore[operator]
    keys = import_jwks(world.http.get(str(document["jwks_uri"])).json())
    assert header["kid"] in {key.kid for key in keys}
    verified = verify_jwt(
        tokens.id_token,
        keys,
        algorithms=["ES256"],
        issuer=ISSUER,
        audience=shop.client_id,
        clock=world.clock,
    )
    assert verified.claims["sub"] == tokens.subject
    assert document["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert tokens.token_type == "DPoP"


def test_a_grant_type_that_is_not_advertised_is_refused_as_unsupported(world: World) -> None:
    document = metadata(world)
    assert document["grant_types_supported"] == ["authorization_code"]
    shop = world.register_client()
    form = token_form(shop, "a-code", "v" * 43)
    form["grant_type"] = "refresh_token"

    answer = world.http.post(TOKEN, data=form, headers={"DPoP": dpop_for(shop, "POST", TOKEN)})

    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("response_type", ["token", "code id_token", "id_token", "none"])
def test_a_response_type_that_is_not_advertised_is_refused_at_the_pushed_request(
    world: World, response_type: str
) -> None:
    # FAPI 2.0 Security Profile 5.3.2.2: only the code response type.
    assert metadata(world)["response_types_supported"] == ["code"]
    shop = world.register_client()

    answer = world.http.post(PAR, data=par_form(shop, response_type=response_type))

    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_response_type"
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("response_mode", ["fragment", "form_post", "jwt"])
def test_a_response_mode_that_is_not_advertised_is_refused_at_the_pushed_request(
    world: World, response_mode: str
) -> None:
    assert metadata(world)["response_modes_supported"] == ["query"]
    shop = world.register_client()

    answer = world.http.post(PAR, data=par_form(shop, response_mode=response_mode))

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
