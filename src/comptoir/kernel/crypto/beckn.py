"""Beckn HTTP signatures (BECKN-006, profiled by the Beckn v2.0 `Signature` schema).

A header value looks like

    Signature keyId="{subscriber_id}|{unique_key_id}|ed25519",algorithm="ed25519",
    created="1641287875",expires="1641291475",headers="(created) (expires) digest",
    signature="{base64 Ed25519 signature}"

and the signature covers the signing string

    (created): 1641287875
    (expires): 1641291475
    digest: BLAKE-512={base64 BLAKE2b-512 of the body bytes}

The same value format serves the `Authorization` header, the gateway's
`X-Gateway-Authorization` header and, with two more lines, the v2.0 counter-signature carried
in an `Ack` body, so every function here takes and returns the bare value, never a header name.
Verification always hashes the exact bytes received: a body re-serialised from parsed JSON
would hash differently and, worse, would verify something the sender never signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto.keys import KeyFormatError, ed25519_public_key_from_base64

SignatureFailure: TypeAlias = Literal[
    "malformed", "algorithm", "expired", "not_yet_valid", "bad_signature", "bad_key"
]

ALGORITHM: Final = "ed25519"
DIGEST_PREFIX: Final = "BLAKE-512="
REQUEST_SIGNED_HEADERS: Final[tuple[str, ...]] = ("(created)", "(expires)", "digest")
COUNTER_SIGNED_HEADERS: Final[tuple[str, ...]] = (
    *REQUEST_SIGNED_HEADERS,
    "(request-digest)",
    "(message-id)",
)
# Long enough for the gateway to fan a request out and for an outbox retry to carry it; short
# enough to bound replays. A caller passes the message's own `context.ttl` when it differs.
DEFAULT_TTL_SECONDS: Final = 300
# Clocks of well-run hosts agree to well under a second; this absorbs the rest.
DEFAULT_SKEW_SECONDS: Final = 5

_ED25519_SIGNATURE_LENGTH: Final = 64
# Unix seconds fit in 11 digits until the year 5138; more digits is an attack or a bug.
_MAX_TIMESTAMP_DIGITS: Final = 11
_SCHEME: Final = "signature"
_REQUIRED_PARAMETERS: Final = ("keyid", "algorithm", "created", "expires", "headers", "signature")
_TCHARS: Final = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_SCHEME_PATTERN: Final = re.compile(rf"[ \t]*({_TCHARS})[ \t]+")
_PARAMETER_PATTERN: Final = re.compile(
    rf"({_TCHARS})[ \t]*=[ \t]*(?:\"([^\"\\\x00-\x1f\x7f]*)\"|({_TCHARS}))"
)
_SEPARATOR_PATTERN: Final = re.compile(r"[ \t]*,[ \t]*")
_TRAILING_SPACE_PATTERN: Final = re.compile(r"[ \t]*")
_DIGITS_PATTERN: Final = re.compile(r"[0-9]+")
_FORBIDDEN_IN_IDS: Final = re.compile(r"[|\"\\\x00-\x1f\x7f]")


class SignatureError(Exception):
    """A Beckn signature was not accepted. `reason` is a stable code; `detail` says why."""

    def __init__(self, reason: SignatureFailure, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: SignatureFailure = reason
        self.detail = detail


@dataclass(frozen=True)
class BecknSignature:
    """A parsed signature header value. `signature` holds the decoded 64 signature bytes."""

    subscriber_id: str
    unique_key_id: str
    algorithm: str
    created: int
    expires: int
    headers: tuple[str, ...]
    signature: bytes

    @property
    def key_id(self) -> str:
        return f"{self.subscriber_id}|{self.unique_key_id}|{self.algorithm}"


def body_digest(body: bytes) -> str:
    """`BLAKE-512=` and the base64 BLAKE2b-512 of the exact body bytes."""
    digest = hashlib.blake2b(body, digest_size=64).digest()
    return DIGEST_PREFIX + base64.b64encode(digest).decode("ascii")


def signing_string(created: int, expires: int, digest: str) -> bytes:
    """The bytes a request signature covers: three lines, no trailing newline."""
    return _join_lines(
        REQUEST_SIGNED_HEADERS,
        {"(created)": str(created), "(expires)": str(expires), "digest": digest},
    )


def counter_signing_string(
    created: int, expires: int, digest: str, request_digest: str, message_id: str
) -> bytes:
    """The bytes a v2.0 counter-signature covers: the request lines, then the inbound
    request's digest and message id, which tie the receipt to that one request."""
    _check_single_line(message_id, what="message id")
    return _join_lines(
        COUNTER_SIGNED_HEADERS,
        {
            "(created)": str(created),
            "(expires)": str(expires),
            "digest": digest,
            "(request-digest)": request_digest,
            "(message-id)": message_id,
        },
    )


def sign_request(
    body: bytes,
    *,
    subscriber_id: str,
    unique_key_id: str,
    private_key: Ed25519PrivateKey,
    clock: Clock = system_clock,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> str:
    """The signature header value for `body` (for `Authorization` or `X-Gateway-Authorization`)."""
    return _sign(
        REQUEST_SIGNED_HEADERS,
        {"digest": body_digest(body)},
        subscriber_id=subscriber_id,
        unique_key_id=unique_key_id,
        private_key=private_key,
        clock=clock,
        ttl_seconds=ttl_seconds,
    )


def sign_counter_signature(
    ack_body: bytes,
    *,
    request_body: bytes,
    message_id: str,
    subscriber_id: str,
    unique_key_id: str,
    private_key: Ed25519PrivateKey,
    clock: Clock = system_clock,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> str:
    """The counter-signature value a receiver puts in its `Ack`, over the Ack body bytes it
    signs and the inbound request it acknowledges."""
    _check_single_line(message_id, what="message id")
    values = {
        "digest": body_digest(ack_body),
        "(request-digest)": body_digest(request_body),
        "(message-id)": message_id,
    }
    return _sign(
        COUNTER_SIGNED_HEADERS,
        values,
        subscriber_id=subscriber_id,
        unique_key_id=unique_key_id,
        private_key=private_key,
        clock=clock,
        ttl_seconds=ttl_seconds,
    )


def parse_signature_header(value: str) -> BecknSignature:
    """Parse a signature header value strictly; anything off is `SignatureError("malformed")`,
    or `"algorithm"` for an algorithm other than ed25519.

    Following draft-cavage-http-signatures-12 section 2.2, a duplicated parameter rejects the
    value and an unknown parameter is ignored. Parameters may come in any order, separated by
    commas with optional spaces (BECKN-006's gateway example has spaces after the commas).
    """
    parameters = _split_parameters(value)
    missing = [name for name in _REQUIRED_PARAMETERS if name not in parameters]
    if missing:
        raise SignatureError("malformed", f"the signature has no {', '.join(missing)} parameter")

    key_id_parts = parameters["keyid"].split("|")
    if len(key_id_parts) != 3 or not all(key_id_parts):
        raise SignatureError(
            "malformed", "keyId must be {subscriber_id}|{unique_key_id}|{algorithm}"
        )
    subscriber_id, unique_key_id, key_id_algorithm = key_id_parts

    algorithm = parameters["algorithm"]
    if algorithm != ALGORITHM:
        raise SignatureError("algorithm", f"the algorithm {algorithm!r} is not {ALGORITHM!r}")
    if key_id_algorithm != algorithm:
        raise SignatureError(
            "algorithm", "the algorithm in keyId differs from the algorithm parameter"
        )

    created = _timestamp(parameters["created"], name="created")
    expires = _timestamp(parameters["expires"], name="expires")
    if expires < created:
        raise SignatureError("malformed", "the signature expires before it was created")

    return BecknSignature(
        subscriber_id=subscriber_id,
        unique_key_id=unique_key_id,
        algorithm=algorithm,
        created=created,
        expires=expires,
        headers=_signed_headers(parameters["headers"]),
        signature=_signature_bytes(parameters["signature"]),
    )


def verify_request(
    header_value: str,
    body: bytes,
    public_key: str | Ed25519PublicKey,
    *,
    clock: Clock = system_clock,
    skew_seconds: int = DEFAULT_SKEW_SECONDS,
) -> BecknSignature:
    """Check a request signature over the exact `body` bytes with the sender's public key
    (an `Ed25519PublicKey` or the registry's base64 text) and return what it said."""
    parsed = parse_signature_header(header_value)
    return verify_parsed_request(parsed, body, public_key, clock=clock, skew_seconds=skew_seconds)


def verify_parsed_request(
    parsed: BecknSignature,
    body: bytes,
    public_key: str | Ed25519PublicKey,
    *,
    clock: Clock = system_clock,
    skew_seconds: int = DEFAULT_SKEW_SECONDS,
) -> BecknSignature:
    """`verify_request` for a header already parsed (a receiver parses it once, to find the
    sender's key, and checks it with that key)."""
    if sorted(parsed.headers) != sorted(REQUEST_SIGNED_HEADERS):
        raise SignatureError(
            "malformed", "a request signature must cover exactly (created) (expires) digest"
        )
    return _verify(parsed, {"digest": body_digest(body)}, public_key, clock, skew_seconds)


def verify_counter_signature(
    value: str,
    ack_body: bytes,
    *,
    request_body: bytes,
    message_id: str,
    public_key: str | Ed25519PublicKey,
    clock: Clock = system_clock,
    skew_seconds: int = DEFAULT_SKEW_SECONDS,
) -> BecknSignature:
    """Check the counter-signature of an `Ack` against the request the caller sent."""
    _check_single_line(message_id, what="message id")
    parsed = parse_signature_header(value)
    if sorted(parsed.headers) != sorted(COUNTER_SIGNED_HEADERS):
        raise SignatureError(
            "malformed",
            "a counter-signature must cover (created) (expires) digest "
            "(request-digest) (message-id)",
        )
    values = {
        "digest": body_digest(ack_body),
        "(request-digest)": body_digest(request_body),
        "(message-id)": message_id,
    }
    return _verify(parsed, values, public_key, clock, skew_seconds)


def _verify(
    parsed: BecknSignature,
    values: dict[str, str],
    public_key: str | Ed25519PublicKey,
    clock: Clock,
    skew_seconds: int,
) -> BecknSignature:
    key = _public_key(public_key)
    # The window is checked before the signature so that a flood of stale headers costs no
    # signature verifications; the skew widens it equally on both sides, as clocks drift both ways.
    now = clock.now().timestamp()
    if parsed.created > now + skew_seconds:
        raise SignatureError("not_yet_valid", "the signature was created in the future")
    if parsed.expires < now - skew_seconds:
        raise SignatureError("expired", "the signature has expired")
    lines = {"(created)": str(parsed.created), "(expires)": str(parsed.expires), **values}
    try:
        key.verify(parsed.signature, _join_lines(parsed.headers, lines))
    except InvalidSignature:
        raise SignatureError(
            "bad_signature", "the signature does not match this body and key"
        ) from None
    return parsed


def _public_key(public_key: str | Ed25519PublicKey) -> Ed25519PublicKey:
    if isinstance(public_key, Ed25519PublicKey):
        return public_key
    try:
        return ed25519_public_key_from_base64(public_key)
    except KeyFormatError as error:
        raise SignatureError("bad_key", str(error)) from None


def _sign(
    headers: tuple[str, ...],
    values: dict[str, str],
    *,
    subscriber_id: str,
    unique_key_id: str,
    private_key: Ed25519PrivateKey,
    clock: Clock,
    ttl_seconds: int,
) -> str:
    for name, value in (("subscriber id", subscriber_id), ("unique key id", unique_key_id)):
        if not value or _FORBIDDEN_IN_IDS.search(value):
            raise ValueError(
                f"a {name} must be non-empty, without '|', quotes or control characters"
            )
    if ttl_seconds <= 0:
        raise ValueError("a signature needs a positive time to live")
    created = math.floor(clock.now().timestamp())
    expires = created + ttl_seconds
    lines = {"(created)": str(created), "(expires)": str(expires), **values}
    signature = private_key.sign(_join_lines(headers, lines))
    # The order and spelling follow the pattern of the Beckn v2.0 `Signature` schema exactly.
    return (
        f'Signature keyId="{subscriber_id}|{unique_key_id}|{ALGORITHM}",'
        f'algorithm="{ALGORITHM}",created="{created}",expires="{expires}",'
        f'headers="{" ".join(headers)}",'
        f'signature="{base64.b64encode(signature).decode("ascii")}"'
    )


def _join_lines(headers: tuple[str, ...], values: dict[str, str]) -> bytes:
    return "\n".join(f"{name}: {values[name]}" for name in headers).encode("utf-8")


def _check_single_line(value: str, *, what: str) -> None:
    # A line break inside a value would let one signing string pass for another.
    if "\n" in value or "\r" in value:
        raise ValueError(f"a {what} cannot contain a line break")
    if not _is_unicode_text(value):
        raise ValueError(f"a {what} must be Unicode text (a lone surrogate is not)")


def _is_unicode_text(value: str) -> bool:
    # JSON's \ud800 escape gives Python a string that has no UTF-8 form.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _split_parameters(value: str) -> dict[str, str]:
    scheme = _SCHEME_PATTERN.match(value)
    if scheme is None or scheme.group(1).lower() != _SCHEME:
        raise SignatureError("malformed", 'the value does not start with the "Signature" scheme')
    parameters: dict[str, str] = {}
    position = scheme.end()
    while True:
        parameter = _PARAMETER_PATTERN.match(value, position)
        if parameter is None:
            raise SignatureError("malformed", f"the parameters are not well formed at {position}")
        # RFC 7235: parameter names are case-insensitive.
        name = parameter.group(1).lower()
        if name in parameters:
            raise SignatureError("malformed", f"the parameter {parameter.group(1)} appears twice")
        quoted, bare = parameter.group(2), parameter.group(3)
        parameters[name] = quoted if quoted is not None else bare
        position = parameter.end()
        separator = _SEPARATOR_PATTERN.match(value, position)
        if separator is None:
            break
        position = separator.end()
    trailing = _TRAILING_SPACE_PATTERN.match(value, position)
    if trailing is None or trailing.end() != len(value):
        raise SignatureError("malformed", f"unexpected text after the parameters at {position}")
    return parameters


def _timestamp(text: str, *, name: str) -> int:
    if not _DIGITS_PATTERN.fullmatch(text) or len(text) > _MAX_TIMESTAMP_DIGITS:
        raise SignatureError("malformed", f"{name} must be a Unix timestamp in whole seconds")
    return int(text)


def _signed_headers(text: str) -> tuple[str, ...]:
    # draft-cavage-http-signatures-12 section 2.1.6: the names are lowercased.
    names = tuple(text.lower().split(" "))
    if len(set(names)) != len(names) or not all(names):
        raise SignatureError("malformed", "the headers parameter must list distinct names")
    unknown = [name for name in names if name not in COUNTER_SIGNED_HEADERS]
    if unknown:
        raise SignatureError("malformed", f"cannot check signed headers {' '.join(unknown)}")
    if not set(REQUEST_SIGNED_HEADERS) <= set(names):
        raise SignatureError("malformed", "the headers must include (created) (expires) digest")
    return names


def _signature_bytes(text: str) -> bytes:
    try:
        signature = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("malformed", "the signature is not base64") from None
    if len(signature) != _ED25519_SIGNATURE_LENGTH:
        raise SignatureError("malformed", "an Ed25519 signature is 64 bytes")
    return signature
