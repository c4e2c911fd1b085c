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

The keys are in `rsa_keys`; reading the header and its protected header, in `signature_header`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from joserfc.errors import JoseError as _JoserfcError

from comptoir.kernel.crypto.compact import (
    UnreadableJwsError,
    check_compact_sizes,
    check_registered_members,
)
from comptoir.kernel.fspiop.rsa_keys import (
    DEFAULT_ALGORITHM,
    SIGNATURE_ALGORITHMS,
    RsaJwk,
    SignatureAlgorithm,
)
from comptoir.kernel.fspiop.signature_header import (
    base64url,
    decode_protected_header,
    invalid_signature,
    protected_http_headers,
    read_signature_header,
)

_REQUIRED_MEMBERS: Final = ("FSPIOP-URI", "FSPIOP-HTTP-Method", "FSPIOP-Source")
_HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}
_PKCS1V15: Final = padding.PKCS1v15()  # RSASSA-PKCS1-v1_5 (RFC 7518 section 3.3)


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
    protected_header = base64url(
        json.dumps(protected, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    )
    signing_input = f"{protected_header}.{base64url(body)}".encode("ascii")
    signature = base64url(signer.sign(signing_input, _PKCS1V15, _HASHES[algorithm]()))
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
    protected_header, signature = read_signature_header(header_value)
    header = decode_protected_header(protected_header)
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in SIGNATURE_ALGORITHMS:
        raise invalid_signature(f"the algorithm {algorithm!r} is not RS256, RS384 or RS512")
    if "crit" in header or "b64" in header:
        raise invalid_signature(
            "the protected header asks for JWS extensions this switch does not know"
        )

    actual = {name.lower(): value for name, value in (other_headers or {}).items()}
    own: dict[str, str | None] = {"fspiop-uri": uri, "fspiop-http-method": method}
    own |= {"fspiop-source": source, "fspiop-destination": destination or None, "date": date}
    for name, value in own.items():
        actual.pop(name, None)
        if value is not None:
            actual[name] = value
    _check_protected_values(
        protected_http_headers(header),
        actual,
        destination_may_be_unprotected=allow_unprotected_destination,
    )

    candidates = _candidate_keys(public_keys, header.get("kid"), algorithm)
    payload = base64url(body)
    signing_input = f"{protected_header}.{payload}"
    try:
        check_compact_sizes(f"{signing_input}.{signature}", protected_header, payload, signature)
        check_registered_members(header)
    except UnreadableJwsError as error:
        raise invalid_signature(f"the signature cannot be read ({error})") from None
    # A signature part that does not decode, strictly, is no signature by any key.
    signature_bytes = _strict_base64url_decode(signature)
    for key in candidates:
        if signature_bytes is None:
            continue
        try:
            verifier = key._verifier()
        except _JoserfcError as error:
            raise invalid_signature(f"the signature cannot be read ({error})") from None
        try:
            verifier.verify(
                signature_bytes, signing_input.encode("ascii"), _PKCS1V15, _HASHES[algorithm]()
            )
        except InvalidSignature:
            continue
        return
    raise invalid_signature("no key registered for the sender verifies the signature")


def _check_protected_values(
    protected: Mapping[str, tuple[str, str]],
    actual: Mapping[str, str],
    *,
    destination_may_be_unprotected: bool,
) -> None:
    for required in _REQUIRED_MEMBERS:
        if required.lower() not in protected:
            raise invalid_signature(f"the protected header lacks {required}")
    if (
        "fspiop-destination" in actual
        and "fspiop-destination" not in protected
        and not destination_may_be_unprotected
    ):
        raise invalid_signature(
            "the request names an FSPIOP-Destination that the signature does not cover"
        )
    for name, (member, value) in protected.items():
        expected = actual.get(name)
        if expected is None:
            raise invalid_signature(
                f"the signature covers {member}, which the request does not carry"
            )
        if value != expected:
            raise invalid_signature(
                f"the signed {member} {value!r} differs from the request's {expected!r}"
            )


def _candidate_keys(keys: Iterable[RsaJwk], kid: object, algorithm: str) -> list[RsaJwk]:
    pool = list(keys)
    if kid is not None:
        if not isinstance(kid, str):
            raise invalid_signature("the kid must be a string")
        pool = [key for key in pool if key.kid == kid]
        if not pool:
            raise invalid_signature(f"no key registered for the sender has the kid {kid!r}")
    usable = [key for key in pool if key.allows(algorithm)]
    if not usable:
        raise invalid_signature(f"no key registered for the sender may verify {algorithm}")
    return usable


def _strict_base64url_decode(segment: str) -> bytes | None:
    # The signature part is already known to be of the base64url alphabet.
    if len(segment) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if base64url(raw) == segment else None
