"""Property-based tests of the protocol layer: signatures and counter-signatures over arbitrary
bytes verify, and any change to a single byte is refused."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.kernel.beckn import (
    BecknReceiver,
    Inbound,
    Refusal,
    StaticKeySource,
    signed_ack_body,
    verify_ack,
)
from comptoir.kernel.crypto import SignatureError, verify_request
from tests.kernel.beckn.messages import BAP_ID, BPP_ID, identity, key_of

SENDER = identity(BAP_ID)
RECEIVER = identity(BPP_ID)
KEYS = StaticKeySource([key_of(SENDER, "BAP")])


def _flip(body: bytes, position: int, bits: int) -> bytes:
    changed = bytearray(body)
    changed[position % len(changed)] ^= bits
    return bytes(changed)


@settings(deadline=None)  # crypto on a shared machine: no time limit
@given(st.binary(max_size=4096))
def test_a_signature_over_any_body_verifies_with_the_signers_key(body: bytes) -> None:
    header = SENDER.sign(body)
    checked = verify_request(header, body, SENDER.signing_public_key)
    assert checked.subscriber_id == BAP_ID


@settings(deadline=None)  # crypto on a shared machine: no time limit
@given(st.binary(min_size=1, max_size=2048), st.integers(min_value=0), st.integers(1, 255))
def test_a_signature_refuses_a_body_with_any_byte_changed(
    body: bytes, position: int, bits: int
) -> None:
    header = SENDER.sign(body)
    with pytest.raises(SignatureError) as refused:
        verify_request(header, _flip(body, position, bits), SENDER.signing_public_key)
    assert refused.value.reason == "bad_signature"


@settings(deadline=None)  # crypto on a shared machine: no time limit
@given(st.binary(max_size=1024), st.binary(min_size=1, max_size=64))
def test_a_signature_refuses_a_body_with_bytes_added(body: bytes, extra: bytes) -> None:
    header = SENDER.sign(body)
    for changed in (body + extra, extra + body):
        try:
            verify_request(header, changed, SENDER.signing_public_key)
        except SignatureError:
            continue
        raise AssertionError("a longer body verified")


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=1, max_size=1024), st.integers(min_value=0), st.integers(1, 255))
def test_the_receiver_refuses_any_changed_byte_before_reading_the_message(
    body: bytes, position: int, bits: int
) -> None:
    receiver = BecknReceiver(identity=RECEIVER, keys=KEYS)
    header = SENDER.sign(body)
    with pytest.raises(Refusal) as refused:
        asyncio.run(receiver.authenticate({"authorization": header}, _flip(body, position, bits)))
    assert refused.value.status == 401


@settings(deadline=None)  # crypto on a shared machine: no time limit
@given(st.binary(max_size=2048), st.text(alphabet=st.characters(exclude_characters="\r\n")))
def test_a_counter_signed_ack_verifies_against_its_request(
    request_body: bytes, message_id: str
) -> None:
    ack = signed_ack_body(RECEIVER, request_body=request_body, message_id=message_id)
    checked = verify_ack(
        ack,
        request_body=request_body,
        message_id=message_id,
        public_key=RECEIVER.signing_public_key,
    )
    assert checked.ack.status == "ACK"


@settings(deadline=None)  # crypto on a shared machine: no time limit
@given(st.binary(max_size=512), st.binary(min_size=1, max_size=16))
def test_a_counter_signature_refuses_another_request(request_body: bytes, extra: bytes) -> None:
    ack = signed_ack_body(RECEIVER, request_body=request_body, message_id="m")
    try:
        verify_ack(
            ack,
            request_body=request_body + extra,
            message_id="m",
            public_key=RECEIVER.signing_public_key,
        )
    except SignatureError:
        return
    raise AssertionError("an Ack verified against another request")


def test_an_inbound_message_keeps_the_exact_bytes_it_was_signed_over() -> None:
    # Inbound.body is what handlers relay; it must be the signed bytes, never a re-serialisation.
    assert "body" in Inbound.__dataclass_fields__
