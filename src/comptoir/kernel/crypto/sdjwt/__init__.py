"""Selective Disclosure for JWTs (RFC 9901) and SD-JWT VCs (draft-ietf-oauth-sd-jwt-vc).

An issuer signs a JWT whose selectively disclosable claims are replaced by digests of salted
disclosures; the holder shows only the disclosures it chooses, and proves that it holds the key
named in `cnf.jwk` with a key-binding JWT (`kb+jwt`) over the presentation's hash, the
verifier's nonce and audience. This package is pure: no database, no network (the caller may
hand `verify_presentation` a function that fetches a URL).

The issuer hides top-level claims; the verifier understands the whole of RFC 9901 section 7
(nested `_sd` arrays and `...` array elements) so that it can read other issuers' credentials.
"""

from comptoir.kernel.crypto.sdjwt.core import (
    ALWAYS_VISIBLE_CLAIMS,
    DEFAULT_KEY_BINDING_AGE_SECONDS,
    KEY_BINDING_TYPE,
    SD_ALG,
    SD_JWT_VC_TYPE,
    Disclosure,
    IssuedSdJwt,
    SdJwtError,
    VerifiedSdJwt,
    digest_of,
    issue_sd_jwt,
    make_disclosure,
    parse_disclosure,
    present,
    split,
)
from comptoir.kernel.crypto.sdjwt.vc import (
    Fetch,
    http_fetch,
    jwt_vc_issuer_metadata_url,
    verify_presentation,
)
from comptoir.kernel.crypto.sdjwt.verification import verify_sd_jwt

__all__ = [
    "ALWAYS_VISIBLE_CLAIMS",
    "DEFAULT_KEY_BINDING_AGE_SECONDS",
    "KEY_BINDING_TYPE",
    "SD_ALG",
    "SD_JWT_VC_TYPE",
    "Disclosure",
    "Fetch",
    "IssuedSdJwt",
    "SdJwtError",
    "VerifiedSdJwt",
    "digest_of",
    "http_fetch",
    "issue_sd_jwt",
    "jwt_vc_issuer_metadata_url",
    "make_disclosure",
    "parse_disclosure",
    "present",
    "split",
    "verify_presentation",
    "verify_sd_jwt",
]
