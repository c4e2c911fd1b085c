"""Verifying an SD-JWT presentation (RFC 9901 section 7): the issuer's signature, every
disclosure (nested and array ones too), and the holder's key-binding JWT."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto.jose import DEFAULT_LEEWAY_SECONDS, check_times, verify_jwt
from comptoir.kernel.crypto.jwk import JoseError, Jwk, import_jwk
from comptoir.kernel.crypto.sdjwt.core import (
    DEFAULT_KEY_BINDING_AGE_SECONDS,
    KEY_BINDING_TYPE,
    SD_ALG,
    SD_JWT_VC_TYPE,
    Disclosure,
    SdJwtError,
    VerifiedSdJwt,
    b64decode,
    digest_of,
    parse_disclosure,
    split,
)


def verify_sd_jwt(
    presentation: str,
    issuer_keys: Jwk | Iterable[Jwk],
    *,
    issuer: str | None,
    audience: str | None,
    nonce: str | None,
    require_key_binding: bool = True,
    typ: str = SD_JWT_VC_TYPE,
    key_binding_age_seconds: int = DEFAULT_KEY_BINDING_AGE_SECONDS,
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS,
    clock: Clock = system_clock,
) -> VerifiedSdJwt:
    """Verify RFC 9901 section 7: the issuer's signature, every disclosure, and key binding.

    With `require_key_binding` a presentation without a KB-JWT, or one whose KB-JWT is not
    signed by `cnf.jwk`, is not for `audience` and `nonce`, does not hash this very
    presentation, or is older than `key_binding_age_seconds`, is refused.
    """
    jwt, encoded, kb_jwt = split(presentation)
    _check_canonical_jws(jwt, what="the issuer-signed JWT")
    try:
        verified = verify_jwt(
            jwt,
            issuer_keys,
            algorithms=("ES256", "EdDSA", "Ed25519"),
            issuer=issuer,
            audience=None,
            typ=typ,
            require_expiry=False,
            leeway_seconds=leeway_seconds,
            clock=clock,
        )
    except JoseError as error:
        raise SdJwtError(f"issuer_{error.reason}", error.detail) from None
    payload = verified.claims
    sd_alg = payload.pop("_sd_alg", SD_ALG)
    if sd_alg != SD_ALG:
        raise SdJwtError("malformed", f"the digest algorithm {sd_alg!r} is not supported")
    disclosures = [parse_disclosure(item) for item in encoded]
    try:
        claims, disclosed = _reveal(payload, disclosures)
    except RecursionError:
        raise SdJwtError("malformed", "the disclosed claims are nested too deeply") from None
    try:
        # RFC 9901 section 7.1 step 5: validity is judged on the processed payload, so that a
        # disclosed `exp` or `nbf` counts as much as a visible one.
        check_times(claims, clock=clock, leeway_seconds=leeway_seconds, require_expiry=False)
    except JoseError as error:
        raise SdJwtError(f"issuer_{error.reason}", error.detail) from None
    key_binding: dict[str, object] = {}
    if kb_jwt is not None:
        key_binding = _verify_key_binding(
            kb_jwt,
            presentation[: len(presentation) - len(kb_jwt)],
            claims,
            audience=audience,
            nonce=nonce,
            key_binding_age_seconds=key_binding_age_seconds,
            leeway_seconds=leeway_seconds,
            clock=clock,
        )
    elif require_key_binding:
        raise SdJwtError("key_binding", "the presentation carries no key-binding JWT")
    return VerifiedSdJwt(
        claims=claims,
        header=verified.header,
        disclosed=frozenset(disclosed),
        key_bound=kb_jwt is not None,
        issuer_key=verified.key,
        key_binding=key_binding,
    )


def _check_canonical_jws(token: str, *, what: str) -> None:
    parts = token.split(".")
    if len(parts) != 3:
        raise SdJwtError("malformed", f"{what} is not a compact JWS")
    for part in parts:
        b64decode(part, what=what)


def _reveal(
    payload: dict[str, object], disclosures: list[Disclosure]
) -> tuple[dict[str, object], list[str]]:
    by_digest: dict[str, Disclosure] = {}
    for item in disclosures:
        if item.digest in by_digest:
            raise SdJwtError("disclosure", "a disclosure is given twice")
        by_digest[item.digest] = item
    revealer = _Revealer(by_digest)
    revealed = revealer.object(payload)
    if set(by_digest) - revealer.seen:
        raise SdJwtError("disclosure", "a disclosure does not belong to this SD-JWT")
    return revealed, revealer.disclosed


class _Revealer:
    """Replaces digests by the values of their disclosures, depth first (RFC 9901 7.1)."""

    def __init__(self, by_digest: Mapping[str, Disclosure]) -> None:
        self.by_digest = by_digest
        self.seen: set[str] = set()
        self.disclosed: list[str] = []

    def claim(self, digest: object) -> Disclosure | None:
        if not isinstance(digest, str):
            raise SdJwtError("malformed", "a digest must be a string")
        if digest in self.seen:
            raise SdJwtError("disclosure", "a digest appears more than once")
        self.seen.add(digest)
        return self.by_digest.get(digest)

    def value(self, value: object) -> object:
        if isinstance(value, list):
            return self.array(value)
        if isinstance(value, dict):
            return self.object(value)
        return value

    def array(self, value: list[object]) -> list[object]:
        items: list[object] = []
        for element in value:
            if not (isinstance(element, dict) and "..." in element):
                items.append(self.value(element))
                continue
            if len(element) != 1:
                raise SdJwtError("malformed", "an array digest stands alone")
            found = self.claim(element["..."])
            if found is None:
                continue  # a decoy, or an element the holder kept back
            if found.name is not None:
                raise SdJwtError("disclosure", "a claim disclosure sits in an array")
            items.append(self.value(found.value))
        return items

    def object(self, value: Mapping[str, object]) -> dict[str, object]:
        digests = value.get("_sd", [])
        if not isinstance(digests, list):
            raise SdJwtError("malformed", "`_sd` must be an array of digests")
        result = {name: self.value(member) for name, member in value.items() if name != "_sd"}
        for digest in digests:
            found = self.claim(digest)
            if found is None:
                continue
            if found.name is None:
                raise SdJwtError("disclosure", "an array-element disclosure sits in `_sd`")
            if found.name in result:
                raise SdJwtError("disclosure", f"the claim {found.name!r} is disclosed twice")
            result[found.name] = self.value(found.value)
            self.disclosed.append(found.name)
        return result


def _verify_key_binding(
    kb_jwt: str,
    presented: str,
    claims: Mapping[str, object],
    *,
    audience: str | None,
    nonce: str | None,
    key_binding_age_seconds: int,
    leeway_seconds: int,
    clock: Clock,
) -> dict[str, object]:
    if audience is None or nonce is None:
        raise ValueError("checking key binding needs the expected audience and nonce")
    _check_canonical_jws(kb_jwt, what="the key-binding JWT")
    cnf = claims.get("cnf")
    members = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(members, dict):
        raise SdJwtError("key_binding", "the credential names no holder key (cnf.jwk)")
    try:
        header = json.loads(b64decode(kb_jwt.split(".", maxsplit=1)[0], what="the KB-JWT header"))
        kid = header.get("kid") if isinstance(header, dict) else None
        # The key is the one in `cnf`; a `kid` the holder chose must not make it unusable.
        holder = import_jwk({**members, "kid": kid} if isinstance(kid, str) else members)
        verified = verify_jwt(
            kb_jwt,
            holder,
            algorithms=("ES256", "EdDSA", "Ed25519"),
            issuer=None,
            audience=audience,
            typ=KEY_BINDING_TYPE,
            require_expiry=False,
            leeway_seconds=leeway_seconds,
            clock=clock,
        )
    except JoseError as error:
        raise SdJwtError("key_binding", error.detail) from None
    except (ValueError, RecursionError):
        # RecursionError: a header or claims nested deeper than the JSON parser goes.
        raise SdJwtError("key_binding", "the key-binding JWT is not readable JSON") from None
    kb_claims = verified.claims
    if not isinstance(kb_claims.get("aud"), str):
        # RFC 9901 section 4.3: the audience of a KB-JWT is one string, never an array.
        raise SdJwtError("key_binding", "the key-binding JWT's aud must be a single string")
    issued_at = kb_claims.get("iat")
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        raise SdJwtError("key_binding", "the key-binding JWT has no iat")
    if clock.now().timestamp() - issued_at > key_binding_age_seconds + leeway_seconds:
        raise SdJwtError("key_binding", "the key-binding JWT is too old")
    if kb_claims.get("nonce") != nonce:
        raise SdJwtError("key_binding", "the key-binding JWT answers another nonce")
    if kb_claims.get("sd_hash") != digest_of(presented):
        raise SdJwtError("key_binding", "the key-binding JWT signs another presentation")
    return kb_claims
