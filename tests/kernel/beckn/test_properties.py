"""Property-based tests of the protocol layer: signatures and counter-signatures over arbitrary
bytes verify, and any change to a single byte is refused."""

from __future__ import annotations

import asyncio
import json

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
from tests.kernel.beckn.messages import BAP_ID, BAP_URI, BPP_ID, identity, key_of, message

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
@given(
    st.binary(max_size=2048),
    # Line breaks and lone surrogates are refused as message ids (see the receiver's test).
    st.text(alphabet=st.characters(exclude_characters="\r\n", exclude_categories=("Cs",))),
)
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


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(["", " ", "\n", "\t", "  \r\n"]), st.booleans())
def test_the_handler_gets_the_exact_bytes_that_were_signed(spacing: str, ascii_only: bool) -> None:
    # Whitespace and escapes a re-serialisation would change: the handler (which may relay the
    # message) must get what the sender signed, byte for byte.
    document = message("select")
    document["message"]["contract"]["commitments"][0]["offer"]["descriptor"] = {"name": "Crème"}
    text = json.dumps(document, ensure_ascii=ascii_only, separators=("," + spacing, ":" + spacing))
    body = (spacing + text + spacing).encode()
    seen: list[Inbound] = []

    async def handler(inbound: Inbound) -> None:
        seen.append(inbound)

    receiver = BecknReceiver(
        identity=RECEIVER, keys=StaticKeySource([key_of(SENDER, "BAP", BAP_URI)])
    )
    answer = asyncio.run(
        receiver.receive("select", {"authorization": SENDER.sign(body)}, body, handler)
    )
    assert answer.status_code == 200, answer.body
    assert seen[0].body == body
