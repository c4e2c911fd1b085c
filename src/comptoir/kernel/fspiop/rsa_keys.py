"""The RSA keys of FSPIOP signatures: generating, reading and publishing JSON Web Keys.

A participant registers the public JWK Set with the switch and signs with its private JWK; a
key fit for FSPIOP signatures is an RSA key of at least 2048 bits, for RS256, RS384 or RS512.
joserfc reads, writes and thumbprints the keys; `signature` signs and verifies with them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Final, Literal, TypeAlias

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.errors import JoseError as _JoserfcError
from joserfc.jwk import KeyParameters, RSAKey

from comptoir.kernel.fspiop.signature_header import BASE64URL_ALPHABET

SignatureAlgorithm: TypeAlias = Literal["RS256", "RS384", "RS512"]
SIGNATURE_ALGORITHMS: Final[frozenset[str]] = frozenset({"RS256", "RS384", "RS512"})
DEFAULT_ALGORITHM: Final[SignatureAlgorithm] = "RS256"
MIN_RSA_BITS: Final = 2048
JwkMembers: TypeAlias = dict[str, str]
JwksDocument: TypeAlias = dict[str, list[JwkMembers]]

_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})


class RsaKeyError(ValueError):
    """A JWK or JWK Set that cannot serve for FSPIOP signatures; the message says why."""


class RsaJwk:
    """An RSA JSON Web Key of at least 2048 bits, private or public, that always has a kid.

    It wraps the joserfc key so that callers never handle joserfc types and so that the
    private part cannot reach a log through `repr`.
    """

    __slots__ = ("_key", "_signing_key", "_verifying_key", "bits")

    def __init__(self, key: RSAKey) -> None:
        # Build through generate_rsa_jwk, import_rsa_jwk or import_rsa_jwks, which vet it.
        key.ensure_kid()
        self._key = key
        self.bits: int = key.public_key.key_size
        self._signing_key: rsa.RSAPrivateKey | None = None
        self._verifying_key: rsa.RSAPublicKey | None = None

    @property
    def kid(self) -> str:
        kid = self._key.kid
        assert kid is not None  # ensure_kid gave it one
        return kid

    @property
    def is_private(self) -> bool:
        return self._key.is_private

    def allows(self, algorithm: str) -> bool:
        """Whether this key may sign or verify with `algorithm` (its own `alg` and `use`)."""
        declared = self._key.alg
        return algorithm in SIGNATURE_ALGORITHMS and declared in (None, algorithm)

    def to_dict(self, *, private: bool = False) -> JwkMembers:
        if private and not self.is_private:
            raise ValueError("this JWK has no private part to export")
        return {name: str(value) for name, value in self._key.as_dict(private=private).items()}

    def thumbprint(self) -> str:
        """The RFC 7638 SHA-256 thumbprint, the same for the private and the public key."""
        return self._key.thumbprint()

    def __repr__(self) -> str:
        kind = "private" if self.is_private else "public"
        return f"RsaJwk(kid={self.kid!r}, {self.bits} bits, {kind})"

    def _signer(self) -> rsa.RSAPrivateKey:
        # Built once; a `key_ops` without "sign" raises joserfc's error, as it always did.
        signing = self._signing_key
        if signing is None:
            signing = self._signing_key = self._key.get_op_key("sign")
        return signing

    def _verifier(self) -> rsa.RSAPublicKey:
        verifying = self._verifying_key
        if verifying is None:
            verifying = self._verifying_key = self._key.get_op_key("verify")
        return verifying


def generate_rsa_jwk(
    *, kid: str | None = None, bits: int = MIN_RSA_BITS
) -> tuple[JwkMembers, JwksDocument]:
    """A new RSA key for RS256: its private JWK, and the public JWK Set to register with the
    switch (`comptoir switch participant add ... --jwks FILE`)."""
    if bits < MIN_RSA_BITS:
        raise ValueError(f"FSPIOP signatures need RSA keys of at least {MIN_RSA_BITS} bits")
    parameters: KeyParameters = {"use": "sig", "alg": DEFAULT_ALGORITHM}
    if kid is not None:
        if not kid:
            raise ValueError("a kid cannot be empty")
        parameters["kid"] = kid
    key = RsaJwk(RSAKey.generate_key(bits, parameters=parameters, private=True))
    return key.to_dict(private=True), rsa_jwks_document([key])


def rsa_jwks_document(keys: Iterable[RsaJwk]) -> JwksDocument:
    """A JWK Set of the public parts of `keys`."""
    published: list[JwkMembers] = []
    seen: set[str] = set()
    for key in keys:
        if key.kid in seen:
            raise ValueError(f"two keys share the kid {key.kid!r}")
        seen.add(key.kid)
        published.append(key.to_dict(private=False))
    return {"keys": published}


def import_rsa_jwk(members: Mapping[str, object] | str) -> RsaJwk:
    """Read one RSA JWK, private or public; anything unfit for FSPIOP is `RsaKeyError`."""
    # Members that are not strings (key_ops, x5c, WebCrypto's "ext") play no part here.
    checked = {
        name: value
        for name, value in _json_object_or_refuse(members, "JWK").items()
        if isinstance(value, str)
    }
    if checked.get("kty") != "RSA":
        raise RsaKeyError(f"an FSPIOP signing key is an RSA key, not kty={checked.get('kty')!r}")
    if checked.get("use") not in (None, "sig"):
        raise RsaKeyError(f"the key is for use={checked['use']!r}, not for signatures")
    if checked.get("alg") not in (None, *SIGNATURE_ALGORITHMS):
        raise RsaKeyError(f"the key is for alg={checked['alg']!r}; FSPIOP uses RS256/384/512")
    bits = _modulus_bits(checked.get("n"))
    if bits < MIN_RSA_BITS:
        raise RsaKeyError(f"the key has {bits} bits; FSPIOP needs at least {MIN_RSA_BITS}")
    try:
        return RsaJwk(RSAKey.import_key(dict(checked)))
    except (_JoserfcError, ValueError, TypeError, KeyError) as error:
        raise RsaKeyError(f"the JWK is not a valid RSA key ({error})") from None


def import_rsa_jwks(document: Mapping[str, object] | str) -> tuple[RsaJwk, ...]:
    """Read the public RSA keys of a participant's JWK Set.

    Keys of other types are skipped, as RFC 7517 section 5 allows; a set with no RSA key, a
    malformed or short RSA key, a repeated kid, or private key material is `RsaKeyError`.
    """
    entries = _json_object_or_refuse(document, "JWK Set").get("keys")
    if not isinstance(entries, list):
        raise RsaKeyError('a JWK Set needs a "keys" array')
    keys: list[RsaJwk] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise RsaKeyError("each JWK in a JWK Set must be an object")
        if entry.get("kty") != "RSA":
            continue
        if _PRIVATE_MEMBERS & set(entry):
            raise RsaKeyError("the JWK Set holds private key material; register the public key")
        keys.append(import_rsa_jwk(entry))
    if not keys:
        raise RsaKeyError("the JWK Set holds no RSA key")
    kids = [key.kid for key in keys]
    if len(set(kids)) != len(kids):
        raise RsaKeyError("two keys in the JWK Set share a kid")
    return tuple(keys)


def _json_object_or_refuse(value: Mapping[str, object] | str, what: str) -> dict[str, object]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise RsaKeyError(f"the {what} is not JSON") from None
    if not isinstance(value, Mapping):
        raise RsaKeyError(f"a {what} must be a JSON object")
    return dict(value)


def _modulus_bits(modulus: str | None) -> int:
    if not modulus or not set(modulus) <= BASE64URL_ALPHABET:
        raise RsaKeyError('an RSA JWK needs its modulus "n" in base64url')
    try:
        raw = base64.urlsafe_b64decode(modulus + "=" * (-len(modulus) % 4))
    except (binascii.Error, ValueError):
        raise RsaKeyError('the modulus "n" is not base64url') from None
    return int.from_bytes(raw, "big").bit_length()
