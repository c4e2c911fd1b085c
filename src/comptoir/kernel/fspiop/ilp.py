"""Interledger packets as FSPIOP carries them in `ilpPacket`: encode and decode, strictly.

FSPIOP hands the payee's transaction details end to end inside the ILP packet (its `data`),
so that the payer, the switch and the payee all see the same transaction the condition was
made for. Two layouts occur in the field: the ILPv4 Prepare (type 12; RFC 27 of the Interledger
project) that current Mojaloop systems send, and the older ILP Payment packet (type 1) of the
FSPIOP 1.x examples. Both use OER (ITU-T X.696) length prefixes; we write v4 and read both.
The packet travels base64url-encoded; `condition` and `fulfilment` are base64url of 32 bytes,
and the condition is the SHA-256 of the fulfilment.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PREPARE = 12
LEGACY_PAYMENT = 1
_TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"


class IlpError(ValueError):
    """A packet, condition or fulfilment that cannot be read; the message says why."""


@dataclass(frozen=True)
class IlpPacket:
    amount: int  # in the ledger's minor units, as FSPIOP sets it
    destination: str  # the ILP address, e.g. "g.comptoir.wallet-a.msisdn.17585550101"
    data: bytes
    expires_at: datetime | None = None  # v4 only
    condition: bytes | None = None  # v4 only, 32 bytes

    def transaction(self) -> dict[str, Any] | None:
        """The FSPIOP transaction object the data carries (base64url JSON), if it carries one."""
        for candidate in (_maybe_b64(self.data), self.data):
            if candidate is None:
                continue
            try:
                value = json.loads(candidate)
            except (UnicodeDecodeError, ValueError, RecursionError):
                continue
            if isinstance(value, dict):
                return value
        return None


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise IlpError(f"{text[:20]!r}... is not base64url") from exc


def _maybe_b64(raw: bytes) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return None


def new_fulfilment() -> tuple[str, str]:
    """A fresh (fulfilment, condition) pair, both base64url: the payee keeps the fulfilment."""
    preimage = secrets.token_bytes(32)
    return b64url(preimage), b64url(hashlib.sha256(preimage).digest())


def condition_of(fulfilment: str) -> str:
    preimage = from_b64url(fulfilment)
    if len(preimage) != 32:
        raise IlpError("a fulfilment is 32 bytes")
    return b64url(hashlib.sha256(preimage).digest())


def fulfils(fulfilment: str, condition: str) -> bool:
    """Whether SHA-256(fulfilment) is the condition: the check before a transfer commits."""
    try:
        return secrets.compare_digest(condition_of(fulfilment), condition)
    except IlpError:
        return False


# -- OER -----------------------------------------------------------------------------------------


def _length_prefix(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _var_octets(value: bytes) -> bytes:
    return _length_prefix(len(value)) + value


class _Reader:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.at = 0

    def take(self, count: int, what: str) -> bytes:
        if self.at + count > len(self.raw):
            raise IlpError(f"the packet ends inside its {what}")
        chunk = self.raw[self.at : self.at + count]
        self.at += count
        return chunk

    def length(self, what: str) -> int:
        first = self.take(1, what)[0]
        if first < 0x80:
            return first
        size = first & 0x7F
        if size == 0 or size > 4:
            raise IlpError(f"the length of its {what} is malformed")
        return int.from_bytes(self.take(size, what), "big")

    def var_octets(self, what: str) -> bytes:
        return self.take(self.length(what), what)


# -- packets -------------------------------------------------------------------------------------


def encode_prepare(
    *, amount: int, destination: str, data: bytes, expires_at: datetime, condition: str
) -> str:
    """An ILPv4 Prepare packet, base64url, as FSPIOP's `ilpPacket`."""
    if not 0 <= amount < 2**64:
        raise IlpError("an ILP amount is an unsigned 64-bit integer")
    raw_condition = from_b64url(condition)
    if len(raw_condition) != 32:
        raise IlpError("a condition is 32 bytes")
    stamp = expires_at.astimezone(UTC)
    when = stamp.strftime(_TIMESTAMP_FORMAT) + f"{stamp.microsecond // 1000:03d}"
    contents = (
        amount.to_bytes(8, "big")
        + when.encode("ascii")
        + raw_condition
        + _var_octets(destination.encode("ascii"))
        + _var_octets(data)
    )
    return b64url(bytes([PREPARE]) + _var_octets(contents))


def decode(packet: str) -> IlpPacket:
    """Read an ILPv4 Prepare or a legacy ILP Payment packet; anything else is an IlpError."""
    reader = _Reader(from_b64url(packet))
    kind = reader.take(1, "type")[0]
    contents = _Reader(reader.var_octets("contents"))
    if kind == PREPARE:
        amount = int.from_bytes(contents.take(8, "amount"), "big")
        when = contents.take(17, "expiry").decode("ascii", errors="replace")
        try:
            expires_at = datetime.strptime(when[:14], _TIMESTAMP_FORMAT).replace(
                microsecond=int(when[14:]) * 1000, tzinfo=UTC
            )
        except ValueError as exc:
            raise IlpError(f"the expiry {when!r} is not an ILP timestamp") from exc
        condition = contents.take(32, "condition")
        destination = contents.var_octets("destination").decode("ascii", errors="replace")
        data = contents.var_octets("data")
        return IlpPacket(amount, destination, data, expires_at, condition)
    if kind == LEGACY_PAYMENT:
        amount = int.from_bytes(contents.take(8, "amount"), "big")
        destination = contents.var_octets("account").decode("ascii", errors="replace")
        data = contents.var_octets("data")
        return IlpPacket(amount, destination, data)
    raise IlpError(f"packet type {kind} is neither an ILPv4 Prepare (12) nor a Payment (1)")


def transaction_packet(
    transaction: dict[str, Any],
    *,
    amount: int,
    destination: str,
    expires_at: datetime,
    condition: str,
) -> str:
    """The `ilpPacket` for an FSPIOP transaction: its JSON, base64url, as the packet's data."""
    data = b64url(json.dumps(transaction, separators=(",", ":")).encode()).encode("ascii")
    return encode_prepare(
        amount=amount,
        destination=destination,
        data=data,
        expires_at=expires_at,
        condition=condition,
    )
