"""SD-JWT's building blocks (RFC 9901): disclosures and their digests, issuance, presentation."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto.jose import sign_jws
from comptoir.kernel.crypto.jwk import Jwk, JwsAlgorithm

SD_JWT_VC_TYPE: Final = "dc+sd-jwt"
KEY_BINDING_TYPE: Final = "kb+jwt"
SD_ALG: Final = "sha-256"
# Claims that SD-JWT VC says must stay visible, so that a verifier can always check them.
ALWAYS_VISIBLE_CLAIMS: Final = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "iat"}
)
DEFAULT_KEY_BINDING_AGE_SECONDS: Final = 300
_SALT_BYTES: Final = 16
RESERVED_NAMES: Final = frozenset({"_sd", "..."})


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


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str, *, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SdJwtError("malformed", f"{what} is not base64url") from None
    # Only the canonical spelling is accepted, so one value has one digest and one signature.
    if b64encode(raw) != text or not text:
        raise SdJwtError("malformed", f"{what} is not canonical base64url")
    return raw


def digest_of(encoded: str) -> str:
    """The `sha-256` digest of a disclosure (or of an SD-JWT, for `sd_hash`), base64url."""
    return b64encode(hashlib.sha256(encoded.encode("ascii")).digest())


def make_disclosure(name: str | None, value: object, *, salt: str | None = None) -> Disclosure:
    """A disclosure for the claim `name` (or, with `name` None, for an array element)."""
    if name in RESERVED_NAMES:
        raise ValueError(f"{name!r} cannot be a disclosed claim name")
    salt = salt or b64encode(secrets.token_bytes(_SALT_BYTES))
    array: list[object] = [salt, value] if name is None else [salt, name, value]
    text = json.dumps(array, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Disclosure(b64encode(text.encode("utf-8")), salt, name, value)


def parse_disclosure(encoded: str) -> Disclosure:
    raw = b64decode(encoded, what="a disclosure")
    try:
        array = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: nested deeper than the parser goes, which no disclosure needs.
        raise SdJwtError("malformed", "a disclosure is not JSON") from None
    if not isinstance(array, list) or len(array) not in (2, 3) or not isinstance(array[0], str):
        raise SdJwtError("malformed", "a disclosure is a JSON array [salt, (name,) value]")
    if len(array) == 2:
        return Disclosure(encoded, array[0], None, array[1])
    name = array[1]
    if not isinstance(name, str) or name in RESERVED_NAMES:
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
        if name in ALWAYS_VISIBLE_CLAIMS or name in RESERVED_NAMES or name == "_sd_alg":
            raise ValueError(f"the claim {name!r} cannot be selectively disclosable")
        if name in claims:
            raise ValueError(f"the claim {name!r} is given both visible and disclosable")
    body: dict[str, object] = dict(claims)
    for reserved in ("iat", "exp", "cnf", "_sd", "_sd_alg"):
        if reserved in body:
            raise ValueError(f"the {reserved!r} claim is set by issue_sd_jwt")
    disclosures = tuple(make_disclosure(name, value) for name, value in disclosable.items())
    # An SD-JWT VC with no selectively disclosable claim "MUST NOT contain the `_sd` claim"
    # (SD-JWT VC, "SD-JWT VC without Selectively Disclosable Claims"), so decoys come by
    # default only with disclosable claims to hide.
    default = 1 + secrets.randbelow(3) if disclosures else 0
    count = decoys if decoys is not None else default
    fakes = [digest_of(b64encode(secrets.token_bytes(_SALT_BYTES))) for _ in range(count)]
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
