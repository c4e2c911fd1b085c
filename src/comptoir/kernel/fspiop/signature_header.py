"""Reading the `FSPIOP-Signature` header: its JSON object, its protected header, the HTTP
headers that protected header covers, and the base64url both are written in.

Every refusal is `FspiopError("3105")`, "Invalid signature", saying which part is wrong.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Final

from comptoir.kernel.fspiop.errors import FspiopError

MAX_PROTECTED_HEADER: Final = 32768  # Signature document, table 1: String(1..32768)
MAX_SIGNATURE: Final = 512  # String(1..512)

# Parameters of the IANA JWS header registry that are not HTTP headers; every other member of
# a protected header names an HTTP header whose value must match (Signature 3.3, step 3.g).
_JOSE_MEMBERS: Final = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "b64"}
)
BASE64URL_ALPHABET: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)


def read_signature_header(header_value: str | None) -> tuple[str, str]:
    if header_value is None or not header_value.strip():
        raise invalid_signature("the FSPIOP-Signature header is missing")
    members = _json_object(header_value.encode("utf-8"), "the FSPIOP-Signature header")
    if set(members) != {"signature", "protectedHeader"}:
        raise invalid_signature(
            'FSPIOP-Signature must hold exactly "signature" and "protectedHeader"'
        )
    protected_header, signature = members["protectedHeader"], members["signature"]
    if not isinstance(protected_header, str) or not isinstance(signature, str):
        raise invalid_signature("the FSPIOP-Signature members must be strings")
    if not 1 <= len(protected_header) <= MAX_PROTECTED_HEADER:
        raise invalid_signature(f"protectedHeader must be 1 to {MAX_PROTECTED_HEADER} characters")
    if not 1 <= len(signature) <= MAX_SIGNATURE:
        raise invalid_signature(f"signature must be 1 to {MAX_SIGNATURE} characters")
    if not set(signature) <= BASE64URL_ALPHABET:
        raise invalid_signature("signature is not base64url")
    return protected_header, signature


def decode_protected_header(protected_header: str) -> dict[str, object]:
    if not set(protected_header) <= BASE64URL_ALPHABET or len(protected_header) % 4 == 1:
        raise invalid_signature("protectedHeader is not base64url")
    try:
        raw = base64.urlsafe_b64decode(protected_header + "=" * (-len(protected_header) % 4))
    except (binascii.Error, ValueError):
        raise invalid_signature("protectedHeader is not base64url") from None
    # A non-canonical encoding (stray low bits) would let two strings stand for one header.
    if base64url(raw) != protected_header:
        raise invalid_signature("protectedHeader is not canonical base64url")
    return _json_object(raw, "the protected header")


def protected_http_headers(header: Mapping[str, object]) -> dict[str, tuple[str, str]]:
    protected: dict[str, tuple[str, str]] = {}
    for member, value in header.items():
        if member in _JOSE_MEMBERS:
            continue
        name = member.lower()  # HTTP header names are case-insensitive
        if name in protected:
            raise invalid_signature(f"the protected header names {member} twice")
        if not isinstance(value, str):
            raise invalid_signature(f"the protected {member} must be a string")
        protected[name] = (member, value)
    return protected


def _json_decoder(what: str) -> json.JSONDecoder:
    def refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        members = dict(pairs)
        if len(members) != len(pairs):
            raise invalid_signature(f"{what} repeats a member name")
        return members

    return json.JSONDecoder(object_pairs_hook=refuse_duplicates)


# Built once: json.loads with a hook would build a decoder for every message.
_JSON_DECODERS: Final = {
    what: _json_decoder(what) for what in ("the FSPIOP-Signature header", "the protected header")
}


def _json_object(raw: bytes, what: str) -> dict[str, object]:
    try:
        value = _JSON_DECODERS[what].decode(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: nested deeper than the parser goes, which no header needs.
        raise invalid_signature(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise invalid_signature(f"{what} must be a JSON object")
    return value


def base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def invalid_signature(why: str) -> FspiopError:
    return FspiopError("3105", why)
