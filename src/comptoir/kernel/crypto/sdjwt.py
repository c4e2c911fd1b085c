"""Selective Disclosure for JWTs (RFC 9901) and SD-JWT VCs (draft-ietf-oauth-sd-jwt-vc).

An issuer signs a JWT whose selectively disclosable claims are replaced by digests of salted
disclosures; the holder shows only the disclosures it chooses, and proves that it holds the key
named in `cnf.jwk` with a key-binding JWT (`kb+jwt`) over the presentation's hash, the
verifier's nonce and audience. This module is pure: no database, no network (the caller may
hand `verify_presentation` a function that fetches a URL).

The issuer hides top-level claims; the verifier understands the whole of RFC 9901 section 7
(nested `_sd` arrays and `...` array elements) so that it can read other issuers' credentials.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import secrets
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto.jose import DEFAULT_LEEWAY_SECONDS, sign_jws, verify_jwt
from comptoir.kernel.crypto.jwk import JoseError, Jwk, JwsAlgorithm, import_jwk, import_jwks
from comptoir.kernel.crypto.status_list import StatusListError, check_status

SD_JWT_VC_TYPE: Final = "dc+sd-jwt"
KEY_BINDING_TYPE: Final = "kb+jwt"
SD_ALG: Final = "sha-256"
# Claims that SD-JWT VC says must stay visible, so that a verifier can always check them.
ALWAYS_VISIBLE_CLAIMS: Final = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "iat"}
)
DEFAULT_KEY_BINDING_AGE_SECONDS: Final = 300
_SALT_BYTES: Final = 16
_RESERVED_NAMES: Final = frozenset({"_sd", "..."})


class SdJwtError(Exception):
    """An SD-JWT, a disclosure or a key-binding JWT was not accepted. `reason` is stable."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Disclosure:
    """One salted disclosure: `[salt, name, value]` for a claim, `[salt, value]` for an item."""

    encoded: str
    salt: str
    name: str | None
    value: object

    @property
    def digest(self) -> str:
        return digest_of(self.encoded)


@dataclass(frozen=True)
class IssuedSdJwt:
    """What the issuer hands the holder: the signed JWT and every disclosure, joined by `~`."""

    jwt: str
    disclosures: tuple[Disclosure, ...]

    @property
    def serialized(self) -> str:
        return "~".join([self.jwt, *(item.encoded for item in self.disclosures)]) + "~"


@dataclass(frozen=True)
class VerifiedSdJwt:
    """A verified presentation: the claims the holder disclosed, with the visible ones."""

    claims: dict[str, object]
    header: dict[str, object]
    disclosed: frozenset[str]
    key_bound: bool
    issuer_key: Jwk
    key_binding: dict[str, object] = field(default_factory=dict)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str, *, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SdJwtError("malformed", f"{what} is not base64url") from None
    # Only the canonical spelling is accepted, so one value has one digest and one signature.
    if _b64encode(raw) != text or not text:
        raise SdJwtError("malformed", f"{what} is not canonical base64url")
    return raw


def digest_of(encoded: str) -> str:
    """The `sha-256` digest of a disclosure (or of an SD-JWT, for `sd_hash`), base64url."""
    return _b64encode(hashlib.sha256(encoded.encode("ascii")).digest())


def make_disclosure(name: str | None, value: object, *, salt: str | None = None) -> Disclosure:
    """A disclosure for the claim `name` (or, with `name` None, for an array element)."""
    if name in _RESERVED_NAMES:
        raise ValueError(f"{name!r} cannot be a disclosed claim name")
    salt = salt or _b64encode(secrets.token_bytes(_SALT_BYTES))
    array: list[object] = [salt, value] if name is None else [salt, name, value]
    text = json.dumps(array, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Disclosure(_b64encode(text.encode("utf-8")), salt, name, value)


def parse_disclosure(encoded: str) -> Disclosure:
    raw = _b64decode(encoded, what="a disclosure")
    try:
        array = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SdJwtError("malformed", "a disclosure is not JSON") from None
    if not isinstance(array, list) or len(array) not in (2, 3) or not isinstance(array[0], str):
        raise SdJwtError("malformed", "a disclosure is a JSON array [salt, (name,) value]")
    if len(array) == 2:
        return Disclosure(encoded, array[0], None, array[1])
    name = array[1]
    if not isinstance(name, str) or name in _RESERVED_NAMES:
        raise SdJwtError("malformed", "a disclosure's claim name is not allowed")
    return Disclosure(encoded, array[0], name, array[2])


def issue_sd_jwt(
    claims: Mapping[str, object],
    disclosable: Mapping[str, object],
    issuer_key: Jwk,
    *,
    holder_key: Jwk | None,
    ttl_seconds: int | None,
    typ: str = SD_JWT_VC_TYPE,
    decoys: int | None = None,
    clock: Clock = system_clock,
) -> IssuedSdJwt:
    """Sign `claims` as they are and hide each of `disclosable` behind a salted digest.

    `iat` (and `exp` with `ttl_seconds`) come from the clock; `holder_key` becomes `cnf.jwk`.
    Decoy digests (random, by default one to three) hide how many claims there are, and the
    digests are sorted so that their order tells nothing about the claims' order.
    """
    for name in disclosable:
        if name in ALWAYS_VISIBLE_CLAIMS or name in _RESERVED_NAMES or name == "_sd_alg":
            raise ValueError(f"the claim {name!r} cannot be selectively disclosable")
        if name in claims:
            raise ValueError(f"the claim {name!r} is given both visible and disclosable")
    body: dict[str, object] = dict(claims)
    for reserved in ("iat", "exp", "cnf", "_sd", "_sd_alg"):
        if reserved in body:
            raise ValueError(f"the {reserved!r} claim is set by issue_sd_jwt")
    disclosures = tuple(make_disclosure(name, value) for name, value in disclosable.items())
    count = decoys if decoys is not None else 1 + secrets.randbelow(3)
    fakes = [digest_of(_b64encode(secrets.token_bytes(_SALT_BYTES))) for _ in range(count)]
    if disclosures or fakes:
        body["_sd"] = sorted([item.digest for item in disclosures] + fakes)
    body["_sd_alg"] = SD_ALG
    now = math.floor(clock.now().timestamp())
    body["iat"] = now
    if ttl_seconds is not None:
        body["exp"] = now + ttl_seconds
    if holder_key is not None:
        body["cnf"] = {"jwk": holder_key.public().to_dict()}
    payload = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    jwt = sign_jws(payload.encode("utf-8"), issuer_key, algorithm="ES256", typ=typ)
    return IssuedSdJwt(jwt, disclosures)


def split(sd_jwt: str) -> tuple[str, list[str], str | None]:
    """The issuer JWT, the disclosures and the key-binding JWT (None when absent)."""
    parts = sd_jwt.split("~")
    if len(parts) < 2:
        raise SdJwtError("malformed", "an SD-JWT is `<JWT>~<disclosures>~[<KB-JWT>]`")
    jwt, disclosures, kb_jwt = parts[0], parts[1:-1], parts[-1]
    if any(not item for item in disclosures):
        raise SdJwtError("malformed", "an SD-JWT has an empty disclosure")
    return jwt, disclosures, kb_jwt or None


def present(
    sd_jwt: str,
    *,
    disclose: Collection[str],
    holder_key: Jwk | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    algorithm: JwsAlgorithm | None = None,
    clock: Clock = system_clock,
) -> str:
    """The holder's presentation: only the disclosures for the claims named in `disclose`,
    then, with `holder_key`, a KB-JWT for `audience` and `nonce`."""
    jwt, encoded, kb_jwt = split(sd_jwt)
    if kb_jwt is not None:
        raise SdJwtError("malformed", "this SD-JWT is already a presentation")
    kept = [item for item in encoded if parse_disclosure(item).name in disclose]
    presentation = "~".join([jwt, *kept]) + "~"
    if holder_key is None:
        return presentation
    if audience is None or nonce is None:
        raise ValueError("key binding needs the verifier's audience and nonce")
    claims = {
        "iat": math.floor(clock.now().timestamp()),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": digest_of(presentation),
    }
    payload = json.dumps(claims, separators=(",", ":")).encode("utf-8")
    # No kid: the verifier knows the key from `cnf.jwk`, not from a name the holder chose.
    kb = sign_jws(payload, holder_key, algorithm=algorithm, typ=KEY_BINDING_TYPE, include_kid=False)
    return presentation + kb


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
    claims, disclosed = _reveal(payload, disclosures)
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
        _b64decode(part, what=what)


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
        header = json.loads(_b64decode(kb_jwt.split(".", maxsplit=1)[0], what="the KB-JWT header"))
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
    except ValueError:
        raise SdJwtError("key_binding", "the key-binding JWT header is not JSON") from None
    kb_claims = verified.claims
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


Fetch = Callable[[str], bytes]


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
        clock=clock,
    )
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


def _unverified_issuer(jwt: str) -> str:
    parts = jwt.split(".")
    if len(parts) != 3:
        raise SdJwtError("malformed", "the issuer-signed JWT is not a compact JWS")
    try:
        payload = json.loads(_b64decode(parts[1], what="the issuer-signed JWT"))
    except ValueError:
        raise SdJwtError("malformed", "the issuer-signed JWT is not JSON") from None
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
