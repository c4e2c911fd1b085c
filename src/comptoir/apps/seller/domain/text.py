"""Text as a shop owner types it."""

from __future__ import annotations

import unicodedata


def typed_text(text: str) -> str:
    """What an owner typed, without control characters (NUL and the like), which no one means
    to type, nothing shows, and PostgreSQL refuses to store; line breaks stay."""
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
