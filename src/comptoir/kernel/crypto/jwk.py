"""JSON Web Keys (RFC 7517) for ES256 (EC P-256) and EdDSA (OKP Ed25519), and JWK Sets.

`Jwk` wraps a joserfc key so that callers never handle joserfc types, and so that a key's
private part cannot reach a log through `repr`. joserfc reads, writes and thumbprints keys;
the JWS code in `jose` signs and verifies with the `cryptography` key objects that a `Jwk`
builds once and keeps (see `jose` for why).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Final, Literal, TypeAlias

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc.errors import JoseError as _JoserfcError
from joserfc.jwk import ECKey, KeyParameters, OKPKey

JwkCurve: TypeAlias = Literal["P-256", "Ed25519"]
JwsAlgorithm: TypeAlias = Literal["ES256", "EdDSA", "Ed25519"]
JoseFailure: TypeAlias = Literal[
    "malformed",
    "algorithm",
    "key",
    "bad_signature",
    "type",
    "claim",
    "expired",
    "not_yet_valid",
    "issuer",
    "audience",
]
JwkMembers: TypeAlias = dict[str, str | list[str]]

# "EdDSA" (RFC 8037) is what deployed OpenID, DPoP and SD-JWT verifiers understand today;
# "Ed25519" is its fully-specified name from RFC 9864. Both mean Ed25519 here.
SUPPORTED_ALGORITHMS: Final[frozenset[str]] = frozenset({"ES256", "EdDSA", "Ed25519"})
_ALGORITHMS_FOR_CURVE: Final[dict[JwkCurve, frozenset[str]]] = {
    "P-256": frozenset({"ES256"}),
    "Ed25519": frozenset({"EdDSA", "Ed25519"}),
}
_DEFAULT_ALGORITHM: Final[dict[JwkCurve, JwsAlgorithm]] = {"P-256": "ES256", "Ed25519": "EdDSA"}
_KEY_MEMBERS: Final = ("x", "y")
_REGISTERED_MEMBERS: Final = frozenset(
    {"kty", "crv", "x", "y", "d", "kid", "use", "alg", "key_ops", "x5u", "x5c", "x5t", "x5t#S256"}
)

_JoserfcKey: TypeAlias = ECKey | OKPKey
SigningKey: TypeAlias = Ed25519PrivateKey | ec.EllipticCurvePrivateKey
VerifyingKey: TypeAlias = Ed25519PublicKey | ec.EllipticCurvePublicKey


class JoseError(Exception):
    """A JOSE object or key was not accepted. `reason` is a stable code; `detail` says why."""

    def __init__(self, reason: JoseFailure, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: JoseFailure = reason
        self.detail = detail


class Jwk:
    """A P-256 or Ed25519 JSON Web Key, private or public, that always has a `kid`."""

    __slots__ = ("_allowed", "_curve", "_key", "_kid", "_signing_key", "_verifying_key")

    def __init__(self, key: _JoserfcKey) -> None:
        # Build through generate_jwk, import_jwk or jwk_from_key, which vet the key first.
        key.ensure_kid()
        self._key = key
        kid = key.kid
        assert kid is not None  # ensure_kid gave it one
        # The kid and curve are read on every verification; the joserfc key never changes.
        self._kid: str = kid
        self._curve: JwkCurve = _curve_of(key)
        self._signing_key: SigningKey | None = None
        self._verifying_key: VerifyingKey | None = None
        # What `allows` answered, by algorithm: asked at every signature made or checked.
        self._allowed: dict[str, bool] = {}

    @property
    def kid(self) -> str:
        return self._kid

    @property
    def curve(self) -> JwkCurve:
        return self._curve

    @property
    def is_private(self) -> bool:
        return self._key.is_private

    @property
    def declared_algorithm(self) -> str | None:
        """The JWK's own `alg` member, which limits the key to that one algorithm."""
        return self._key.alg

    @property
    def default_algorithm(self) -> JwsAlgorithm:
        return _DEFAULT_ALGORITHM[self.curve]

    def allows(self, algorithm: str) -> bool:
        """Whether this key may be used with `algorithm` (its curve, its `alg` and `use`)."""
        allowed = self._allowed.get(algorithm)
        if allowed is None:
            allowed = self._allowed[algorithm] = self._may_use(algorithm)
        return allowed

    def _may_use(self, algorithm: str) -> bool:
        if algorithm not in _ALGORITHMS_FOR_CURVE[self.curve]:
            return False
        if self.declared_algorithm is not None and self.declared_algorithm != algorithm:
            return False
        return self._key.get("use") in (None, "sig")

    def thumbprint(self) -> str:
        """The RFC 7638 SHA-256 thumbprint, base64url: the same for the private and public key."""
        return self._key.thumbprint()

    def public(self) -> Jwk:
        return Jwk(type(self._key).import_key(self._key.as_dict(private=False)))

    def to_dict(self, *, private: bool = False) -> JwkMembers:
        """The JWK members; the private member `d` only when asked for and present."""
        if private and not self.is_private:
            raise ValueError("this JWK has no private part to export")
        members: JwkMembers = dict(self._key.as_dict(private=private))
        return members

    def public_key(self) -> Ed25519PublicKey | ec.EllipticCurvePublicKey:
        public = self._key.public_key
        # The constructors admit only these two curves.
        assert isinstance(public, Ed25519PublicKey | ec.EllipticCurvePublicKey)
        return public

    def joserfc_key(self) -> _JoserfcKey:
        """The wrapped joserfc key, for the JOSE code in this package only."""
        return self._key

    def signing_key(self) -> SigningKey:
        """The `cryptography` private key, built once, for the JWS code in this package only.

        A `key_ops` member without "sign" is refused here by joserfc (its error is raised)."""
        signing = self._signing_key
        if signing is None:
            if not self.is_private:
                raise ValueError("signing needs a private key")
            private = self._key.get_op_key("sign")
            # The constructors admit only these two curves.
            assert isinstance(private, Ed25519PrivateKey | ec.EllipticCurvePrivateKey)
            signing = self._signing_key = private
        return signing

    def verifying_key(self) -> VerifyingKey:
        """The `cryptography` public key, built once, for the JWS code in this package only.

        A `key_ops` member without "verify" is refused here by joserfc (its error is raised)."""
        verifying = self._verifying_key
        if verifying is None:
            public = self._key.get_op_key("verify")
            assert isinstance(public, Ed25519PublicKey | ec.EllipticCurvePublicKey)
            verifying = self._verifying_key = public
        return verifying

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Jwk):
            return NotImplemented
        return self.is_private == other.is_private and self.to_dict(
            private=self.is_private
        ) == other.to_dict(private=other.is_private)

    def __hash__(self) -> int:
        return hash((self.kid, self.thumbprint(), self.is_private))

    def __repr__(self) -> str:
        kind = "private" if self.is_private else "public"
        return f"Jwk(kid={self.kid!r}, curve={self.curve!r}, {kind})"


def generate_jwk(curve: JwkCurve, *, kid: str | None = None) -> Jwk:
    """A new private key; without `kid`, its kid is its RFC 7638 thumbprint."""
    parameters = _kid_parameter(kid)
    if curve == "P-256":
        return Jwk(ECKey.generate_key("P-256", parameters=parameters))
    if curve == "Ed25519":
        return Jwk(OKPKey.generate_key("Ed25519", parameters=parameters))
    raise ValueError(f"unsupported curve {curve!r}; expected P-256 or Ed25519")


def jwk_from_key(
    key: Ed25519PrivateKey
    | Ed25519PublicKey
    | ec.EllipticCurvePrivateKey
    | ec.EllipticCurvePublicKey,
    *,
    kid: str | None = None,
) -> Jwk:
    """Wrap a key from `keys` (a Beckn signing key, a P-256 key file) as a JWK."""
    parameters = _kid_parameter(kid)
    wrapped: _JoserfcKey
    if isinstance(key, Ed25519PrivateKey | Ed25519PublicKey):
        wrapped = OKPKey.import_key(key, parameters=parameters)
    elif isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and isinstance(
        key.curve, ec.SECP256R1
    ):
        wrapped = ECKey.import_key(key, parameters=parameters)
    else:
        raise JoseError("key", f"a {type(key).__name__} cannot be a JWK here; use P-256 or Ed25519")
    return Jwk(wrapped)


def import_jwk(value: Mapping[str, object] | str) -> Jwk:
    """Read a JWK from its members or its JSON text; anything but a sound P-256 or Ed25519
    key is `JoseError("key")`."""
    members = _string_members(_members(value))
    key_type, curve = members.get("kty"), members.get("crv")
    try:
        key: _JoserfcKey
        if key_type == "EC" and curve == "P-256":
            key = ECKey.import_key(members)
        elif key_type == "OKP" and curve == "Ed25519":
            key = OKPKey.import_key(members)
        else:
            raise JoseError("key", f"a {key_type}/{curve} JWK is not supported")
        _check_public_part_matches(key)
    except JoseError:
        raise
    except (_JoserfcError, ValueError, TypeError, KeyError) as error:
        raise JoseError("key", f"the JWK is not a valid {curve} key ({error})") from None
    return Jwk(key)


def jwks_document(keys: Iterable[Jwk]) -> dict[str, list[JwkMembers]]:
    """A JWK Set of the public parts only, ready to serve as `jwks_uri`."""
    published: list[JwkMembers] = []
    seen: set[str] = set()
    for key in keys:
        if key.kid in seen:
            raise ValueError(f"two keys share the kid {key.kid!r}")
        seen.add(key.kid)
        published.append(key.to_dict(private=False))
    return {"keys": published}


def import_jwks(document: Mapping[str, object] | str) -> tuple[Jwk, ...]:
    """Read a JWK Set. Keys of other types or curves are skipped, as RFC 7517 section 5 asks;
    a malformed key of a supported type is `JoseError("key")`."""
    members = _members(document)
    entries = members.get("keys")
    if not isinstance(entries, list):
        raise JoseError("malformed", 'a JWK Set needs a "keys" array')
    keys: list[Jwk] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise JoseError("malformed", "each JWK in a JWK Set must be an object")
        if (entry.get("kty"), entry.get("crv")) not in (("EC", "P-256"), ("OKP", "Ed25519")):
            continue
        keys.append(import_jwk(entry))
    return tuple(keys)


def find_jwk(keys: Iterable[Jwk], kid: str) -> Jwk:
    """The one key with this `kid`; none or several is `JoseError("key")`."""
    matches = [key for key in keys if key.kid == kid]
    if not matches:
        raise JoseError("key", f"no key has the kid {kid!r}")
    if len(matches) > 1:
        raise JoseError("key", f"several keys share the kid {kid!r}")
    return matches[0]


def _members(value: Mapping[str, object] | str) -> dict[str, object]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise JoseError("malformed", "the JWK text is not JSON") from None
    if not isinstance(value, Mapping):
        raise JoseError("malformed", "a JWK must be a JSON object")
    return dict(value)


def _kid_parameter(kid: str | None) -> KeyParameters | None:
    if kid is None:
        return None
    if not kid:
        raise ValueError("a kid cannot be empty")
    return {"kid": kid}


def _string_members(members: dict[str, object]) -> JwkMembers:
    # The registered members are strings or, like key_ops, lists of strings. Others, such as
    # the `"ext": true` that WebCrypto exports, are dropped: RFC 7517 says to ignore them.
    checked: JwkMembers = {}
    for name, member in members.items():
        if isinstance(member, str):
            checked[name] = member
        elif isinstance(member, list) and all(isinstance(item, str) for item in member):
            checked[name] = [str(item) for item in member]
        elif name in _REGISTERED_MEMBERS:
            raise JoseError("key", f"the JWK member {name!r} has the wrong type")
    return checked


def _curve_of(key: _JoserfcKey) -> JwkCurve:
    curve = key.curve_name
    if curve == "P-256":
        return "P-256"
    if curve == "Ed25519":
        return "Ed25519"
    raise JoseError("key", f"the curve {curve} is not supported")


def _check_public_part_matches(key: _JoserfcKey) -> None:
    # joserfc rebuilds a private key from `d` alone and keeps the given `x`/`y` as they are;
    # a JWK whose public members belong to another key would then publish (and thumbprint)
    # a key it cannot sign for.
    public = key.public_key
    rebuilt: _JoserfcKey
    if isinstance(public, ec.EllipticCurvePublicKey):
        rebuilt = ECKey.import_key(public)
    elif isinstance(public, Ed25519PublicKey):
        rebuilt = OKPKey.import_key(public)
    else:
        raise JoseError("key", "only P-256 and Ed25519 keys are supported")
    derived = rebuilt.as_dict(private=False)
    given = key.as_dict(private=False)
    for member in _KEY_MEMBERS:
        if derived.get(member) != given.get(member):
            raise JoseError("key", f"the JWK member {member!r} does not belong to its private key")
