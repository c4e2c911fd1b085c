"""Text as people type it: control characters go, everything else stays as typed."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.text import typed_text


def test_a_nul_and_other_control_characters_are_dropped_and_line_breaks_kept() -> None:
    assert typed_text("Marie\x00 Joseph\x1b\r\nRue\tdu Port") == "Marie Joseph\nRue\tdu Port"


@given(st.text())
def test_only_control_characters_are_ever_dropped(text: str) -> None:
    kept = typed_text(text)

    assert typed_text(kept) == kept
    assert all(c in "\n\t" or unicodedata.category(c) != "Cc" for c in kept)
    dropped = [c for c in text if c not in "\n\t" and unicodedata.category(c) == "Cc"]
    assert len(kept) == len(text) - len(dropped)
