"""The compact JWS serialisation's reading and writing rules (RFC 7515 section 7.1), shared by
the kernel's JOSE (`jose`, ES256 and EdDSA) and the FSPIOP signature (`kernel.fspiop.signature`,
RS256): strict, canonical base64url; JSON objects whose member names appear once; and the checks
joserfc made when it did this serialisation, with their wording (size limits, the types of the
registered header members), so that a token refused before is refused now with the same words.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Final

from comptoir.kernel.crypto.jwk import JoseError

_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]*")
_BASE64URL_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# The bits the last character of an unpadded base64url string carries beyond the data, by the
# string's length modulo 4 (2: four, 3: two): a canonical encoding leaves them zero.
_SPARE_BITS_MASK: Final = {0: 0, 2: 0b1111, 3: 0b11}
_SIXTET: Final = {character: value for value, character in enumerate(_BASE64URL_ALPHABET)}
# The limits joserfc applied to a compact JWS when it read them for the kernel.
_MAX_HEADER_SEGMENT: Final = 512
_MAX_PAYLOAD_SEGMENT: Final = 128_000
_MAX_SIGNATURE_SEGMENT: Final = 1024
_MAX_TOKEN: Final = _MAX_HEADER_SEGMENT + _MAX_PAYLOAD_SEGMENT + _MAX_SIGNATURE_SEGMENT


class UnreadableJwsError(Exception):
    """A compact JWS that joserfc refused to read (or write) when it did the serialisation;
    `str()` is joserfc's words, kept so that refusals read as before. The two checks below are
    shared with the FSPIOP signature (`kernel.fspiop.signature`)."""


def base64url_encode(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def check_compact_sizes(token: str, header: str, payload: str, signature: str) -> None:
    """joserfc's size limits on a compact JWS and its three base64url parts."""
    if len(token) > _MAX_TOKEN:
        raise UnreadableJwsError(f"exceeded_size: Value size exceeds {_MAX_TOKEN} bytes.")
    if len(header) > _MAX_HEADER_SEGMENT:
        raise UnreadableJwsError(f"exceeded_size: Header size exceeds {_MAX_HEADER_SEGMENT} bytes.")
    if len(signature) > _MAX_SIGNATURE_SEGMENT:
        # sic: joserfc's wording.
        raise UnreadableJwsError(
            f"exceeded_size: Signature of exceeds {_MAX_SIGNATURE_SEGMENT} bytes."
        )
    if len(payload) > _MAX_PAYLOAD_SEGMENT:
        raise UnreadableJwsError(
            f"exceeded_size: Payload size exceeds {_MAX_PAYLOAD_SEGMENT} bytes."
        )


def _string(value: object) -> str | None:
    return None if isinstance(value, str) else "must be a str"


def _url(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be a str"
    return None if value.startswith(("http://", "https://")) else "must be a URL"


def _json_web_key(value: object) -> str | None:
    return None if isinstance(value, dict) else "must be a JWK"


def _strings(value: object) -> str | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return None
    return "must be a list[str]"


# The registered header members whose type joserfc checked (RFC 7515 section 4.1), in its
# order; `crit` and `b64` are refused outright before this.
_REGISTERED_MEMBERS: Final[tuple[tuple[str, Callable[[object], str | None]], ...]] = (
    ("alg", _string),
    ("jku", _url),
    ("jwk", _json_web_key),
    ("kid", _string),
    ("x5u", _url),
    ("x5c", _strings),
    ("x5t", _string),
    ("x5t#S256", _string),
    ("typ", _string),
    ("cty", _string),
)


def check_registered_members(header: Mapping[str, object]) -> None:
    """joserfc's type checks on the registered header members a JWS header carries."""
    for name, check in _REGISTERED_MEMBERS:
        if name in header:
            problem = check(header[name])
            if problem is not None:
                raise UnreadableJwsError(f"invalid_header_value: '{name}' in header {problem}")


def protected_header(token: str) -> dict[str, object]:
    """The header of a compact JWS, as a new dict the caller may keep or change."""
    if token.count(".") != 2:
        raise JoseError("malformed", "a compact JWS has three dot-separated parts")
    segment = token[: token.index(".")]
    kept = _kept_header(segment)
    if kept is None:
        return json_object(base64url_decode(segment), what="header")
    return {
        name: dict(value)
        if isinstance(value, dict)
        else list(value)
        if isinstance(value, list)
        else value
        for name, value in kept
    }


# Headers repeat: a provider signs every token of a kind with one header, and a client its
# assertions and DPoP proofs (whose header holds its key). Reading one (strict base64url, JSON
# without repeated names) costs more than a dict look-up, so the last ones read are kept, by
# their exact text. Only headers whose members are plain values, or objects or arrays of plain
# values (a `jwk`), are kept, so that the copy each caller gets shares nothing it could change;
# one that does not read is not kept (the error is raised).
_PLAIN_TYPES: Final = (str, int, float, bool, type(None))


def _plain(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(member, _PLAIN_TYPES) for member in value.values())
    if isinstance(value, list):
        return all(isinstance(item, _PLAIN_TYPES) for item in value)
    return isinstance(value, _PLAIN_TYPES)


@functools.lru_cache(maxsize=1024)
def _kept_header(segment: str) -> tuple[tuple[str, object], ...] | None:
    if len(segment) > _MAX_HEADER_SEGMENT:
        return None  # not kept: read the long way, then refused by its size, as before
    header = json_object(base64url_decode(segment), what="header")
    if not all(_plain(value) for value in header.values()):
        return None
    return tuple(header.items())


def _json_decoder(what: str) -> json.JSONDecoder:
    def refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        members = dict(pairs)
        if len(members) != len(pairs):
            # RFC 7515 section 4 and RFC 7519 section 4: a name may appear only once.
            raise JoseError("malformed", f"the JWT {what} repeat a member name")
        return members

    return json.JSONDecoder(object_pairs_hook=refuse_duplicates)


# Built once: json.loads with a hook would build a decoder for every header and claims set.
_JSON_DECODERS: Final = {what: _json_decoder(what) for what in ("header", "claims")}


def json_object(raw: bytes, *, what: str) -> dict[str, object]:
    try:
        value = _JSON_DECODERS[what].decode(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: nested deeper than the parser goes, which no JWT needs.
        raise JoseError("malformed", f"the {what} are not JSON") from None
    if not isinstance(value, dict):
        raise JoseError("malformed", f"the {what} must be a JSON object")
    return value


def base64url_decode(segment: str) -> bytes:
    if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise JoseError("malformed", "a JWS part is not base64url")
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise JoseError("malformed", "a JWS part is not base64url") from None
    # Non-canonical encodings (stray low bits) would let two strings mean one header. The
    # encoding of `raw` differs from `segment` only there, so the last character tells.
    if segment and _SIXTET[segment[-1]] & _SPARE_BITS_MASK[len(segment) % 4]:
        raise JoseError("malformed", "a JWS part is not canonical base64url")
    return raw
