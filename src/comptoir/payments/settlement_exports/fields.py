"""Fitting our values into ISO 20022 fields: identifiers, message ids, text and parties.

Identifiers are never cut: they are chosen to fit (a ULID's 26 characters or a UUID's 32 hex
digits in a Max35Text).
Free text (names, notes) is cleaned and shortened to the field's maximum, since a note is
for people and a shortened note still tells them what the payment was for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final
from uuid import UUID

# Characters XML 1.0 allows (section 2.2); anything else (most C0 controls, lone surrogates,
# U+FFFE, U+FFFF) would make the document ill-formed, so it becomes U+FFFD.
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WHITESPACE: Final = re.compile(r"\s+")
_PARTY_TYPE: Final = re.compile(r"[A-Z][A-Z0-9_]{0,34}")
_ELLIPSIS: Final = "\u2026"


def clean_text(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def fit(text: str | None, limit: int) -> str | None:
    """Free text for a MaxNText field: cleaned, on one line, at most `limit` characters.

    Whitespace runs (newlines too) become one space. Text that is too long keeps its first
    `limit - 1` characters, without splitting a letter from its combining accents, and ends
    with "…". None or text that is blank once cleaned gives None: the field is left out, as
    the schemas' minLength of 1 requires.
    """
    if text is None:
        return None
    line = _WHITESPACE.sub(" ", clean_text(text)).strip()
    if not line:
        return None
    if len(line) <= limit:
        return line
    cut = limit - 1
    while cut > 0 and unicodedata.combining(line[cut]):
        cut -= 1
    return line[:cut].rstrip() + _ELLIPSIS


def compact_id(value: UUID) -> str:
    """A UUID as 32 lowercase hex digits without dashes: the canonical 36-character form
    does not fit ISO 20022's Max35Text identifiers (MsgId, EndToEndId, TxId...)."""
    return value.hex


def transfer_reference(transfer_id: UUID, ulid: str | None) -> str:
    """How a pacs.008 and a pacs.002 name a transfer (InstrId, EndToEndId, TxId and their
    Orgnl... echoes, all Max35Text): the ULID its DFSP sent, when it came as one (26
    characters, as the DFSP wrote it, so an operator can search for it), else the UUID's 32
    hex digits (`compact_id`), since the 36-character form does not fit."""
    return ulid if ulid is not None else compact_id(transfer_id)


def uetr(transfer_id: UUID) -> str:
    """The UETR for a transfer: its 128 bits with the version nibble set to 4 and the RFC
    4122 variant, so that it matches the schemas' UUIDv4Identifier pattern
    ("[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}").

    DFSPs mostly send UUIDv4 (kept as it is) or UUIDv7 (one-to-one: set the nibble back to 7
    to recover the id). A ULID can never be a UETR (26 Crockford characters, not the
    pattern's 36), so its UETR is its bits in this form too: 122 of its 128 bits are kept,
    which keeps it as unique as the ULID's 80 random bits in practice, but the ULID is not
    recovered from it; EndToEndId and TxId carry the ULID itself."""
    return str(UUID(int=transfer_id.int, version=4))


def pacs008_message_id(window_id: UUID, currency: str) -> str:
    """The pacs.008 MsgId: the window's 32 hex digits then the currency (35 characters), the
    same each time the window is exported, so a receiver can spot a re-sent export."""
    return compact_id(window_id) + currency


def pacs002_message_id(window_id: UUID) -> str:
    """The pacs.002 MsgId: the window's 32 hex digits then "-ST" (35 characters); the dash
    keeps it apart from every pacs.008 MsgId, whose suffix is a currency code."""
    return compact_id(window_id) + "-ST"


@dataclass(frozen=True, slots=True)
class Party:
    """A party id split into its FSPIOP type ("MSISDN"; None when not given) and identifier."""

    kind: str | None
    identifier: str


def parse_party(text: str | None) -> Party | None:
    """Read "TYPE:IDENTIFIER" (split at the first colon, so an identifier with a sub-id such
    as "BUSINESS:shop:till-2" keeps it); text without a recognisable type prefix is all
    identifier. The identifier is cleaned for XML but never shortened."""
    if text is None:
        return None
    kind, separator, rest = text.partition(":")
    if separator and rest and _PARTY_TYPE.fullmatch(kind):
        identifier = clean_text(rest)
        return Party(kind, identifier) if identifier.strip() else None
    identifier = clean_text(text)
    return Party(None, identifier) if identifier.strip() else None
