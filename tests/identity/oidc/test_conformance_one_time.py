"""One-time proofs stay spent when the request they came with is refused: a client assertion's
jti (RFC 7523 section 3, OpenID Connect Core 1.0 section 9), a DPoP proof's jti (RFC 9449
section 11.1), and an authorization code tried once (RFC 6749 section 4.1.2)."""

from __future__ import annotations

from tests.identity.oidc.protocol_requests import (
    PAR,
    TOKEN,
    code_for,
    dpop_for,
    par_form,
    token_form,
)
from tests.identity.oidc.world import World


def test_a_client_assertion_spent_on_a_refused_code_exchange_is_refused_the_second_time(
    world: World,
) -> None:
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)
    refused_form = token_form(shop, "not-a-code", verifier)
    refused = world.http.post(
        TOKEN, data=refused_form, headers={"DPoP": dpop_for(shop, "POST", TOKEN)}
    )
    assert refused.json()["error"] == "invalid_grant"

    form = token_form(shop, code, verifier)
    form["client_assertion"] = refused_form["client_assertion"]
    replayed = world.http.post(TOKEN, data=form, headers={"DPoP": dpop_for(shop, "POST", TOKEN)})

    assert replayed.status_code == 401
    assert replayed.json()["error"] == "invalid_client"


def test_a_dpop_proof_spent_on_a_refused_code_exchange_is_refused_the_second_time(
    world: World,
) -> None:
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)
    proof = dpop_for(shop, "POST", TOKEN)
    refused = world.http.post(
        TOKEN, data=token_form(shop, "not-a-code", verifier), headers={"DPoP": proof}
    )
    assert refused.json()["error"] == "invalid_grant"

    replayed = world.http.post(
        TOKEN, data=token_form(shop, code, verifier), headers={"DPoP": proof}
    )

    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_dpop_proof"


def test_a_code_tried_with_a_wrong_verifier_is_not_redeemed_afterwards(world: World) -> None:
    shop = world.register_client()
    code, verifier, _ = code_for(world, shop)
    wrong = world.http.post(
        TOKEN,
        data=token_form(shop, code, "w" * 43),
        headers={"DPoP": dpop_for(shop, "POST", TOKEN)},
    )
    assert wrong.json()["error"] == "invalid_grant"

    again = world.http.post(
        TOKEN,
        data=token_form(shop, code, verifier),
        headers={"DPoP": dpop_for(shop, "POST", TOKEN)},
    )

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_client_assertion_spent_on_a_refused_pushed_request_is_refused_the_second_time(
    world: World,
) -> None:
    shop = world.register_client()
    refused_form = par_form(shop, redirect_uri="https://elsewhere.example/callback")
    refused = world.http.post(PAR, data=refused_form)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_request"

    replayed = world.http.post(
        PAR, data=par_form(shop, client_assertion=refused_form["client_assertion"])
    )

    assert replayed.status_code == 401
    assert replayed.json()["error"] == "invalid_client"


def test_a_replayed_assertion_is_refused_first_whatever_else_is_wrong_with_the_request(
    world: World,
) -> None:
    shop = world.register_client()
    form = par_form(shop)
    assert world.http.post(PAR, data=form).status_code == 201

    again = world.http.post(PAR, data={**form, "code_challenge_method": "plain"})

    # The assertion was used before: that comes first, whatever else is wrong.
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_client"
