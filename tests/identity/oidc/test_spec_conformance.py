"""What an outside conformance check of the provider found: each test names the rule of the
specification it holds the provider to (FAPI 2.0 Security Profile, RFC 6749, RFC 7521,
RFC 9449, OpenID Connect Core 1.0)."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

from comptoir.kernel.crypto import issue_jwt
from comptoir.kernel.oidc import OidcError, RelyingParty
from tests.identity.oidc.protocol_requests import (
    PAR,
    TOKEN,
    USERINFO,
    code_for,
    dpop_for,
    par_form,
    signed_in_tokens,
    token_form,
)
from tests.identity.oidc.world import CSRF_FIELD, ISSUER, World, claims_parameter, hidden

RESUME = "/identity/oidc/authorize/resume"


def answer_of(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def assertion_for(shop: RelyingParty, world: World, audience: object) -> str:
    """A client assertion signed with the client's own key, whose `aud` is `audience` as is
    (a string or an array)."""
    return issue_jwt(
        {"sub": shop.client_id, "jti": secrets.token_urlsafe(12), "aud": audience},
        shop.client_key,
        issuer=shop.client_id,
        ttl_seconds=60,
        clock=world.clock,
    )


# -- client authentication: FAPI 2.0 Security Profile 5.3.2.1, RFC 6749, RFC 7521 ----------


@pytest.mark.parametrize("audience", [PAR, TOKEN, [ISSUER], [ISSUER, "https://other.example"]])
def test_a_pushed_request_is_refused_when_the_assertion_audience_is_not_the_issuer_as_a_string(
    world: World, audience: object
) -> None:
    # FAPI 2.0 5.3.2.1: "shall only accept its issuer identifier value ... as a string in the
    # aud claim received in client authentication assertions".
    shop = world.register_client()

    answer = world.http.post(
        PAR, data=par_form(shop, client_assertion=assertion_for(shop, world, audience))
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_a_code_exchange_is_refused_when_the_assertion_audience_is_the_token_endpoint(
    world: World,
) -> None:
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)
    form = token_form(shop, code, verifier)
    form["client_assertion"] = assertion_for(shop, world, TOKEN)

    answer = world.http.post(TOKEN, data=form, headers={"DPoP": dpop_for(shop, "POST", TOKEN)})

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_the_token_endpoint_knows_the_client_by_its_assertion_when_client_id_is_left_out(
    world: World,
) -> None:
    # RFC 6749 4.1.3: client_id is required only of a client that does not authenticate;
    # RFC 7521 4.2: with an assertion it is optional.
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)
    form = token_form(shop, code, verifier)
    del form["client_id"]

    answer = world.http.post(TOKEN, data=form, headers={"DPoP": dpop_for(shop, "POST", TOKEN)})

    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "DPoP"


def test_an_assertion_nested_deeper_than_the_json_parser_goes_is_an_invalid_client(
    world: World,
) -> None:
    import base64

    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)
    form = token_form(shop, code, verifier)
    del form["client_id"]
    deep = base64.urlsafe_b64encode(b"[" * 3_000 + b"]" * 3_000).decode().rstrip("=")
    form["client_assertion"] = f"e30.{deep}.c2ln"

    answer = world.http.post(TOKEN, data=form, headers={"DPoP": dpop_for(shop, "POST", TOKEN)})

    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "invalid_client"


def test_a_client_id_left_out_does_not_let_an_assertion_of_another_client_in(
    world: World,
) -> None:
    shop = world.register_client()
    stranger = world.register_client(name="Stranger")
    code, verifier, _ = code_for(world, shop)
    form = token_form(shop, code, verifier)
    del form["client_id"]
    form["client_assertion"] = stranger.client_assertion()

    answer = world.http.post(TOKEN, data=form, headers={"DPoP": dpop_for(shop, "POST", TOKEN)})

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("endpoint", [PAR, TOKEN])
def test_a_client_that_authenticates_in_the_authorization_header_is_answered_with_a_challenge(
    world: World, endpoint: str
) -> None:
    # RFC 6749 5.2: invalid_client after an attempt with the Authorization header is a 401
    # with a WWW-Authenticate challenge of the scheme the client used.
    shop = world.register_client()
    form = {
        name: value
        for name, value in par_form(shop).items()
        if name not in ("client_assertion", "client_assertion_type")
    }

    answer = world.http.post(endpoint, data=form, auth=(shop.client_id, "a secret"))

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.headers["www-authenticate"].startswith("Basic ")


def test_an_invalid_client_without_the_authorization_header_has_no_challenge(
    world: World,
) -> None:
    shop = world.register_client()

    answer = world.http.post(PAR, data=par_form(shop, client_id="nobody"))

    assert answer.status_code == 401
    assert "www-authenticate" not in answer.headers


# -- DPoP: RFC 9449 section 4.3 -----------------------------------------------------------


def test_a_code_exchange_with_two_dpop_headers_is_refused(world: World) -> None:
    # RFC 9449 4.3, first check: "There is not more than one DPoP HTTP request header field."
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)

    answer = world.http.post(
        TOKEN,
        data=token_form(shop, code, verifier),
        headers=[
            ("DPoP", dpop_for(shop, "POST", TOKEN)),
            ("DPoP", dpop_for(shop, "POST", TOKEN)),
        ],
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_dpop_proof"


def test_a_pushed_request_with_two_dpop_headers_is_refused(world: World) -> None:
    shop = world.register_client()

    answer = world.http.post(
        PAR,
        data=par_form(shop),
        headers=[("DPoP", dpop_for(shop, "POST", PAR)), ("DPoP", dpop_for(shop, "POST", PAR))],
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_dpop_proof"


def test_userinfo_with_two_dpop_headers_is_refused_with_a_challenge(world: World) -> None:
    shop, tokens = signed_in_tokens(world)
    token = tokens.access_token

    answer = world.http.get(
        USERINFO,
        headers=[
            ("Authorization", f"DPoP {token}"),
            ("DPoP", dpop_for(shop, "GET", USERINFO, token)),
            ("DPoP", dpop_for(shop, "GET", USERINFO, token)),
        ],
    )

    assert answer.status_code == 401
    assert 'error="invalid_dpop_proof"' in answer.headers["www-authenticate"]


# -- the claims parameter: OpenID Connect Core 1.0 section 5.5.1 ---------------------------


def test_an_id_token_asked_for_another_subject_is_not_given_to_the_signed_in_person(
    world: World,
) -> None:
    # OIDC Core 5.5.1: with a sub value asked for the ID token, "the Authorization Server
    # MUST NOT reply with an ID Token or Access Token for a different user, even if they have
    # an active session".
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(
        scope="openid", claims=claims_parameter(id_token={"sub": {"value": "someone-else"}})
    )

    first = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert first.status_code == 303
    assert first.headers["location"].startswith("/identity/login")  # the asked person must log in
    world.sign_in(marie)  # but Marie logs in again
    resumed = marie.browser.get(RESUME, follow_redirects=False)
    assert resumed.status_code == 303
    answer = answer_of(resumed.headers["location"])
    assert answer["error"] == "access_denied"
    assert answer["iss"] == ISSUER
    assert "code" not in answer


def test_an_id_token_asked_for_another_subject_without_a_page_is_login_required(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(
        scope="openid",
        claims=claims_parameter(id_token={"sub": {"value": "someone-else"}}),
        extra={"prompt": "none"},
    )

    answer = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert answer_of(answer.headers["location"])["error"] == "login_required"


def test_an_id_token_asked_for_the_signed_in_persons_subject_is_issued(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    first = shop.begin(scope="openid")
    subject = shop.finish(first, world.authorize(marie, first)).subject
    start = shop.begin(
        scope="openid", claims=claims_parameter(id_token={"sub": {"value": subject}})
    )

    tokens = shop.finish(start, world.authorize(marie, start))

    assert tokens.subject == subject


def test_a_sub_value_that_is_not_a_subject_identifier_is_refused(world: World) -> None:
    shop = world.register_client()

    with pytest.raises(OidcError) as refused:
        shop.begin(scope="openid", claims=claims_parameter(id_token={"sub": {"value": 42}}))

    assert refused.value.error == "invalid_request"


def test_an_essential_acr_the_provider_cannot_meet_is_refused(world: World) -> None:
    # OIDC Core 5.5.1.1: an essential acr with values must be met; "if ... the requirement
    # cannot be met, then the Authorization Server MUST treat that outcome as a failed
    # authentication attempt". This provider has no acr values at all.
    shop = world.register_client()
    acr = {"acr": {"essential": True, "values": ["urn:example:loa:high"]}}

    with pytest.raises(OidcError) as refused:
        shop.begin(scope="openid", claims=claims_parameter(id_token=acr))

    assert refused.value.error == "invalid_request"


def test_a_voluntary_acr_is_simply_not_answered(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    acr = {"acr": {"values": ["urn:example:loa:high"]}}
    start = shop.begin(scope="openid", claims=claims_parameter(id_token=acr))

    tokens = shop.finish(start, world.authorize(marie, start))

    assert "acr" not in tokens.id_token_claims


# -- errors: RFC 6749 4.1.2.1, RFC 6750 3.1 -----------------------------------------------


def test_a_pushed_request_without_response_type_is_an_invalid_request(world: World) -> None:
    # RFC 6749 4.1.2.1: "invalid_request: The request is missing a required parameter";
    # unsupported_response_type is for a response type the server does not offer.
    shop = world.register_client()
    form = par_form(shop)
    del form["response_type"]

    answer = world.http.post(PAR, data=form)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize("missing", ["grant_type", "code", "redirect_uri", "code_verifier"])
def test_a_code_exchange_missing_a_required_parameter_is_an_invalid_request(
    world: World, missing: str
) -> None:
    # RFC 6749 5.2: "invalid_request: The request is missing a required parameter".
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)
    form = token_form(shop, code, verifier)
    del form[missing]

    answer = world.http.post(TOKEN, data=form, headers={"DPoP": dpop_for(shop, "POST", TOKEN)})

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    # The code was not spent: the well-formed exchange still works.
    retried = world.http.post(
        TOKEN,
        data=token_form(shop, code, verifier),
        headers={"DPoP": dpop_for(shop, "POST", TOKEN)},
    )
    assert retried.status_code == 200


@pytest.mark.parametrize("endpoint", [PAR, TOKEN])
def test_a_client_that_authenticates_two_ways_at_once_is_refused(
    world: World, endpoint: str
) -> None:
    # RFC 6749 2.3: "The client MUST NOT use more than one authentication method in each
    # request"; 5.2 lists that under invalid_request.
    shop = world.register_client()

    answer = world.http.post(endpoint, data=par_form(shop), auth=(shop.client_id, "a secret"))

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_a_pushed_request_beyond_the_size_limit_is_answered_413(world: World) -> None:
    # RFC 9126 2.3: "If the request size was beyond the upper bound that the authorization
    # server allows, the authorization server responds with an HTTP 413".
    shop = world.register_client()

    answer = world.http.post(PAR, data=par_form(shop, state="s" * 70_000))

    assert answer.status_code == 413
    assert answer.json()["error"] == "invalid_request"


def test_userinfo_without_any_authentication_is_challenged_without_an_error_code(
    world: World,
) -> None:
    # RFC 6750 3.1: "If the request lacks any authentication information ..., the resource
    # server SHOULD NOT include an error code"; RFC 9449 7.1 shows the bare DPoP challenge.
    answer = world.http.get(USERINFO)

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'DPoP algs="ES256"'


def test_userinfo_with_another_scheme_is_challenged_with_invalid_token(world: World) -> None:
    answer = world.http.get(USERINFO, headers={"Authorization": "Basic c2hvcDpzZWNyZXQ="})

    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


def test_a_pushed_request_object_is_answered_request_not_supported(world: World) -> None:
    # OIDC Core 6: "Should an OP not support this parameter and an RP uses it, the OP MUST
    # return the request_not_supported error."
    shop = world.register_client()

    answer = world.http.post(PAR, data=par_form(shop, request="eyJhbGciOiJFUzI1NiJ9.e30.c2ln"))

    assert answer.status_code == 400
    assert answer.json()["error"] == "request_not_supported"


# -- the authorization endpoint: OpenID Connect Core 1.0 section 3.1.2.1 -------------------


def test_the_authorization_endpoint_takes_a_post_from_the_relying_partys_page(
    world: World,
) -> None:
    # OIDC Core 3.1.2.1: "Authorization Servers MUST support the use of the HTTP GET and POST
    # methods ... at the Authorization Endpoint."
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    sent = answer_of(start.authorization_url)

    posted = marie.browser.post(
        "/identity/oidc/authorize",
        data=sent,
        headers={"Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )

    assert posted.status_code == 303
    location = posted.headers["location"]
    assert location.startswith("/identity/oidc/authorize?")
    assert answer_of(location) == sent
    consent = marie.browser.get(location, follow_redirects=False)
    tokens = shop.finish(start, world.decide(marie, consent.text))
    assert shop.userinfo(tokens)["name"] == "Marie Joseph"


# -- RP-initiated logout: OpenID Connect RP-Initiated Logout 1.0 section 2 -----------------


def test_a_relying_party_may_send_the_logout_request_by_post(world: World) -> None:
    # Section 2: "OPs MUST support the use of the HTTP GET and POST methods ... at the Logout
    # Endpoint"; the POST from the relying party's page carries no form token of ours.
    shop = world.register_client(post_logout_redirect_uris=["https://shop.example/bye"])
    marie = world.enrol()
    start = shop.begin()
    tokens = shop.finish(start, world.authorize(marie, start))
    request = {
        "id_token_hint": tokens.id_token,
        "post_logout_redirect_uri": "https://shop.example/bye",
        "state": "after-logout",
    }

    asked = marie.browser.post(
        "/identity/oidc/logout",
        data=request,
        headers={"Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )

    assert asked.status_code == 200, asked.text[:500]
    assert "Coconut Corner" in asked.text
    still_in = marie.browser.get(shop.begin().authorization_url, follow_redirects=False)
    assert not still_in.headers.get("location", "").startswith("/identity/login")
    done = marie.browser.post(
        "/identity/oidc/logout",
        data={**request, "csrf_token": hidden(asked.text, CSRF_FIELD)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "https://shop.example/bye?state=after-logout"
    signed_out = marie.browser.get(shop.begin().authorization_url, follow_redirects=False)
    assert signed_out.headers["location"].startswith("/identity/login")


def test_a_logout_answer_with_a_forged_form_token_is_refused(world: World) -> None:
    shop = world.register_client(post_logout_redirect_uris=["https://shop.example/bye"])
    marie = world.enrol()
    start = shop.begin()
    tokens = shop.finish(start, world.authorize(marie, start))

    answer = marie.browser.post(
        "/identity/oidc/logout",
        data={"id_token_hint": tokens.id_token, "csrf_token": "forged"},
        follow_redirects=False,
    )

    assert answer.status_code == 403
    still_in = marie.browser.get(shop.begin().authorization_url, follow_redirects=False)
    assert not still_in.headers.get("location", "").startswith("/identity/login")


def test_a_logout_post_with_an_unregistered_uri_is_not_redirected(world: World) -> None:
    shop = world.register_client(post_logout_redirect_uris=["https://shop.example/bye"])
    marie = world.enrol()
    start = shop.begin()
    tokens = shop.finish(start, world.authorize(marie, start))

    answer = marie.browser.post(
        "/identity/oidc/logout",
        data={"id_token_hint": tokens.id_token, "post_logout_redirect_uri": "https://evil.example"},
        follow_redirects=False,
    )

    assert answer.status_code == 400
    assert "location" not in answer.headers
