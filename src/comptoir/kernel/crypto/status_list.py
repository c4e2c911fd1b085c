"""Token Status List (draft-ietf-oauth-status-list): revocation without a call per credential.

A status list is a bit array, `bits` bits per credential (1 here: valid or revoked), compressed
with DEFLATE in the zlib format and base64url-encoded, inside a JWT of type `statuslist+jwt`
signed by the issuer. A credential carries `status.status_list = {"idx": n, "uri": url}`;
a verifier fetches the token at `uri` and reads the status at `idx`. Index 0 is the least
significant bit(s) of the first byte, as the draft says.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.crypto.jose import sign_jws, verify_jwt
from comptoir.kernel.crypto.jwk import JoseError, Jwk

STATUS_LIST_TYPE: Final = "statuslist+jwt"
VALID: Final = 0x00
INVALID: Final = 0x01
SUSPENDED: Final = 0x02
ALLOWED_BITS: Final = (1, 2, 4, 8)
# Far larger than any list we make; a bound keeps a hostile token from inflating to gigabytes.
MAX_DECOMPRESSED_BYTES: Final = 16 * 1024 * 1024


class StatusListError(Exception):
    """A status list, its token or a credential's status was not accepted."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class StatusList:
    """`size` statuses of `bits` bits each, all VALID at first."""

    bits: int
    data: bytearray

    @classmethod
    def empty(cls, size: int, *, bits: int = 1) -> StatusList:
        if bits not in ALLOWED_BITS:
            raise ValueError(f"a status takes 1, 2, 4 or 8 bits, not {bits}")
        if size < 0:
            raise ValueError("a status list cannot have a negative size")
        return cls(bits, bytearray(math.ceil(size * bits / 8)))

    @property
    def size(self) -> int:
        return len(self.data) * 8 // self.bits

    def get(self, index: int) -> int:
        byte, shift = self._place(index)
        return (self.data[byte] >> shift) & ((1 << self.bits) - 1)

    def set(self, index: int, status: int) -> None:
        if not 0 <= status < (1 << self.bits):
            raise ValueError(f"a {self.bits}-bit status is between 0 and {(1 << self.bits) - 1}")
        byte, shift = self._place(index)
        mask = ((1 << self.bits) - 1) << shift
        self.data[byte] = (self.data[byte] & ~mask & 0xFF) | (status << shift)

    def _place(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise IndexError(f"the index {index} is outside the list (size {self.size})")
        position = index * self.bits
        return position // 8, position % 8

    def encode(self) -> dict[str, object]:
        """The `status_list` claim: `{"bits": n, "lst": base64url(zlib(data))}`."""
        compressed = zlib.compress(bytes(self.data), level=9)
        return {
            "bits": self.bits,
            "lst": base64.urlsafe_b64encode(compressed).rstrip(b"=").decode(),
        }

    @classmethod
    def decode(cls, claim: Mapping[str, object]) -> StatusList:
        bits, lst = claim.get("bits"), claim.get("lst")
        if isinstance(bits, bool) or bits not in ALLOWED_BITS:
            raise StatusListError("malformed", "the status list's bits must be 1, 2, 4 or 8")
        assert isinstance(bits, int)
        if not isinstance(lst, str):
            raise StatusListError("malformed", "the status list has no lst string")
        try:
            compressed = base64.urlsafe_b64decode(lst + "=" * (-len(lst) % 4))
        except (binascii.Error, ValueError):
            raise StatusListError("malformed", "the status list is not base64url") from None
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(compressed, MAX_DECOMPRESSED_BYTES)
        except zlib.error:
            raise StatusListError("malformed", "the status list is not zlib data") from None
        if inflater.unconsumed_tail or not inflater.eof:
            raise StatusListError("malformed", "the status list is truncated or too large")
        return cls(bits, bytearray(data))


def issue_status_list_token(
    status_list: StatusList,
    key: Jwk,
    *,
    uri: str,
    ttl_seconds: int | None = None,
    expires_in_seconds: int | None = None,
    clock: Clock = system_clock,
) -> str:
    """The status list token for `uri` (its `sub`), signed by the issuer's key.

    `ttl_seconds` tells verifiers how long they may cache it; `expires_in_seconds` sets `exp`.
    """
    now = math.floor(clock.now().timestamp())
    claims: dict[str, object] = {"sub": uri, "iat": now, "status_list": status_list.encode()}
    if expires_in_seconds is not None:
        claims["exp"] = now + expires_in_seconds
    if ttl_seconds is not None:
        claims["ttl"] = ttl_seconds
    payload = json.dumps(claims, separators=(",", ":")).encode("utf-8")
    return sign_jws(payload, key, typ=STATUS_LIST_TYPE)


def verify_status_list_token(
    token: str, keys: Jwk | Iterable[Jwk], *, uri: str, clock: Clock = system_clock
) -> StatusList:
    """The status list in a token signed by one of `keys`, whose `sub` is `uri`."""
    try:
        verified = verify_jwt(
            token,
            keys,
            algorithms=("ES256", "EdDSA", "Ed25519"),
            issuer=None,
            audience=None,
            typ=STATUS_LIST_TYPE,
            require_expiry=False,
            clock=clock,
        )
    except JoseError as error:
        raise StatusListError("status_list", error.detail) from None
    if verified.claims.get("sub") != uri:
        raise StatusListError("status_list", "the status list token is for another list")
    if "iat" not in verified.claims:
        raise StatusListError("status_list", "the status list token has no iat")
    claim = verified.claims.get("status_list")
    if not isinstance(claim, dict):
        raise StatusListError("malformed", "the status list token has no status_list")
    return StatusList.decode(claim)


def check_status(
    status: object,
    keys: Jwk | Iterable[Jwk],
    *,
    fetch: Callable[[str], bytes],
    clock: Clock = system_clock,
) -> int:
    """Check a credential's `status` claim: fetch its list, refuse anything but VALID."""
    reference = status.get("status_list") if isinstance(status, dict) else None
    if not isinstance(reference, dict):
        raise StatusListError("malformed", "the credential's status has no status_list")
    index, uri = reference.get("idx"), reference.get("uri")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise StatusListError("malformed", "the status list index is not a whole number")
    if not isinstance(uri, str):
        raise StatusListError("malformed", "the status list has no uri")
    try:
        token = fetch(uri).decode("ascii").strip()
    except (OSError, ValueError) as error:
        raise StatusListError(
            "status_unavailable", f"the status list cannot be read ({error})"
        ) from None
    status_list = verify_status_list_token(token, keys, uri=uri, clock=clock)
    try:
        value = status_list.get(index)
    except IndexError:
        raise StatusListError("malformed", "the status list index is outside the list") from None
    if value == INVALID:
        raise StatusListError("revoked", "the credential has been revoked")
    if value != VALID:
        raise StatusListError("suspended", "the credential is not valid now")
    return value
