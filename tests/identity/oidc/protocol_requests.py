"""Protocol requests made by hand, for tests that send what a well-behaved library would not."""

from __future__ import annotations

from comptoir.kernel.oidc import (
    CLIENT_ASSERTION_TYPE,
    RelyingParty,
    TokenSet,
    callback_parameters,
    make_dpop_proof,
    new_code_verifier,
    s256_challenge,
)
from tests.identity.oidc.world import ISSUER, World

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
