"""Refusals at the token endpoint and userinfo: PKCE, codes, DPoP (RFC 9449), access tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from comptoir.kernel.crypto import generate_jwk, issue_jwt
from comptoir.kernel.oidc import (
    OidcError,
    callback_parameters,
    make_dpop_proof,
    new_code_verifier,
)
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
from tests.identity.oidc.world import World


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


def test_of_two_requests_racing_with_one_code_only_one_gets_tokens(world: World) -> None:
    from concurrent.futures import ThreadPoolExecutor

    shop = world.register_client()
    code, verifier, _nonce = code_for(world, shop)
    requests = [(token_form(shop, code, verifier), dpop_for(shop, "POST", TOKEN)) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda request: world.http.post(
                    TOKEN, data=request[0], headers={"DPoP": request[1]}
                ),
                requests,
            )
        )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 400, 400, 400]
    assert {answer.json().get("error") for answer in answers if answer.status_code == 400} == {
        "invalid_grant"
    }
