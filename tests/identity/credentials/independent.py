"""A wallet and a verifier written from the specifications alone, sharing no code with the
issuer: ES256 with `cryptography`, SD-JWT (RFC 9901) and Token Status List parsing by hand.
The conformance tests use them so that the issuer and its verifier are judged by an outsider."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact_json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


@dataclass
class WalletKey:
    """A P-256 key the wallet makes itself."""

    private: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    @property
    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64(numbers.x.to_bytes(32, "big")),
            "y": b64(numbers.y.to_bytes(32, "big")),
        }

    def sign(self, header: Mapping[str, object], claims: Mapping[str, object]) -> str:
        signing_input = f"{b64(compact_json(header))}.{b64(compact_json(claims))}"
        der = self.private.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def es256_valid(jws: str, jwk: dict[str, object]) -> bool:
    """Whether `jws` (compact, ES256) is signed by the P-256 public key `jwk`."""
    header, payload, signature = jws.split(".")
    raw = unb64(signature)
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256"
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(unb64(str(jwk["x"])), "big"),
        int.from_bytes(unb64(str(jwk["y"])), "big"),
        ec.SECP256R1(),
    ).public_key()
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, f"{header}.{payload}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def jws_parts(jws: str) -> tuple[dict[str, object], dict[str, object]]:
    header, payload, _signature = jws.split(".")
    found_header: dict[str, object] = json.loads(unb64(header))
    found_payload: dict[str, object] = json.loads(unb64(payload))
    return found_header, found_payload


def sd_digest(text: str) -> str:
    """sha-256 over the ASCII of a disclosure or of an SD-JWT, base64url (RFC 9901)."""
    return b64(hashlib.sha256(text.encode("ascii")).digest())


def disclosure(salt: str, name: str, value: object) -> str:
    return b64(json.dumps([salt, name, value]).encode("utf-8"))


@dataclass
class ParsedSdJwt:
    jwt: str
    header: dict[str, object]
    payload: dict[str, object]
    disclosures: dict[str, list[object]]  # by claim name: [salt, name, value]
    encoded: dict[str, str]  # by claim name: the disclosure as sent


def parse_sd_jwt(issued: str) -> ParsedSdJwt:
    parts = issued.split("~")
    assert parts[-1] == "", "an issued SD-JWT ends with ~ (no key binding yet)"
    header, payload = jws_parts(parts[0])
    disclosures: dict[str, list[object]] = {}
    encoded: dict[str, str] = {}
    for item in parts[1:-1]:
        array = json.loads(unb64(item).decode("utf-8"))
        assert isinstance(array, list) and len(array) == 3
        disclosures[str(array[1])] = array
        encoded[str(array[1])] = item
    return ParsedSdJwt(parts[0], header, payload, disclosures, encoded)


def presentation(parsed: ParsedSdJwt, names: list[str]) -> str:
    """`<issuer JWT>~<chosen disclosures>~`, without key binding."""
    return "~".join([parsed.jwt, *(parsed.encoded[name] for name in names)]) + "~"


def key_binding(
    key: WalletKey,
    shown: str,
    *,
    audience: str | list[str],
    nonce: str,
    iat: int,
    typ: str = "kb+jwt",
    sd_hash: str | None = None,
) -> str:
    """The KB-JWT of RFC 9901 section 4.3 over the presentation `shown` (ending in ~)."""
    return key.sign(
        {"alg": "ES256", "typ": typ},
        {
            "iat": iat,
            "aud": audience,
            "nonce": nonce,
            "sd_hash": sd_hash if sd_hash is not None else sd_digest(shown),
        },
    )


def status_at(status_list: dict[str, object], index: int) -> int:
    """The status at `index` of a `status_list` claim: inflate the zlib data, then read
    `bits` bits from the least significant end of each byte (Token Status List 4.1)."""
    bits = status_list["bits"]
    assert isinstance(bits, int) and bits in (1, 2, 4, 8)
    data = zlib.decompress(unb64(str(status_list["lst"])))
    per_byte = 8 // bits
    byte = data[index // per_byte]
    return (byte >> ((index % per_byte) * bits)) & ((1 << bits) - 1)
