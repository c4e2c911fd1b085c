"""The FSPIOP JWS signature (the FSPIOP "Signature" document, v1.1), with RSA keys.

The `FSPIOP-Signature` header is the JSON object `{"signature": ..., "protectedHeader": ...}`:
`protectedHeader` is BASE64URL(UTF8(JWS Protected Header)) and `signature` is
BASE64URL(JWS Signature). The JWS Payload is "the full HTTP body of the API message", so the
signing input is `protectedHeader + "." + BASE64URL(body bytes as sent)`: the exact bytes on the
wire, never a re-serialisation. The protected header carries `alg` (RS256, RS384 or RS512,
with a key of at least 2048 bits), `FSPIOP-URI`, `FSPIOP-HTTP-Method` and `FSPIOP-Source`;
`FSPIOP-Destination` when the sender knows the destination; optionally other HTTP headers,
`Date` above all. The receiver checks each protected value against the request itself.

Interoperating with Mojaloop's SDK (sdk-standard-components):

- It signs only requests with a body (POST, PUT, PATCH): its GET and DELETE arrive unsigned.
- It protects `Date` under that name (as the Signature document's example does), not
  "FSPIOP-Date", and never sends `kid`; so does `sign_message`.
- Its verifier re-serialises the parsed body with `JSON.stringify` before checking, so the
  bodies we sign are written by `headers.json_body`, whose bytes `JSON.stringify` reproduces.
- A switch relays a participant's signed message with its body bytes and its
  `FSPIOP-Signature` untouched: the signature is end to end, made by the message initiator.

The JWS itself is signed and verified with `cryptography` directly, as `kernel.crypto.jose`
does and for the same reason: joserfc's parsing and registry cost three times the RSA
verification (about 80 µs on top of 25 µs), on every message the switch receives. joserfc
still reads, writes and thumbprints the keys, and its checks are kept with their words.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Final, Literal, TypeAlias

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc.errors import JoseError as _JoserfcError
from joserfc.jwk import KeyParameters, RSAKey

from comptoir.kernel.crypto.compact import (
    UnreadableJwsError,
    check_compact_sizes,
    check_registered_members,
)
from comptoir.kernel.fspiop.errors import FspiopError

SignatureAlgorithm: TypeAlias = Literal["RS256", "RS384", "RS512"]
SIGNATURE_ALGORITHMS: Final[frozenset[str]] = frozenset({"RS256", "RS384", "RS512"})
DEFAULT_ALGORITHM: Final[SignatureAlgorithm] = "RS256"
MIN_RSA_BITS: Final = 2048
MAX_PROTECTED_HEADER: Final = 32768  # Signature document, table 1: String(1..32768)
MAX_SIGNATURE: Final = 512  # String(1..512)
JwkMembers: TypeAlias = dict[str, str]
JwksDocument: TypeAlias = dict[str, list[JwkMembers]]

# Parameters of the IANA JWS header registry that are not HTTP headers; every other member of
# a protected header names an HTTP header whose value must match (Signature 3.3, step 3.g).
_JOSE_MEMBERS: Final = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "b64"}
)
_REQUIRED_MEMBERS: Final = ("FSPIOP-URI", "FSPIOP-HTTP-Method", "FSPIOP-Source")
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})
_BASE64URL_ALPHABET: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)
_HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}
_PKCS1V15: Final = padding.PKCS1v15()  # RSASSA-PKCS1-v1_5 (RFC 7518 section 3.3)


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


def sign_message(
    *,
    body: bytes,
    uri: str,
    method: str,
    source: str,
    destination: str | None,
    date: str | None,
    private_key: RsaJwk,
    algorithm: SignatureAlgorithm = DEFAULT_ALGORITHM,
) -> str:
    """The `FSPIOP-Signature` value for a message; `date` is the Date header text, if sent.

    The protected header lists its members in the order of the Signature document's example,
    so that the same inputs give the same bytes as that example.
    """
    if not private_key.is_private:
        raise ValueError("signing needs a private key")
    if not private_key.allows(algorithm):
        raise ValueError(f"this key may not sign with {algorithm!r}")
    protected: dict[str, object] = {"alg": algorithm}
    if destination:
        protected["FSPIOP-Destination"] = destination
    protected["FSPIOP-URI"] = uri
    protected["FSPIOP-HTTP-Method"] = method
    if date is not None:
        protected["Date"] = date
    protected["FSPIOP-Source"] = source
    signer = private_key._signer()
    # Written as joserfc wrote it (ASCII JSON, no spaces), so the bytes signed do not change.
    protected_header = _base64url(
        json.dumps(protected, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    )
    signing_input = f"{protected_header}.{_base64url(body)}".encode("ascii")
    signature = _base64url(signer.sign(signing_input, _PKCS1V15, _HASHES[algorithm]()))
    return json.dumps(
        {"signature": signature, "protectedHeader": protected_header}, separators=(",", ":")
    )


def sign_headers(
    headers: Mapping[str, str],
    *,
    body: bytes,
    private_key: RsaJwk,
    algorithm: SignatureAlgorithm = DEFAULT_ALGORITHM,
) -> dict[str, str]:
    """`headers` (as `headers.build_headers` makes them) plus their `FSPIOP-Signature`."""
    values = {name.lower(): value for name, value in headers.items()}
    try:
        signature = sign_message(
            body=body,
            uri=values["fspiop-uri"],
            method=values["fspiop-http-method"],
            source=values["fspiop-source"],
            destination=values.get("fspiop-destination"),
            date=values.get("date"),
            private_key=private_key,
            algorithm=algorithm,
        )
    except KeyError as missing:
        raise ValueError(f"cannot sign without the {missing} header") from None
    return {**headers, "FSPIOP-Signature": signature}


def verify_message(
    header_value: str | None,
    *,
    body: bytes,
    uri: str,
    method: str,
    source: str,
    destination: str | None,
    date: str | None,
    public_keys: Iterable[RsaJwk],
    other_headers: Mapping[str, str] | None = None,
    allow_unprotected_destination: bool = False,
) -> None:
    """Check a request's `FSPIOP-Signature` (Signature section 3.3): `FspiopError("3105")`
    when it is missing or malformed, when a protected value differs from the request, or when
    no key in `public_keys` verifies it.

    `uri` (see `headers.fspiop_uri`), `method`, `source`, `destination` and `date` are the
    request's own; `other_headers` the rest of its headers, for a signer that protected more
    (step 3.g). A destination the request carries must be protected, the sender having known
    it (3.2 step F); a DFSP receiving a GET /parties routed by the switch, which filled the
    destination in after the payer signed, sets `allow_unprotected_destination`.
    """
    protected_header, signature = _read_signature_header(header_value)
    header = _decode_protected_header(protected_header)
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in SIGNATURE_ALGORITHMS:
        raise _invalid(f"the algorithm {algorithm!r} is not RS256, RS384 or RS512")
    if "crit" in header or "b64" in header:
        raise _invalid("the protected header asks for JWS extensions this switch does not know")

    actual = {name.lower(): value for name, value in (other_headers or {}).items()}
    own: dict[str, str | None] = {"fspiop-uri": uri, "fspiop-http-method": method}
    own |= {"fspiop-source": source, "fspiop-destination": destination or None, "date": date}
    for name, value in own.items():
        actual.pop(name, None)
        if value is not None:
            actual[name] = value
    _check_protected_values(
        _protected_http_headers(header),
        actual,
        destination_may_be_unprotected=allow_unprotected_destination,
    )

    candidates = _candidate_keys(public_keys, header.get("kid"), algorithm)
    payload = _base64url(body)
    signing_input = f"{protected_header}.{payload}"
    try:
        check_compact_sizes(f"{signing_input}.{signature}", protected_header, payload, signature)
        check_registered_members(header)
    except UnreadableJwsError as error:
        raise _invalid(f"the signature cannot be read ({error})") from None
    # A signature part that does not decode, strictly, is no signature by any key.
    signature_bytes = _strict_base64url_decode(signature)
    for key in candidates:
        if signature_bytes is None:
            continue
        try:
            verifier = key._verifier()
        except _JoserfcError as error:
            raise _invalid(f"the signature cannot be read ({error})") from None
        try:
            verifier.verify(
                signature_bytes, signing_input.encode("ascii"), _PKCS1V15, _HASHES[algorithm]()
            )
        except InvalidSignature:
            continue
        return
    raise _invalid("no key registered for the sender verifies the signature")


def _check_protected_values(
    protected: Mapping[str, tuple[str, str]],
    actual: Mapping[str, str],
    *,
    destination_may_be_unprotected: bool,
) -> None:
    for required in _REQUIRED_MEMBERS:
        if required.lower() not in protected:
            raise _invalid(f"the protected header lacks {required}")
    if (
        "fspiop-destination" in actual
        and "fspiop-destination" not in protected
        and not destination_may_be_unprotected
    ):
        raise _invalid("the request names an FSPIOP-Destination that the signature does not cover")
    for name, (member, value) in protected.items():
        expected = actual.get(name)
        if expected is None:
            raise _invalid(f"the signature covers {member}, which the request does not carry")
        if value != expected:
            raise _invalid(f"the signed {member} {value!r} differs from the request's {expected!r}")


def _read_signature_header(header_value: str | None) -> tuple[str, str]:
    if header_value is None or not header_value.strip():
        raise _invalid("the FSPIOP-Signature header is missing")
    members = _json_object(header_value.encode("utf-8"), "the FSPIOP-Signature header")
    if set(members) != {"signature", "protectedHeader"}:
        raise _invalid('FSPIOP-Signature must hold exactly "signature" and "protectedHeader"')
    protected_header, signature = members["protectedHeader"], members["signature"]
    if not isinstance(protected_header, str) or not isinstance(signature, str):
        raise _invalid("the FSPIOP-Signature members must be strings")
    if not 1 <= len(protected_header) <= MAX_PROTECTED_HEADER:
        raise _invalid(f"protectedHeader must be 1 to {MAX_PROTECTED_HEADER} characters")
    if not 1 <= len(signature) <= MAX_SIGNATURE:
        raise _invalid(f"signature must be 1 to {MAX_SIGNATURE} characters")
    if not set(signature) <= _BASE64URL_ALPHABET:
        raise _invalid("signature is not base64url")
    return protected_header, signature


def _decode_protected_header(protected_header: str) -> dict[str, object]:
    if not set(protected_header) <= _BASE64URL_ALPHABET or len(protected_header) % 4 == 1:
        raise _invalid("protectedHeader is not base64url")
    try:
        raw = base64.urlsafe_b64decode(protected_header + "=" * (-len(protected_header) % 4))
    except (binascii.Error, ValueError):
        raise _invalid("protectedHeader is not base64url") from None
    # A non-canonical encoding (stray low bits) would let two strings stand for one header.
    if _base64url(raw) != protected_header:
        raise _invalid("protectedHeader is not canonical base64url")
    return _json_object(raw, "the protected header")


def _protected_http_headers(header: Mapping[str, object]) -> dict[str, tuple[str, str]]:
    protected: dict[str, tuple[str, str]] = {}
    for member, value in header.items():
        if member in _JOSE_MEMBERS:
            continue
        name = member.lower()  # HTTP header names are case-insensitive
        if name in protected:
            raise _invalid(f"the protected header names {member} twice")
        if not isinstance(value, str):
            raise _invalid(f"the protected {member} must be a string")
        protected[name] = (member, value)
    return protected


def _candidate_keys(keys: Iterable[RsaJwk], kid: object, algorithm: str) -> list[RsaJwk]:
    pool = list(keys)
    if kid is not None:
        if not isinstance(kid, str):
            raise _invalid("the kid must be a string")
        pool = [key for key in pool if key.kid == kid]
        if not pool:
            raise _invalid(f"no key registered for the sender has the kid {kid!r}")
    usable = [key for key in pool if key.allows(algorithm)]
    if not usable:
        raise _invalid(f"no key registered for the sender may verify {algorithm}")
    return usable


def _json_decoder(what: str) -> json.JSONDecoder:
    def refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        members = dict(pairs)
        if len(members) != len(pairs):
            raise _invalid(f"{what} repeats a member name")
        return members

    return json.JSONDecoder(object_pairs_hook=refuse_duplicates)


# Built once: json.loads with a hook would build a decoder for every message.
_JSON_DECODERS: Final = {
    what: _json_decoder(what) for what in ("the FSPIOP-Signature header", "the protected header")
}


def _json_object(raw: bytes, what: str) -> dict[str, object]:
    try:
        value = _JSON_DECODERS[what].decode(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _invalid(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise _invalid(f"{what} must be a JSON object")
    return value


def _json_object_or_refuse(value: Mapping[str, object] | str, what: str) -> dict[str, object]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise RsaKeyError(f"the {what} is not JSON") from None
    if not isinstance(value, Mapping):
        raise RsaKeyError(f"a {what} must be a JSON object")
    return dict(value)


def _modulus_bits(modulus: str | None) -> int:
    if not modulus or not set(modulus) <= _BASE64URL_ALPHABET:
        raise RsaKeyError('an RSA JWK needs its modulus "n" in base64url')
    try:
        raw = base64.urlsafe_b64decode(modulus + "=" * (-len(modulus) % 4))
    except (binascii.Error, ValueError):
        raise RsaKeyError('the modulus "n" is not base64url') from None
    return int.from_bytes(raw, "big").bit_length()


def _strict_base64url_decode(segment: str) -> bytes | None:
    # The signature part is already known to be of the base64url alphabet.
    if len(segment) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if _base64url(raw) == segment else None


def _base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _invalid(why: str) -> FspiopError:
    return FspiopError("3105", why)
