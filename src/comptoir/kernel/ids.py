"""Identifiers: UUIDv7 (RFC 9562), sortable by creation time and unguessable."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A fresh UUIDv7: 48 bits of Unix milliseconds, then random bits (monotonic within a ms)."""
    return uuid.UUID(int=uuid6.uuid7().int)


def parse_id(text: str) -> uuid.UUID:
    """Parse a UUID from its text form; ValueError names what was wrong."""
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError) as exc:
        raise ValueError(f"{text!r} is not a UUID") from exc
