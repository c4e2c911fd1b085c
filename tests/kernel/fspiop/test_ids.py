"""Correlation ids: UUIDs as they are, ULIDs stored under the UUID of their 128 bits."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.fspiop import correlation_uuid, is_ulid, ulid_text


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_any_128_bits_written_as_a_ulid_read_back_to_the_same_bits(bits: int) -> None:
    value = uuid.UUID(int=bits)
    text = ulid_text(value)
    assert is_ulid(text)
    assert correlation_uuid(text) == value


def test_a_ulid_is_read_by_the_specs_crockford_alphabet() -> None:
    assert correlation_uuid("00000000000000000000000000") == uuid.UUID(int=0)
    assert correlation_uuid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ") == uuid.UUID(int=2**128 - 1)
    # The ULID spec's example: its first 10 characters are 48 bits of milliseconds,
    # 0*32**9 + 1*32**8 + 10*32**7 + 24*32**6 + 31*32**5 + 3*32**4 + 21*32**3 + 13*32**2 + 14*32
    # + 19 for "01ARZ3NDEK" (2016-07-30 23:54:10.259 UTC).
    assert correlation_uuid("01ARZ3NDEKTSV4RRFFQ69G5FAV").int >> 80 == 1469922850259


def test_a_uuid_is_read_as_itself() -> None:
    value = uuid.uuid4()
    assert correlation_uuid(str(value)) == value
    assert not is_ulid(str(value))


@pytest.mark.parametrize(
    "text",
    [
        "8ZZZZZZZZZZZZZZZZZZZZZZZZZ",  # past 128 bits
        "01arz3ndektsv4rrffq69g5fav",  # the schema's ULIDs are uppercase
        "01ARZ3NDEKTSV4RRFFQ69G5FAU",  # U is not a Crockford digit
        "01ARZ3NDEKTSV4RRFFQ69G5FA",  # 25 characters
        "not an id",
    ],
)
def test_text_that_is_neither_a_uuid_nor_a_ulid_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="neither a UUID nor a ULID"):
        correlation_uuid(text)
