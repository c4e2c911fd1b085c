"""FSPIOP v2.0 correlation ids: a lowercase UUID or an uppercase ULID (the CorrelationId schema).

The switch keys what it stores by a 128-bit `UUID`; a ULID is 128 bits too, so it is stored
under the UUID of the same value, and written back as the ULID its DFSP sent. The codec is the
ULID spec's Crockford base32 (26 characters, the first 0 to 7); a library for these few lines
would be one more dependency to pin and audit.
"""

from __future__ import annotations

import re
import uuid
from typing import Final

_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DIGITS: Final = {character: value for value, character in enumerate(_CROCKFORD)}
_ULID: Final = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
# The CorrelationId schema's pattern in the FSPIOP v2.0 OpenAPI document.
CORRELATION_ID_PATTERN: Final = (
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-7][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    r"|^[0-9A-HJKMNP-TV-Z]{26}$"
)
_CORRELATION_ID: Final = re.compile(CORRELATION_ID_PATTERN)


def is_correlation_id(text: str) -> bool:
    """Whether `text` is written as the CorrelationId schema has it."""
    return _CORRELATION_ID.fullmatch(text) is not None


def is_ulid(text: str) -> bool:
    """Whether `text` is a ULID as the CorrelationId schema writes it (uppercase)."""
    return _ULID.fullmatch(text) is not None


def ulid_or_none(text: str) -> str | None:
    """What a stored object keeps of an id sent as `text`: the ULID itself, or nothing for a
    UUID (whose text is its key's)."""
    return text if is_ulid(text) else None


def correlation_uuid(text: str) -> uuid.UUID:
    """The UUID a correlation id is stored under: a UUID as it is, a ULID by its 128 bits.

    ValueError when `text` is neither.
    """
    if is_ulid(text):
        value = 0
        for character in text:
            value = value << 5 | _DIGITS[character]
        return uuid.UUID(int=value)
    try:
        return uuid.UUID(text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is neither a UUID nor a ULID") from None


def ulid_text(value: uuid.UUID) -> str:
    """The ULID of a stored id's 128 bits: the inverse of `correlation_uuid` for a ULID."""
    number = value.int
    characters = []
    for _ in range(26):
        characters.append(_CROCKFORD[number & 31])
        number >>= 5
    return "".join(reversed(characters))
