"""Compact JWS (RFC 7515) and JWT (RFC 7519) for ES256 and EdDSA, with the policy kept here.

Every verification names the algorithms it accepts; `none`, and anything the caller did not
list, is refused before a key is even chosen (RFC 8725 section 3.1). Time claims are checked
against an injectable clock, and the `typ` header is checked so that a token minted for one
purpose (`dpop+jwt`, `kb+jwt`, ...) cannot be replayed as another (RFC 8725 section 3.11).

The compact serialisation itself is done here with `cryptography`, not through joserfc:
measured, joserfc's parsing, algorithm registry and key wrapping cost more than the signature
(`issue_jwt` ES256 132 µs and `verify_jwt` 286 µs, where the ES256 sign is 58 µs and the
verification 104 µs), and every sign-in does several of each. For two algorithms the format is
small (RFC 7515 section 7.1, RFC 7518 section 3.4, RFC 8037), so this module reads and writes it
and keeps joserfc's checks, and their wording, as they were: the size limits, the types of the
registered header members, a key's `key_ops`. joserfc still reads, writes and thumbprints keys
(`jwk`), and the tests check every token against it both ways.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from joserfc.errors import JoseError as _JoserfcError

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto.compact import (
    UnreadableJwsError,
    base64url_decode,
    base64url_encode,
    check_compact_sizes,
    check_registered_members,
    json_object,
    protected_header,
)
from comptoir.kernel.crypto.jwk import (
    SUPPORTED_ALGORITHMS,
    JoseError,
    Jwk,
    JwsAlgorithm,
    SigningKey,
    VerifyingKey,
)
from comptoir.kernel.crypto.signed_here import SignedHere

DEFAULT_JWT_TTL_SECONDS: Final = 300
# Phones and small servers drift; half a minute forgives that without stretching lifetimes.
DEFAULT_LEEWAY_SECONDS: Final = 30
_TIME_CLAIMS: Final = ("exp", "nbf", "iat")
_CLAIMS_SET_BY_ISSUER: Final = ("iat", "exp")
_ECDSA_SHA256: Final = ec.ECDSA(hashes.SHA256())
# RFC 7518 section 3.4: an ES256 signature is R and S, each a 32-byte big-endian integer.
_P256_SCALAR_BYTES: Final = 32
_SIGNATURE_BYTES: Final = 64  # ES256 R||S, and Ed25519 (RFC 8032 section 5.1.6)
# Built once: json.dumps with any non-default option builds an encoder for every call. The
# header as joserfc wrote it (ASCII JSON, no spaces), so the bytes signed do not change; the
# claims as UTF-8 JSON without spaces, NaN refused.
_HEADER_ENCODER: Final = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
_CLAIMS_ENCODER: Final = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


@dataclass(frozen=True)
class VerifiedJws:
    header: dict[str, object]
    payload: bytes
    key: Jwk


@dataclass(frozen=True)
class VerifiedJwt:
    header: dict[str, object]
    claims: dict[str, object]
    key: Jwk


def sign_jws(
    payload: bytes,
    key: Jwk,
    *,
    algorithm: JwsAlgorithm | None = None,
    typ: str | None = None,
    headers: Mapping[str, object] | None = None,
    include_kid: bool = True,
    signed_here: SignedHere | None = None,
) -> str:
    """A compact JWS of `payload`. `headers` adds protected header members (such as `jwk`
    for a DPoP proof); `alg`, `typ` and `kid` are set from the other arguments. `signed_here`
    remembers the token, for a later `verify_jws` given it."""
    chosen = _signing_algorithm(key, algorithm)
    protected: dict[str, Any] = dict(headers or {})
    for member in ("alg", "typ", "kid", "crit", "b64"):
        if member in protected:
            raise ValueError(f"the {member!r} header member is set by sign_jws, not by headers")
    protected["alg"] = chosen
    if typ is not None:
        protected["typ"] = typ
    if include_kid:
        protected["kid"] = key.kid
    try:
        check_registered_members(protected)
        signing = key.signing_key()
    except (UnreadableJwsError, _JoserfcError) as error:
        raise JoseError("key", f"cannot sign with this key ({error})") from None
    header = _HEADER_ENCODER.encode(protected).encode("ascii")
    signing_input = base64url_encode(header) + b"." + base64url_encode(payload)
    signature = _sign(signing, signing_input)
    token = (signing_input + b"." + base64url_encode(signature)).decode("ascii")
    if signed_here is not None:
        signed_here.remember(token, key)
    return token


def verify_jws(
    token: str,
    keys: Jwk | Iterable[Jwk],
    *,
    algorithms: Collection[JwsAlgorithm],
    typ: str | None = None,
    signed_here: SignedHere | None = None,
) -> VerifiedJws:
    """Verify a compact JWS with one of `keys` (chosen by `kid` when the header has one).
    A token `signed_here` remembers signing with a candidate key skips only the signature
    arithmetic (see `signed_here`)."""
    allowed = _allow_list(algorithms)
    header = protected_header(token)
    algorithm = header.get("alg")
    if not isinstance(algorithm, str):
        raise JoseError("malformed", "the header names no algorithm")
    if algorithm not in allowed:
        raise JoseError("algorithm", f"the algorithm {algorithm!r} is not allowed here")
    if "crit" in header or "b64" in header:
        # No extension is understood here, so RFC 7515 section 4.1.11 says reject.
        raise JoseError("malformed", "the header asks for extensions this verifier does not know")
    _check_type(header.get("typ"), typ)

    candidates = _candidate_keys(keys, header, algorithm)
    header_segment, payload_segment, signature_segment = token.split(".")
    try:
        check_compact_sizes(token, header_segment, payload_segment, signature_segment)
        payload = _payload(payload_segment)
        check_registered_members(header)
    except UnreadableJwsError as error:
        raise JoseError("malformed", f"the JWS cannot be read ({error})") from None
    signature = _signature(signature_segment)
    signing_input = token[: len(header_segment) + 1 + len(payload_segment)].encode("ascii")
    for candidate in candidates:
        # In joserfc's order: the signature's encoding, the ES256 length, then the key's
        # `key_ops`, then the signature itself.
        if signature is None or (algorithm == "ES256" and len(signature) != _SIGNATURE_BYTES):
            continue
        try:
            verifying = candidate.verifying_key()
        except _JoserfcError as error:
            raise JoseError("malformed", f"the JWS cannot be read ({error})") from None
        if (signed_here is not None and signed_here.vouches_for(token, candidate)) or _verify(
            verifying, signature, signing_input
        ):
            return VerifiedJws(header=header, payload=payload, key=candidate)
    raise JoseError("bad_signature", "the signature does not match the key")


def issue_jwt(
    claims: Mapping[str, object],
    key: Jwk,
    *,
    issuer: str | None = None,
    audience: str | list[str] | None = None,
    ttl_seconds: int | None = DEFAULT_JWT_TTL_SECONDS,
    typ: str | None = "JWT",
    algorithm: JwsAlgorithm | None = None,
    headers: Mapping[str, object] | None = None,
    include_kid: bool = True,
    clock: Clock = system_clock,
    signed_here: SignedHere | None = None,
) -> str:
    """A signed JWT with `iat` from the clock and, unless `ttl_seconds` is None, `exp`."""
    body: dict[str, object] = dict(claims)
    for claim in _CLAIMS_SET_BY_ISSUER:
        if claim in body:
            raise ValueError(f"the {claim!r} claim is set by issue_jwt from its clock")
    for claim, value in (("iss", issuer), ("aud", audience)):
        if value is not None:
            if claim in body:
                raise ValueError(f"the {claim!r} claim is given twice")
            body[claim] = value
    now = math.floor(clock.now().timestamp())
    body["iat"] = now
    if ttl_seconds is not None:
        if ttl_seconds <= 0:
            raise ValueError("a JWT needs a positive time to live")
        body["exp"] = now + ttl_seconds
    payload = _CLAIMS_ENCODER.encode(body)
    return sign_jws(
        payload.encode("utf-8"),
        key,
        algorithm=algorithm,
        typ=typ,
        headers=headers,
        include_kid=include_kid,
        signed_here=signed_here,
    )


def verify_jwt(
    token: str,
    keys: Jwk | Iterable[Jwk],
    *,
    algorithms: Collection[JwsAlgorithm],
    issuer: str | None,
    audience: str | None,
    typ: str | None = "JWT",
    require_expiry: bool = True,
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS,
    clock: Clock = system_clock,
    signed_here: SignedHere | None = None,
) -> VerifiedJwt:
    """Verify a JWT's signature, then its `exp`, `nbf`, `iat`, `iss` and `aud`.

    `issuer` and `audience` must be passed, even as None, so that skipping a check is a
    visible decision. A token that names an audience is refused when `audience` is None
    (RFC 7519 section 4.1.3). `typ="JWT"` also accepts a token without `typ`; any other
    expected type must be present and equal; `typ=None` skips the check.
    """
    verified = verify_jws(token, keys, algorithms=algorithms, typ=typ, signed_here=signed_here)
    claims = _claims(verified.payload)
    check_times(claims, clock=clock, leeway_seconds=leeway_seconds, require_expiry=require_expiry)
    if issuer is not None and claims.get("iss") != issuer:
        raise JoseError("issuer", "the token was issued by someone else")
    _check_audience(claims.get("aud"), audience)
    return VerifiedJwt(header=verified.header, claims=claims, key=verified.key)


def _signing_algorithm(key: Jwk, algorithm: JwsAlgorithm | None) -> JwsAlgorithm:
    if not key.is_private:
        raise ValueError("signing needs a private key")
    chosen: JwsAlgorithm = algorithm or key.default_algorithm
    if chosen not in SUPPORTED_ALGORITHMS or not key.allows(chosen):
        raise ValueError(f"a {key.curve} key cannot sign with {chosen!r}")
    return chosen


def _allow_list(algorithms: Collection[JwsAlgorithm]) -> frozenset[str]:
    allowed = frozenset(algorithms)
    if not allowed:
        raise ValueError("name at least one algorithm to accept")
    unsupported = allowed - SUPPORTED_ALGORITHMS
    if unsupported:
        raise ValueError(f"unsupported algorithms {sorted(unsupported)}; never 'none'")
    return allowed


def _sign(signing: SigningKey, signing_input: bytes) -> bytes:
    if isinstance(signing, Ed25519PrivateKey):
        return signing.sign(signing_input)
    r, s = decode_dss_signature(signing.sign(signing_input, _ECDSA_SHA256))
    return r.to_bytes(_P256_SCALAR_BYTES, "big") + s.to_bytes(_P256_SCALAR_BYTES, "big")


def _verify(verifying: VerifyingKey, signature: bytes, signing_input: bytes) -> bool:
    # A signature of another length is simply not a signature by this key.
    if len(signature) != _SIGNATURE_BYTES:
        return False
    try:
        if isinstance(verifying, Ed25519PublicKey):
            # RFC 8032 verification as OpenSSL does it: S must be below the group order, so
            # an Ed25519 signature has one encoding only.
            verifying.verify(signature, signing_input)
        else:
            # ECDSA is malleable: if (R, S) is valid, so is (R, n - S). Both are accepted, as
            # RFC 7518 section 3.4 asks for nothing more and as joserfc (and other JOSE
            # libraries) accept them; refusing high S would refuse signers that do not
            # normalise, such as WebCrypto in browsers, half the time. Nothing here names a
            # token by its signature bytes (replay is caught by `jti`, bindings hash what the
            # holder signed), so a second spelling of a valid token gives an attacker nothing.
            # R or S of zero or not below the group order is refused by OpenSSL.
            r = int.from_bytes(signature[:_P256_SCALAR_BYTES], "big")
            s = int.from_bytes(signature[_P256_SCALAR_BYTES:], "big")
            verifying.verify(encode_dss_signature(r, s), signing_input, _ECDSA_SHA256)
    except InvalidSignature:
        return False
    return True


def _payload(segment: str) -> bytes:
    try:
        return base64url_decode(segment)
    except JoseError:
        raise UnreadableJwsError("decode_error: Invalid payload") from None


def _signature(segment: str) -> bytes | None:
    # Strictly decoded like the other parts (a second spelling of one signature is refused),
    # but a signature part that is not one is a bad signature, not a malformed token.
    try:
        return base64url_decode(segment)
    except JoseError:
        return None


def _claims(payload: bytes) -> dict[str, object]:
    return json_object(payload, what="claims")


def _check_type(found: object, expected: str | None) -> None:
    if expected is None:
        return
    if found is None and _normalised_type(expected) == "jwt":
        return
    if not isinstance(found, str) or _normalised_type(found) != _normalised_type(expected):
        raise JoseError("type", f"the token type is {found!r}, not {expected!r}")


def _normalised_type(media_type: str) -> str:
    # RFC 7515 section 4.1.9: compare case-insensitively; "application/" may be left out.
    lowered = media_type.lower()
    return lowered.removeprefix("application/") if "/" in lowered else lowered


def _candidate_keys(
    keys: Jwk | Iterable[Jwk], header: Mapping[str, object], algorithm: str
) -> list[Jwk]:
    pool = [keys] if isinstance(keys, Jwk) else list(keys)
    kid = header.get("kid")
    if kid is not None:
        if not isinstance(kid, str):
            raise JoseError("malformed", "the kid header member must be a string")
        pool = [key for key in pool if key.kid == kid]
        if not pool:
            raise JoseError("key", f"no key has the kid {kid!r}")
    usable = [key for key in pool if key.allows(algorithm)]
    if not usable:
        raise JoseError("key", f"no key may verify {algorithm!r}")
    return usable


def check_times(
    claims: Mapping[str, object], *, clock: Clock, leeway_seconds: int, require_expiry: bool
) -> None:
    """Refuse claims whose `exp` has passed, or whose `nbf` or `iat` is still to come."""
    times: dict[str, float] = {}
    for claim in _TIME_CLAIMS:
        value = claims.get(claim)
        if value is None:
            continue
        # bool is an int in Python, but `true` is not a NumericDate.
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise JoseError("claim", f"the {claim!r} claim must be a NumericDate")
        times[claim] = value
    if require_expiry and "exp" not in times:
        raise JoseError("claim", "the token has no expiry (exp)")
    now = clock.now().timestamp()
    if "exp" in times and now >= times["exp"] + leeway_seconds:
        raise JoseError("expired", "the token has expired")
    if "nbf" in times and now + leeway_seconds < times["nbf"]:
        raise JoseError("not_yet_valid", "the token is not valid yet (nbf)")
    if "iat" in times and now + leeway_seconds < times["iat"]:
        raise JoseError("not_yet_valid", "the token was issued in the future (iat)")


def _check_audience(found: object, expected: str | None) -> None:
    if found is None:
        if expected is not None:
            raise JoseError("audience", "the token names no audience")
        return
    if expected is None:
        raise JoseError("audience", "the token is meant for an audience this caller did not name")
    audiences = found if isinstance(found, list) else [found]
    if not all(isinstance(item, str) for item in audiences):
        raise JoseError("claim", "the aud claim must be a string or an array of strings")
    if expected not in audiences:
        raise JoseError("audience", "the token is meant for another audience")
