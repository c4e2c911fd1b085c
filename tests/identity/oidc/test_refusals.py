"""Every refusal of the provider, as RFC 6749, RFC 9126, RFC 9449 and OIDC define it."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from comptoir.kernel.crypto import generate_jwk, issue_jwt
from comptoir.kernel.oidc import (
    CLIENT_ASSERTION_TYPE,
    OidcError,
    RelyingParty,
    TokenSet,
    callback_parameters,
    make_dpop_proof,
    new_code_verifier,
    s256_challenge,
)
from tests.identity.oidc.world import ISSUER, World, claims_parameter

PAR = f"{ISSUER}/identity/oidc/par"
TOKEN = f"{ISSUER}/identity/oidc/token"
USERINFO = f"{ISSUER}/identity/oidc/userinfo"


def par_form(shop: RelyingParty, **changes: str) -> dict[str, str]:
    verifier = new_code_verifier()
    form = {
        "response_type": "code",
        "client_id": shop.client_id,
        "redirect_uri": shop.redirect_uri,
        "scope": "openid",
        "state": "s",
        "code_challenge": s256_challenge(verifier),
        "code_challenge_method": "S256",
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": shop.client_assertion(),
    }
    form.update(changes)
    return form


def code_for(world: World, shop: RelyingParty) -> tuple[str, str, str]:
    """A fresh code for a signed-in person: (code, verifier, nonce)."""
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    code = callback_parameters(world.authorize(marie, start))["code"]
    return code, start.code_verifier, start.nonce


def token_form(shop: RelyingParty, code: str, verifier: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": shop.redirect_uri,
        "code_verifier": verifier,
        "client_id": shop.client_id,
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": shop.client_assertion(),
    }


def dpop_for(shop: RelyingParty, method: str, url: str, token: str | None = None) -> str:
    return make_dpop_proof(
        shop.dpop_key, method=method, url=url, access_token=token, clock=shop.clock
    )


def signed_in_tokens(world: World) -> tuple[RelyingParty, TokenSet]:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    return shop, shop.finish(start, world.authorize(marie, start))


# -- PAR and the authorization endpoint --------------------------------------------------------


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


# -- client authentication --------------------------------------------------------------------


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


def test_it_accepts_an_assertion_for_the_endpoint_url(world: World) -> None:
    shop = world.register_client()
    assertion = shop.client_assertion(audience=PAR)

    answer = world.http.post(PAR, data=par_form(shop, client_assertion=assertion))

    assert answer.status_code == 201


def test_it_refuses_an_unknown_client_and_client_secrets(world: World) -> None:
    shop = world.register_client()

    unknown = world.http.post(PAR, data=par_form(shop, client_id="nobody"))
    secret = world.http.post(PAR, data={**par_form(shop), "client_secret": "x"})

    assert unknown.status_code == 401
    assert unknown.json()["error"] == "invalid_client"
    assert secret.json()["error"] == "invalid_client"


# -- the token endpoint -------------------------------------------------------------------------


def test_it_refuses_a_wrong_pkce_verifier(world: World) -> None:
    shop = world.register_client()
    code, _verifier, _nonce = code_for(world, shop)

    answer = world.http.post(
        TOKEN,
        data=token_form(shop, code, new_code_verifier()),
        headers={"DPoP": dpop_for(shop, "POST", TOKEN)},
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert "code_verifier" in answer.json()["error_description"]


def test_it_refuses_a_replayed_code_and_revokes_the_tokens_issued_from_it(world: World) -> None:
    shop = world.register_client()
    code, verifier, nonce = code_for(world, shop)
    tokens = shop.exchange_code(code, code_verifier=verifier, nonce=nonce)
    assert shop.userinfo(tokens)["name"] == "Marie Joseph"

    with pytest.raises(OidcError) as replayed:
        shop.exchange_code(code, code_verifier=verifier, nonce=nonce)

    assert replayed.value.error == "invalid_grant"
    with pytest.raises(OidcError) as revoked:
        shop.userinfo(tokens)
    assert revoked.value.error == "invalid_token"
    assert revoked.value.status == 401


def test_a_code_lives_one_minute(world: World) -> None:
    shop = world.register_client()
    code, verifier, nonce = code_for(world, shop)
    world.clock.advance(timedelta(seconds=61))

    with pytest.raises(OidcError) as expired:
        shop.exchange_code(code, code_verifier=verifier, nonce=nonce)

    assert expired.value.error == "invalid_grant"


def test_a_code_serves_only_the_client_it_was_issued_to(world: World) -> None:
    shop = world.register_client()
    other = world.register_client(name="Other shop")
    code, verifier, nonce = code_for(world, shop)

    with pytest.raises(OidcError) as refused:
        other.exchange_code(code, code_verifier=verifier, nonce=nonce)

    assert refused.value.error == "invalid_grant"


def test_it_refuses_a_token_request_without_dpop(world: World) -> None:
    shop = world.register_client()
    code, verifier, _nonce = code_for(world, shop)

    answer = world.http.post(TOKEN, data=token_form(shop, code, verifier))

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_dpop_proof"


def test_it_refuses_a_replayed_dpop_proof(world: World) -> None:
    shop = world.register_client()
    first_code, first_verifier, _ = code_for(world, shop)
    second_code, second_verifier, _ = code_for(world, shop)
    proof = dpop_for(shop, "POST", TOKEN)
    first = world.http.post(
        TOKEN, data=token_form(shop, first_code, first_verifier), headers={"DPoP": proof}
    )
    assert first.status_code == 200, first.text

    answer = world.http.post(
        TOKEN, data=token_form(shop, second_code, second_verifier), headers={"DPoP": proof}
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_dpop_proof"
    assert "used before" in answer.json()["error_description"]


@pytest.mark.parametrize(
    ("method", "url", "reason"),
    [
        ("GET", TOKEN, "method"),
        ("POST", USERINFO, "URL"),
    ],
)
def test_it_refuses_a_dpop_proof_for_another_request(
    world: World, method: str, url: str, reason: str
) -> None:
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)

    answer = world.http.post(
        TOKEN, data=token_form(shop, code, verifier), headers={"DPoP": dpop_for(shop, method, url)}
    )

    assert answer.json()["error"] == "invalid_dpop_proof"
    assert reason in answer.json()["error_description"]


def test_it_refuses_an_old_dpop_proof(world: World) -> None:
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)
    proof = dpop_for(shop, "POST", TOKEN)
    world.clock.advance(timedelta(seconds=50))
    fresh = token_form(shop, code, verifier)  # a fresh assertion, an old proof
    world.clock.advance(timedelta(seconds=11))

    answer = world.http.post(TOKEN, data=fresh, headers={"DPoP": proof})

    assert answer.json()["error"] == "invalid_dpop_proof"


def test_it_refuses_a_dpop_proof_signed_with_a_symmetric_or_other_algorithm(world: World) -> None:
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)
    ed_key = generate_jwk("Ed25519")
    proof = issue_jwt(
        {"jti": secrets.token_urlsafe(12), "htm": "POST", "htu": TOKEN},
        ed_key,
        ttl_seconds=None,
        typ="dpop+jwt",
        headers={"jwk": ed_key.public().to_dict()},
        include_kid=False,
        clock=world.clock,
    )

    answer = world.http.post(TOKEN, data=token_form(shop, code, verifier), headers={"DPoP": proof})

    assert answer.json()["error"] == "invalid_dpop_proof"
    assert "ES256" in answer.json()["error_description"]


# -- userinfo --------------------------------------------------------------------------------


def test_userinfo_refuses_a_bearer_token(world: World) -> None:
    _shop, tokens = signed_in_tokens(world)

    answer = world.http.get(USERINFO, headers={"Authorization": f"Bearer {tokens.access_token}"})

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith('DPoP error="invalid_token"')


def test_userinfo_refuses_a_proof_made_with_another_key(world: World) -> None:
    _shop, tokens = signed_in_tokens(world)
    thief = generate_jwk("P-256")
    proof = make_dpop_proof(
        thief, method="GET", url=USERINFO, access_token=tokens.access_token, clock=world.clock
    )

    answer = world.http.get(
        USERINFO, headers={"Authorization": f"DPoP {tokens.access_token}", "DPoP": proof}
    )

    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


def test_userinfo_refuses_a_proof_without_the_token_hash(world: World) -> None:
    shop, tokens = signed_in_tokens(world)

    answer = world.http.get(
        USERINFO,
        headers={
            "Authorization": f"DPoP {tokens.access_token}",
            "DPoP": dpop_for(shop, "GET", USERINFO),
        },
    )

    assert answer.status_code == 401
    assert 'error="invalid_dpop_proof"' in answer.headers["www-authenticate"]


def test_userinfo_refuses_an_expired_access_token(world: World) -> None:
    shop, tokens = signed_in_tokens(world)
    world.clock.advance(timedelta(minutes=10, seconds=1))

    with pytest.raises(OidcError) as expired:
        shop.userinfo(tokens)

    assert expired.value.error == "invalid_token"


def test_userinfo_refuses_a_replayed_proof(world: World) -> None:
    shop, tokens = signed_in_tokens(world)
    headers = {
        "Authorization": f"DPoP {tokens.access_token}",
        "DPoP": dpop_for(shop, "GET", USERINFO, tokens.access_token),
    }
    assert world.http.get(USERINFO, headers=headers).status_code == 200

    answer = world.http.get(USERINFO, headers=headers)

    assert answer.status_code == 401
    assert 'error="invalid_dpop_proof"' in answer.headers["www-authenticate"]


# -- consent -----------------------------------------------------------------------------------


def test_a_revoked_consent_stops_userinfo_at_once_and_the_next_authorization_asks_again(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    tokens = shop.finish(start, world.authorize(marie, start))
    page = marie.browser.get("/identity/me/consents").text
    assert "Coconut Corner" in page

    revoked = marie.browser.post(
        f"/identity/me/consents/{shop.client_id}/revoke",
        data={"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0]},
        follow_redirects=False,
    )

    assert revoked.status_code == 303
    with pytest.raises(OidcError) as refused:
        shop.userinfo(tokens)
    assert refused.value.error == "invalid_token"
    assert refused.value.status == 401
    again = shop.begin(scope="openid profile")
    assert "request_id" in world.consent_page(marie, again)


def test_a_code_issued_before_a_revocation_gives_no_tokens(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    code = callback_parameters(world.authorize(marie, start))["code"]
    page = marie.browser.get("/identity/me/consents").text
    marie.browser.post(
        f"/identity/me/consents/{shop.client_id}/revoke",
        data={"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0]},
    )

    with pytest.raises(OidcError) as refused:
        shop.exchange_code(code, code_verifier=start.code_verifier, nonce=start.nonce)

    assert refused.value.error == "invalid_grant"


def test_a_consent_form_sent_twice_gives_one_code(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    page = world.consent_page(marie, start)
    first = world.decide(marie, page)

    again = marie.browser.post(
        "/identity/oidc/consent",
        data={
            "csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0],
            "request_id": page.split('name="request_id" value="')[1].split('"')[0],
            "decision": "allow",
        },
        follow_redirects=False,
    )

    assert "code" in callback_parameters(first)
    assert again.status_code == 400


def test_expired_one_time_records_are_forgotten_a_day_later(world: World) -> None:
    from sqlalchemy import func, select

    from comptoir.identity.oidc.models import AccessToken, PushedRequest, SeenIdentifier
    from comptoir.identity.oidc.service.replay import forget_expired

    signed_in_tokens(world)
    world.clock.advance(timedelta(days=1, minutes=11))
    with world.database.transaction() as session:
        forget_expired(session, now=world.clock.now())
    with world.database.reading() as session:
        left = [
            session.scalar(select(func.count()).select_from(table))
            for table in (SeenIdentifier, AccessToken, PushedRequest)
        ]

    assert left == [0, 0, 0]


def test_a_request_bound_at_par_needs_the_same_dpop_key_at_the_token_endpoint(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin()  # the library sends a DPoP proof with its PAR: the code is bound
    code = callback_parameters(world.authorize(marie, start))["code"]
    other_key = generate_jwk("P-256")
    proof = make_dpop_proof(other_key, method="POST", url=TOKEN, clock=world.clock)

    answer = world.http.post(
        TOKEN, data=token_form(shop, code, start.code_verifier), headers={"DPoP": proof}
    )

    assert answer.json()["error"] == "invalid_grant"
    assert "DPoP key" in answer.json()["error_description"]


def test_a_dpop_proof_sent_with_a_pushed_request_serves_once(world: World) -> None:
    shop = world.register_client()
    proof = dpop_for(shop, "POST", PAR)
    assert world.http.post(PAR, data=par_form(shop), headers={"DPoP": proof}).status_code == 201

    answer = world.http.post(PAR, data=par_form(shop), headers={"DPoP": proof})

    assert answer.json()["error"] == "invalid_dpop_proof"
