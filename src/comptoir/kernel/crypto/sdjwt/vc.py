"""SD-JWT VC (draft-ietf-oauth-sd-jwt-vc) verification for participant apps: a trusted issuer,
its keys from its JWT VC Issuer Metadata, the credential's type and its status list."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto.jwk import JoseError, Jwk, import_jwks
from comptoir.kernel.crypto.sdjwt.core import (
    SD_JWT_VC_TYPE,
    SdJwtError,
    VerifiedSdJwt,
    b64decode,
    split,
)
from comptoir.kernel.crypto.sdjwt.verification import verify_sd_jwt
from comptoir.kernel.crypto.status_list import StatusListError, check_status

Fetch = Callable[[str], bytes]
# SD-JWT VC section 3.2.2.2: claims that "MUST NOT be included in the Disclosures". A credential
# that hides one (its expiry, its status) is refused: the checks on them could be dodged.
NEVER_DISCLOSED = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})
# Metadata, key sets and status lists are small; a bound keeps a hostile server from flooding.
MAX_FETCHED_BYTES = 1024 * 1024
FETCH_TIMEOUT_SECONDS = 5.0
# The `typ` the draft used until November 2024; it recommends that verifiers accept it too
# for a transitional period (SD-JWT VC, "JOSE Header").
LEGACY_SD_JWT_VC_TYPE = "vc+sd-jwt"
MAX_REDIRECTS = 3
# Status list tokens as JWT first; issuer metadata and key sets are JSON.
FETCH_ACCEPT = "application/statuslist+jwt, application/json;q=0.9, */*;q=0.1"


def http_fetch(url: str) -> bytes:
    """A `Fetch` over HTTP(S) with httpx: a timeout, a size limit, and at most
    `MAX_REDIRECTS` redirects, none of them from HTTPS to plain HTTP. Any failure is an
    `OSError`, which verification reports as an unavailable key set or status list.

    Token Status List section 8: a verifier says it wants a status list token as JWT
    (`Accept`), and follows the redirects a status provider may answer with."""
    import httpx

    if not url.startswith(("https://", "http://")):
        raise OSError(f"{url!r} is not an HTTP address")
    try:
        with (
            httpx.Client(
                timeout=FETCH_TIMEOUT_SECONDS,
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                headers={"Accept": FETCH_ACCEPT},
            ) as client,
            client.stream("GET", url) as answer,
        ):
            hops = [*(earlier.url for earlier in answer.history), answer.url]
            if url.startswith("https://") and any(hop.scheme != "https" for hop in hops):
                raise OSError(f"{url} redirected to plain HTTP")
            if answer.status_code != 200:
                raise OSError(f"{url} answered HTTP {answer.status_code}")
            body = b""
            for chunk in answer.iter_bytes():
                body += chunk
                if len(body) > MAX_FETCHED_BYTES:
                    raise OSError(f"{url} sent more than {MAX_FETCHED_BYTES} bytes")
            return body
    except httpx.HTTPError as error:
        raise OSError(f"{url} cannot be reached ({error})") from None


def verify_presentation(
    presentation: str,
    *,
    trusted_issuers: Collection[str],
    audience: str | None,
    nonce: str | None,
    issuer_keys: Iterable[Jwk] | None = None,
    fetch: Fetch | None = None,
    require_key_binding: bool = True,
    check_status_list: bool = True,
    vct: str | None = None,
    clock: Clock = system_clock,
) -> VerifiedSdJwt:
    """Verify an SD-JWT VC presentation from one of `trusted_issuers`, end to end.

    The issuer's keys are `issuer_keys` or, without them, fetched from the issuer's JWT VC
    Issuer Metadata (`/.well-known/jwt-vc-issuer` + the issuer's path, then `jwks` or
    `jwks_uri`). With `check_status_list`, a credential that carries `status.status_list` is
    refused unless its status list token, fetched from its `uri` and signed by the same
    issuer, says it is valid. `fetch(url) -> bytes` does the fetching; it is the caller's
    (an HTTP client for a real network, an in-process one in tests).
    """
    jwt = split(presentation)[0]
    issuer = _unverified_issuer(jwt)
    if issuer not in trusted_issuers:
        raise SdJwtError("issuer_untrusted", "the credential comes from an issuer not trusted here")
    keys = tuple(issuer_keys) if issuer_keys is not None else _fetch_issuer_keys(issuer, fetch)
    verified = verify_sd_jwt(
        presentation,
        keys,
        issuer=issuer,
        audience=audience,
        nonce=nonce,
        require_key_binding=require_key_binding,
        typ=_credential_type(jwt),
        clock=clock,
    )
    signed = _payload(jwt)
    hidden = sorted(
        name
        for name in NEVER_DISCLOSED
        if name in verified.claims and isinstance(signed, dict) and name not in signed
    )
    if hidden:
        raise SdJwtError("malformed", f"an SD-JWT VC may not make {hidden} disclosable")
    if not isinstance(verified.claims.get("vct"), str):
        raise SdJwtError("type", "an SD-JWT VC must name its type (vct)")
    if vct is not None and verified.claims.get("vct") != vct:
        raise SdJwtError("type", "the credential is not of the expected type (vct)")
    status = verified.claims.get("status")
    if check_status_list and status is not None:
        if fetch is None:
            raise ValueError("checking the status list needs a fetch function")
        try:
            check_status(status, keys, fetch=fetch, clock=clock)
        except StatusListError as error:
            raise SdJwtError(error.reason, error.detail) from None
    return verified


def _payload(jwt: str) -> object:
    parts = jwt.split(".")
    if len(parts) != 3:
        raise SdJwtError("malformed", "the issuer-signed JWT is not a compact JWS")
    try:
        return json.loads(b64decode(parts[1], what="the issuer-signed JWT"))
    except (ValueError, RecursionError):
        # RecursionError: nested deeper than the JSON parser goes, which no credential needs.
        raise SdJwtError("malformed", "the issuer-signed JWT is not JSON") from None


def _credential_type(jwt: str) -> str:
    """The `typ` to hold the credential to: `dc+sd-jwt`, or the legacy `vc+sd-jwt` when its
    (signed, and checked by verification) header says so."""
    try:
        header = json.loads(b64decode(jwt.split(".", 1)[0], what="the issuer-signed JWT"))
    except (ValueError, RecursionError):
        return SD_JWT_VC_TYPE
    found = header.get("typ") if isinstance(header, dict) else None
    legacy = isinstance(found, str) and found.lower().removeprefix("application/") == (
        LEGACY_SD_JWT_VC_TYPE
    )
    return LEGACY_SD_JWT_VC_TYPE if legacy else SD_JWT_VC_TYPE


def _unverified_issuer(jwt: str) -> str:
    payload = _payload(jwt)
    issuer = payload.get("iss") if isinstance(payload, dict) else None
    if not isinstance(issuer, str):
        raise SdJwtError("malformed", "the credential names no issuer (iss)")
    return issuer


def jwt_vc_issuer_metadata_url(issuer: str) -> str:
    """Where SD-JWT VC puts an issuer's metadata: the well-known path before the issuer's."""
    scheme, _, rest = issuer.partition("://")
    host, _, path = rest.partition("/")
    suffix = f"/{path}".rstrip("/") if path else ""
    return f"{scheme}://{host}/.well-known/jwt-vc-issuer{suffix}"


def _fetch_issuer_keys(issuer: str, fetch: Fetch | None) -> tuple[Jwk, ...]:
    if fetch is None:
        raise ValueError("without issuer_keys, verification needs a fetch function")
    try:
        metadata = json.loads(fetch(jwt_vc_issuer_metadata_url(issuer)))
        if not isinstance(metadata, dict) or metadata.get("issuer") != issuer:
            raise SdJwtError("issuer_key", "the issuer's metadata names another issuer")
        jwks = metadata.get("jwks")
        if jwks is None:
            uri = metadata.get("jwks_uri")
            if not isinstance(uri, str):
                raise SdJwtError("issuer_key", "the issuer's metadata has no keys")
            jwks = json.loads(fetch(uri))
        return import_jwks(jwks)
    except JoseError as error:
        raise SdJwtError("issuer_key", error.detail) from None
    except (ValueError, OSError) as error:
        raise SdJwtError("issuer_key", f"the issuer's keys cannot be read ({error})") from None
