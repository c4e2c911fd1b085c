"""Token Status List: the bit array codec, the signed token, and a credential's status check."""

from __future__ import annotations

import base64
import zlib
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import generate_jwk
from comptoir.kernel.crypto.status_list import (
    INVALID,
    SUSPENDED,
    VALID,
    StatusList,
    StatusListError,
    check_status,
    issue_status_list_token,
    verify_status_list_token,
)

ISSUER_KEY = generate_jwk("P-256")
OTHER_KEY = generate_jwk("P-256")
URI = "https://identity.example.gov/identity/credentials/status/1"


@given(
    st.sampled_from([1, 2, 4, 8]).flatmap(
        lambda bits: st.tuples(
            st.just(bits), st.lists(st.integers(0, (1 << bits) - 1), max_size=300)
        )
    )
)
def test_the_codec_round_trips_any_status_array(case: tuple[int, list[int]]) -> None:
    bits, statuses = case
    status_list = StatusList.empty(len(statuses), bits=bits)
    for index, status in enumerate(statuses):
        status_list.set(index, status)
    decoded = StatusList.decode(status_list.encode())
    assert [decoded.get(index) for index in range(len(statuses))] == statuses
    assert decoded.size >= len(statuses)


@given(st.binary(max_size=512))
def test_the_codec_round_trips_any_byte_array(data: bytes) -> None:
    status_list = StatusList(1, bytearray(data))
    assert StatusList.decode(status_list.encode()).data == bytearray(data)


def test_index_zero_is_the_least_significant_bit_of_the_first_byte() -> None:
    # The draft's example: statuses 1,0,0,1,1,1,0,1 then 1,1,0,0,0,1,0,1 are bytes B9 A3.
    status_list = StatusList.empty(16)
    for index, status in enumerate([1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]):
        status_list.set(index, status)
    assert bytes(status_list.data) == bytes([0xB9, 0xA3])
    lst = status_list.encode()["lst"]
    assert isinstance(lst, str)
    assert zlib.decompress(base64.urlsafe_b64decode(lst + "==")) == bytes([0xB9, 0xA3])


def test_setting_a_status_leaves_its_neighbours_alone() -> None:
    status_list = StatusList.empty(8, bits=2)
    status_list.set(1, SUSPENDED)
    status_list.set(2, INVALID)
    status_list.set(1, VALID)
    assert [status_list.get(index) for index in range(4)] == [0, 0, 1, 0]


def test_it_refuses_an_index_outside_the_list_and_a_status_too_wide() -> None:
    status_list = StatusList.empty(8)
    with pytest.raises(IndexError):
        status_list.get(8)
    with pytest.raises(ValueError, match="status is between"):
        status_list.set(0, 2)


def test_it_refuses_a_list_that_is_not_zlib() -> None:
    with pytest.raises(StatusListError):
        StatusList.decode({"bits": 1, "lst": "bm90IHpsaWI"})
    with pytest.raises(StatusListError):
        StatusList.decode({"bits": 3, "lst": ""})


def test_a_signed_token_round_trips_and_another_key_is_refused() -> None:
    status_list = StatusList.empty(64)
    status_list.set(5, INVALID)
    token = issue_status_list_token(status_list, ISSUER_KEY, uri=URI, ttl_seconds=300)
    assert verify_status_list_token(token, ISSUER_KEY.public(), uri=URI).get(5) == INVALID
    with pytest.raises(StatusListError):
        verify_status_list_token(token, OTHER_KEY.public(), uri=URI)
    with pytest.raises(StatusListError):
        verify_status_list_token(token, ISSUER_KEY.public(), uri=URI + "0")


def test_check_status_refuses_a_revoked_credential_and_an_expired_list() -> None:
    clock = FrozenClock()
    status_list = StatusList.empty(16)
    status_list.set(3, INVALID)
    token = issue_status_list_token(
        status_list, ISSUER_KEY, uri=URI, expires_in_seconds=60, clock=clock
    )

    def fetch(url: str) -> bytes:
        assert url == URI
        return token.encode()

    keys = [ISSUER_KEY.public()]
    assert (
        check_status({"status_list": {"idx": 2, "uri": URI}}, keys, fetch=fetch, clock=clock)
        == VALID
    )
    with pytest.raises(StatusListError) as refused:
        check_status({"status_list": {"idx": 3, "uri": URI}}, keys, fetch=fetch, clock=clock)
    assert refused.value.reason == "revoked"
    clock.advance(timedelta(minutes=5))
    with pytest.raises(StatusListError):
        check_status({"status_list": {"idx": 2, "uri": URI}}, keys, fetch=fetch, clock=clock)


@pytest.mark.parametrize(
    ("claim", "statuses"),
    [
        # The draft's examples of a 1-bit and a 2-bit status list.
        ({"bits": 1, "lst": "eNrbuRgAAhcBXQ"}, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]),
        ({"bits": 2, "lst": "eNo76fITAAPfAgc"}, [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]),
    ],
)
def test_the_drafts_examples_decode_as_the_draft_says(
    claim: dict[str, object], statuses: list[int]
) -> None:
    decoded = StatusList.decode(claim)
    assert [decoded.get(index) for index in range(len(statuses))] == statuses
