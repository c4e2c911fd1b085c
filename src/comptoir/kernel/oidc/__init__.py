"""A relying party's side of OpenID Connect under FAPI 2.0, for participant apps and tests.

Apps cannot import the identity block, and need not: everything crosses the protocol. This
package makes and checks what travels: PKCE (S256), DPoP proofs, `private_key_jwt` client
assertions, and the provider's ID tokens, userinfo answers and access tokens.

A shop signs a customer in like this (its key's public part registered by the operator with
`comptoir identity client add ... --jwks FILE`):

    shop = RelyingParty(issuer=NODE_URL, client_id=CLIENT_ID, redirect_uri=CALLBACK,
                        client_key=import_jwk(PRIVATE_JWK), http=BackChannelClient())
    start = shop.begin(scope="openid profile phone")   # PAR; keep `start` in the session
    ... redirect the browser to start.authorization_url; it comes back to CALLBACK ...
    tokens = shop.finish(start, callback_url)          # iss, state, code exchange, ID token
    claims = shop.userinfo(tokens)                     # DPoP-bound, signed, checked
"""

from comptoir.kernel.oidc.back_channel import BackChannelClient
from comptoir.kernel.oidc.client import CLIENT_ASSERTION_TYPE, RelyingParty
from comptoir.kernel.oidc.dpop import (
    DPOP_ALGORITHM,
    DPOP_TYPE,
    DpopError,
    DpopProof,
    access_token_hash,
    make_dpop_proof,
    normalised_htu,
    verify_dpop_proof,
)
from comptoir.kernel.oidc.exchanges import (
    AuthorizationStart,
    OidcError,
    ProviderMetadata,
    TokenSet,
    callback_parameters,
)
from comptoir.kernel.oidc.pkce import (
    S256,
    is_well_formed_verifier,
    new_code_verifier,
    s256_challenge,
    verifier_matches,
)
from comptoir.kernel.oidc.tokens import (
    ACCESS_TOKEN_TYPE,
    TokenError,
    verify_access_token,
    verify_id_token,
    verify_userinfo,
)

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "CLIENT_ASSERTION_TYPE",
    "DPOP_ALGORITHM",
    "DPOP_TYPE",
    "S256",
    "AuthorizationStart",
    "BackChannelClient",
    "DpopError",
    "DpopProof",
    "OidcError",
    "ProviderMetadata",
    "RelyingParty",
    "TokenError",
    "TokenSet",
    "access_token_hash",
    "callback_parameters",
    "is_well_formed_verifier",
    "make_dpop_proof",
    "new_code_verifier",
    "normalised_htu",
    "s256_challenge",
    "verifier_matches",
    "verify_access_token",
    "verify_dpop_proof",
    "verify_id_token",
    "verify_userinfo",
]
