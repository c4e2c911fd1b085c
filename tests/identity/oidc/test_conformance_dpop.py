"""DPoP as RFC 9449 has an authorization server and a resource use it, from outside: the code
bound by `dpop_jkt` alone at the pushed request (section 10), the proof's `htu` compared
without its query and fragment (section 4.3), and the resource's challenge (section 7.1)."""

from __future__ import annotations

import base64
import json
import secrets
from urllib.parse import urlencode

from comptoir.kernel.crypto import generate_jwk, issue_jwt
from comptoir.kernel.oidc import (
    AuthorizationStart,
    RelyingParty,
    access_token_hash,
    callback_parameters,
    new_code_verifier,
    s256_challenge,
)
from tests.identity.oidc.protocol_requests import (
    PAR,
    TOKEN,
    USERINFO,
    dpop_for,
    par_form,
    signed_in_tokens,
    token_form,
)
from tests.identity.oidc.world import ISSUER, World


def pushed_with_dpop_jkt(world: World, shop: RelyingParty, jkt: str) -> tuple[str, str]:
    """A pushed request bound by `dpop_jkt` only (no DPoP header), signed in and consented:
    (code, verifier)."""
    verifier = new_code_verifier()
    pushed = world.http.post(
        PAR, data=par_form(shop, dpop_jkt=jkt, code_challenge=s256_challenge(verifier))
    )
    assert pushed.status_code == 201, pushed.text
    query = urlencode({"client_id": shop.client_id, "request_uri": pushed.json()["request_uri"]})
    start = AuthorizationStart(
        authorization_url=f"{ISSUER}/identity/oidc/authorize?{query}",
        state="s",
        nonce="",
        code_verifier=verifier,
    )
    callback = world.authorize(world.enrol(), start)
    return callback_parameters(callback)["code"], verifier


def claims_of(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert isinstance(claims, dict)
    return claims


def test_a_code_bound_by_dpop_jkt_alone_gives_a_token_bound_to_that_key(world: World) -> None:
    shop = world.register_client()
    code, verifier = pushed_with_dpop_jkt(world, shop, shop.dpop_key.thumbprint())

    answer = world.http.post(
        TOKEN,
        data=token_form(shop, code, verifier),
        headers={"DPoP": dpop_for(shop, "POST", TOKEN)},
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "DPoP"
    assert claims_of(answer.json()["access_token"])["cnf"] == {"jkt": shop.dpop_key.thumbprint()}


def test_a_code_bound_by_dpop_jkt_alone_is_refused_to_another_key(world: World) -> None:
    shop = world.register_client()
    code, verifier = pushed_with_dpop_jkt(world, shop, generate_jwk("P-256").thumbprint())

    answer = world.http.post(
        TOKEN,
        data=token_form(shop, code, verifier),
        headers={"DPoP": dpop_for(shop, "POST", TOKEN)},
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_pushed_request_whose_dpop_jkt_is_not_its_proofs_key_is_refused(world: World) -> None:
    # RFC 9449 section 10.1: both sent, they must name the same key.
    shop = world.register_client()

    answer = world.http.post(
        PAR,
        data=par_form(shop, dpop_jkt=generate_jwk("P-256").thumbprint()),
        headers={"DPoP": dpop_for(shop, "POST", PAR)},
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert answer.headers["cache-control"] == "no-store"


def test_a_proof_whose_htu_has_a_query_and_fragment_is_taken_at_userinfo(world: World) -> None:
    shop, tokens = signed_in_tokens(world)
    # The client names the URL it called, query and fragment included: both are left out of
    # the comparison (RFC 9449 section 4.3, item 9).
    proof = issue_jwt(
        {
            "jti": secrets.token_urlsafe(16),
            "htm": "GET",
            "htu": f"{USERINFO}?lang=fr#top",
            "ath": access_token_hash(tokens.access_token),
        },
        shop.dpop_key,
        ttl_seconds=None,
        typ="dpop+jwt",
        algorithm="ES256",
        headers={"jwk": shop.dpop_key.public().to_dict()},
        include_kid=False,
        clock=world.clock,
    )

    answer = world.http.get(
        USERINFO + "?lang=fr",
        headers={"Authorization": f"DPoP {tokens.access_token}", "DPoP": proof},
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["sub"] == tokens.subject


def test_userinfo_without_a_proof_is_challenged_for_one(world: World) -> None:
    _shop, tokens = signed_in_tokens(world)

    answer = world.http.get(USERINFO, headers={"Authorization": f"DPoP {tokens.access_token}"})

    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith("DPoP ")
    assert 'algs="ES256"' in challenge
    assert "use_dpop_nonce" not in challenge
    assert "dpop-nonce" not in {name.lower() for name in answer.headers}
