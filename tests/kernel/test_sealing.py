"""Secrets sealed at rest: they open with the same key and purpose, and with nothing else."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.crypto.sealing import (
    SealError,
    is_sealed,
    load_or_create_sealing_key,
    open_text,
    seal_text,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@given(st.text(max_size=300))
def test_any_text_opens_again_as_it_was_sealed(text: str) -> None:
    sealed = seal_text(text, key=KEY, purpose="wallet api key")

    assert is_sealed(sealed)
    assert len(text) < 8 or text not in sealed  # a short text can turn up by chance
    assert open_text(sealed, key=KEY, purpose="wallet api key") == text


@given(st.text(min_size=1, max_size=50), st.data())
def test_any_changed_character_is_refused(text: str, data: st.DataObject) -> None:
    sealed = seal_text(text, key=KEY, purpose="p")
    body_start = len("sealed.v1.")
    position = data.draw(st.integers(min_value=body_start, max_value=len(sealed) - 1))
    replacement = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    )
    changed = sealed[:position] + replacement + sealed[position + 1 :]
    if _decoded(changed) == _decoded(sealed):
        return  # only the last character's unused bits changed: the same bytes
    with pytest.raises(SealError):
        open_text(changed, key=KEY, purpose="p")


def _decoded(value: str) -> bytes:
    body = value[len("sealed.v1.") :]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def test_a_value_sealed_for_one_purpose_or_key_does_not_open_for_another() -> None:
    sealed = seal_text("cmk_secret", key=KEY, purpose="wallet api key")

    with pytest.raises(SealError):
        open_text(sealed, key=KEY, purpose="wallet webhook secret")
    with pytest.raises(SealError):
        open_text(sealed, key=OTHER_KEY, purpose="wallet api key")
    with pytest.raises(SealError):
        open_text("cmk_secret", key=KEY, purpose="wallet api key")


def test_two_seals_of_the_same_text_differ() -> None:
    assert seal_text("x", key=KEY, purpose="p") != seal_text("x", key=KEY, purpose="p")


def test_the_key_file_is_made_once_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sealing.key"

    first = load_or_create_sealing_key(path)
    again = load_or_create_sealing_key(path)

    assert first == again and len(first) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "sealing.key"
    path.write_text("too short")

    with pytest.raises(SealError, match="sealing key"):
        load_or_create_sealing_key(path)
