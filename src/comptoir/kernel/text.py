"""Text as people type it into a form."""

from __future__ import annotations

import unicodedata


def typed_text(text: str) -> str:
    """What a person typed, without control characters (NUL and the like), which no one means
    to type, nothing shows, and PostgreSQL refuses to store; line breaks and tabs stay."""
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
