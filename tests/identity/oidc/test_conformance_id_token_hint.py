"""The `id_token_hint` of an authorization request (OpenID Connect Core 1.0 section 3.1.2.1):
"If the End-User identified by the ID Token is logged in or is logged in by the request, then
the Authorization Server returns a positive response; otherwise, it SHOULD return an error,
such as login_required"; an ID token this provider did not issue to the client is refused."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from comptoir.kernel.crypto import generate_jwk, issue_jwt
from comptoir.kernel.oidc import OidcError, RelyingParty
from tests.identity.oidc.protocol_requests import PAR, par_form
from tests.identity.oidc.world import ISSUER, World, claims_parameter

RESUME = "/identity/oidc/authorize/resume"


def answer_of(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def id_token_of(world: World, shop: RelyingParty, person_phone: str | None = None) -> str:
    person = world.enrol(person_phone) if person_phone else world.enrol()
    start = shop.begin(scope="openid")
    return shop.finish(start, world.authorize(person, start)).id_token


def test_the_hinted_person_signed_in_gets_a_code_even_without_a_page(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    first = shop.begin(scope="openid")
    earlier = shop.finish(first, world.authorize(marie, first))
    # Months later, the hint long expired, it still names her; she signed in again since.
    world.clock.advance(timedelta(days=300))
    world.sign_in(marie)
    start = shop.begin(scope="openid", extra={"id_token_hint": earlier.id_token, "prompt": "none"})

    answer = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert answer.status_code == 303
    assert "code" in answer_of(answer.headers["location"])
    tokens = shop.finish(start, answer.headers["location"])
    assert tokens.subject == earlier.subject


def test_someone_else_signed_in_is_login_required_without_a_page(world: World) -> None:
    shop = world.register_client()
    hint = id_token_of(world, shop)
    jean = world.enrol(name="Jean Baptiste")
    start = shop.begin(scope="openid", extra={"id_token_hint": hint, "prompt": "none"})

    answer = jean.browser.get(start.authorization_url, follow_redirects=False)

    found = answer_of(answer.headers["location"])
    assert found["error"] == "login_required"
    assert found["iss"] == ISSUER
    assert "code" not in found


def test_someone_else_signed_in_is_sent_to_log_in_and_gets_no_code_as_themselves(
    world: World,
) -> None:
    shop = world.register_client()
    hint = id_token_of(world, shop)
    jean = world.enrol(name="Jean Baptiste")
    start = shop.begin(scope="openid", extra={"id_token_hint": hint})

    first = jean.browser.get(start.authorization_url, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"].startswith("/identity/login")
    world.sign_in(jean)  # Jean logs in again, still not the hinted person
    resumed = jean.browser.get(RESUME, follow_redirects=False)

    found = answer_of(resumed.headers["location"])
    assert found["error"] == "access_denied"
    assert "code" not in found


@pytest.mark.parametrize("forged_by", ["another client", "another issuer", "not a jwt"])
def test_a_hint_this_provider_did_not_issue_to_the_client_is_refused(
    world: World, forged_by: str
) -> None:
    shop = world.register_client()
    other = world.register_client(name="Other Shop")
    if forged_by == "another client":
        hint = id_token_of(world, other)
    elif forged_by == "another issuer":
        hint = issue_jwt(
            {"sub": "someone"},
            generate_jwk("P-256"),
            issuer=ISSUER,
            audience=shop.client_id,
            clock=world.clock,
        )
    else:
        hint = "not.a.jwt"

    with pytest.raises(OidcError) as refused:
        shop.begin(scope="openid", extra={"id_token_hint": hint})

    assert refused.value.error == "invalid_request"
    assert refused.value.status == 400


def test_a_hint_and_a_claims_sub_naming_two_people_are_refused(world: World) -> None:
    shop = world.register_client()
    hint = id_token_of(world, shop)

    with pytest.raises(OidcError) as refused:
        shop.begin(
            scope="openid",
            claims=claims_parameter(id_token={"sub": {"value": "someone-else"}}),
            extra={"id_token_hint": hint},
        )

    assert refused.value.error == "invalid_request"


def test_a_hint_nested_deeper_than_the_json_parser_goes_is_an_invalid_request(
    world: World,
) -> None:
    shop = world.register_client()
    deep = base64.urlsafe_b64encode(b"[" * 1400 + b"]" * 1400).rstrip(b"=").decode()

    for hint in (f"{deep}.e30.c2ln", f"eyJhbGciOiJFUzI1NiJ9.{deep}.c2ln"):
        answer = world.http.post(PAR, data=par_form(shop, id_token_hint=hint))

        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_request"
