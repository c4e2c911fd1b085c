"""Duplicate handling of FSPIOP requests (API Definition section 3.2.5), as pure logic.

Section 3.2.5.1: when a request arrives with the id of an object that already exists, the
server compares the new request with the one that created it.

- Same parameters: it is a resend. If the first request is still being processed and its
  callback not yet sent, the resend "can be ignored, because a callback is about to be sent";
  if the callback was sent, "a new callback should be sent to the client, similar to if a
  HTTP GET request had been sent" (so with the object's current state).
- Different parameters: "an error callback should be sent to the client explaining that an
  object with the provided ID already exists with conflicting parameters", which is 3106
  "Modified request" (section 7.6, table 130).

Either way nothing is created or moved a second time. The section recommends storing "a
hash value of all incoming POST requests"; `content_hash` is that hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final, Generic, TypeVar

from comptoir.kernel.fspiop.errors import FspiopError

Outcome = TypeVar("Outcome")

HASH_PREFIX: Final = "sha256:"


class Action(StrEnum):
    PROCESS = "process"  # a new id: handle the request
    RESEND = "resend"  # a finished duplicate: send the callback for `outcome` again
    IGNORE = "ignore"  # a duplicate of a request still in progress: its callback will come


@dataclass(frozen=True)
class StoredRequest(Generic[Outcome]):
    """What the server kept of the first request with an id. `outcome` is None while that
    request is in progress, then what a GET would answer (the object's current state)."""

    request_id: str
    content_hash: str
    outcome: Outcome | None = None
    source: str | None = None


@dataclass(frozen=True)
class Decision(Generic[Outcome]):
    action: Action
    outcome: Outcome | None = None


def decide(
    stored: StoredRequest[Outcome] | None,
    *,
    request_id: str,
    body: bytes | object,
    source: str | None = None,
) -> Decision[Outcome]:
    """What to do with a request for `request_id`, given what was stored under that id.

    `body` is the request body, as bytes or already parsed. A duplicate that differs in its
    content, or that comes from another participant than the first, is `FspiopError("3106")`.
    """
    if stored is None:
        return Decision(Action.PROCESS)
    if stored.request_id != request_id:
        raise ValueError("the stored request has another id")
    if source is not None and stored.source is not None and source != stored.source:
        raise FspiopError("3106", f"the id {request_id} is already used by another participant")
    if content_hash(body) != stored.content_hash:
        raise FspiopError(
            "3106", f"a request with the id {request_id} was already received with other content"
        )
    if stored.outcome is None:
        return Decision(Action.IGNORE)
    return Decision(Action.RESEND, stored.outcome)


def content_hash(body: bytes | object) -> str:
    """SHA-256 over a canonical JSON form of the parsed body, as "sha256:<hex>".

    Not over the raw bytes: a client's resend may serialise the same object anew, with other
    spacing, member order, escapes (\\u00e9 or é) or number spelling (1.50 or 1.5), and it is
    still the same request. The canonical form sorts members by name, writes no spaces,
    keeps non-ASCII text as UTF-8, and writes each number in its shortest exact decimal form
    (so 1.50, 1.5 and 15e-1 are one number, and 1 and 1.0 too). A body that is not JSON is
    3101, and one that repeats a member name is 3101 too: which of the two values counts
    differs between parsers, so such a body has no one meaning to compare.
    """
    document = _parse(body) if isinstance(body, bytes | bytearray) else _normalise(body)
    try:
        canonical = _canonical(document).encode("utf-8")
    except RecursionError:
        raise FspiopError("3101", "the body is nested too deeply") from None
    return HASH_PREFIX + hashlib.sha256(canonical).hexdigest()


def _parse(raw: bytes | bytearray) -> object:
    def refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        members = dict(pairs)
        if len(members) != len(pairs):
            raise FspiopError("3101", "the body repeats a member name")
        return members

    try:
        return json.loads(
            bytes(raw).decode("utf-8"),
            object_pairs_hook=refuse_duplicates,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_refuse_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: nested deeper than the parser goes, which no FSPIOP body needs.
        raise FspiopError("3101", "the body is not JSON") from None


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _normalise(value: object) -> object:
    # An already parsed body: numbers become Decimals so that 1 and 1.0 hash alike.
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            raise FspiopError("3101", "the body holds a number JSON cannot carry") from None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Mapping):
        return {str(name): _normalise(member) for name, member in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    raise TypeError(f"a {type(value).__name__} is not a JSON value")


def _canonical(value: object) -> str:
    if isinstance(value, dict):
        members = sorted(value.items())
        return "{" + ",".join(f"{_string(name)}:{_canonical(item)}" for name, item in members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, str):
        return _string(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return _number(value)
    raise TypeError(f"a {type(value).__name__} is not a JSON value")


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _number(number: Decimal) -> str:
    if not number.is_finite():
        raise FspiopError("3101", "the body holds a number JSON cannot carry")
    if number.is_zero():
        return "0"
    sign, digits, exponent = number.normalize().as_tuple()
    assert isinstance(exponent, int)  # finite
    text = "".join(str(digit) for digit in digits)
    return ("-" if sign else "") + text + (f"e{exponent}" if exponent else "")
