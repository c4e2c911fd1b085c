"""Beckn HTTP signatures, checked against BECKN-006 and the Beckn v2.0 `Signature` schema."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import (
    DEFAULT_SKEW_SECONDS,
    BecknSignature,
    SignatureError,
    body_digest,
    counter_signing_string,
    ed25519_key_from_seed,
    ed25519_private_key_from_base64,
    parse_signature_header,
    public_key_to_base64,
    sign_counter_signature,
    sign_request,
    signing_string,
    verify_counter_signature,
    verify_request,
)

# The worked example of BECKN-006 ("Signing Beckn APIs in HTTP", beckn/protocol-specifications,
# docs/BECKN-006-Signing-Beckn-APIs-In-HTTP.md), step 1: the BAP signs a search.
BECKN_006_BODY = (
    b'{"context":{"domain":"nic2004:60212","country":"IND","city":"Kochi","action":"search",'
    b'"core_version":"0.9.1","bap_id":"bap.stayhalo.in","bap_uri":'
    b'"https://8f9f-49-207-209-131.ngrok.io/protocol/","transaction_id":'
    b'"e6d9f908-1d26-4ff3-a6d1-3af3d3721054","message_id":"a2fe6d52-9fe4-4d1a-9d0b-dccb8b48522d",'
    b'"timestamp":"2022-01-04T09:17:55.971Z","ttl":"P1M"},"message":{"intent":{"fulfillment":'
    b'{"start":{"location":{"gps":"10.108768, 76.347517"}},"end":{"location":'
    b'{"gps":"10.102997, 76.353480"}}}}}}'
)
BECKN_006_PUBLIC_KEY = "awGPjRK6i/Vg/lWr+0xObclVxlwZXvTjWYtlu6NeOHk="
BECKN_006_PRIVATE_KEY = (
    "lP3sHA+9gileOkXYJXh4Jg8tK0gEEMbf9yCPnFpbldhrAY+NErqL9WD+Vav7TE5tyVXGXBle9ONZi2W7o144eQ=="
)
BECKN_006_DIGEST = (
    "b6lf6lRgOweajukcvcLsagQ2T60+85kRh/Rd2bdS+TG/5ALebOEgDJfyCrre/1+BMu5nA94o4DT3pTFXuUg7sw=="
)
BECKN_006_CREATED = 1641287875
BECKN_006_EXPIRES = 1641291475
BECKN_006_SIGNATURE = (
    "cjbhP0PFyrlSCNszJM1F/YmHDVAWsZqJUPzojnE/7TJU3fJ/rmIlgaUHEr5E0/2PIyf0tpSnWtT6cyNNlpmoAQ=="
)
BECKN_006_HEADER = (
    'Signature keyId="example-bap.com|ae3ea24b-cfec-495e-81f8-044aaef164ac|ed25519",'
    'algorithm="ed25519",created="1641287875",expires="1641291475",'
    'headers="(created) (expires) digest",'
    f'signature="{BECKN_006_SIGNATURE}"'
)
# The `pattern` of the `Signature` schema in the Beckn v2.0 OpenAPI document.
BECKN_V2_SIGNATURE_PATTERN = re.compile(
    r'^Signature keyId="[^|"]+\|[^|"]+\|[^"]+",algorithm="[^"]+",created="\d+",'
    r'expires="\d+",headers="[^"]+",signature="[A-Za-z0-9+/]+=*"$'
)

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
SIGNER = ed25519_key_from_seed(bytes(range(32)))
SIGNER_PUBLIC = public_key_to_base64(SIGNER)
TTL = 60

subscriber_ids = st.from_regex(r"[a-z0-9]([a-z0-9.-]{0,40}[a-z0-9])?", fullmatch=True)
unique_key_ids = st.uuids().map(str)


def signed(body: bytes = b'{"context":{}}', *, clock: FrozenClock | None = None) -> str:
    return sign_request(
        body,
        subscriber_id="bap.example.org",
        unique_key_id="7b0c1a6e-2f6d-4d57-a3a4-5f8e2d0c9b11",
        private_key=SIGNER,
        clock=clock or FrozenClock(START),
        ttl_seconds=TTL,
    )


def reason_of(header: str, body: bytes, *, clock: FrozenClock | None = None) -> str:
    with pytest.raises(SignatureError) as caught:
        verify_request(header, body, SIGNER_PUBLIC, clock=clock or FrozenClock(START))
    return caught.value.reason


# --- known answers --------------------------------------------------------------------------


def test_the_digest_is_base64_blake2b_512_as_in_the_beckn_006_hash_example() -> None:
    assert body_digest(b"The quick brown fox jumps over the lazy dog") == (
        "BLAKE-512=qK3Uvd39k+SHfSdG5igXsRY2Sh+nvBSNlQkLxzM7NnP4JAHPeqLkyx7NkCluPxTLVBP47Xe+cwRbE5FM3NapGA=="
    )


def test_it_reproduces_the_beckn_006_worked_example_byte_for_byte() -> None:
    private_key = ed25519_private_key_from_base64(BECKN_006_PRIVATE_KEY)

    message = signing_string(BECKN_006_CREATED, BECKN_006_EXPIRES, body_digest(BECKN_006_BODY))

    assert body_digest(BECKN_006_BODY) == f"BLAKE-512={BECKN_006_DIGEST}"
    assert message == (
        b"(created): 1641287875\n"
        b"(expires): 1641291475\n"
        b"digest: BLAKE-512=" + BECKN_006_DIGEST.encode()
    )
    assert base64.b64encode(private_key.sign(message)).decode() == BECKN_006_SIGNATURE


def test_it_verifies_the_beckn_006_example_header_within_its_validity() -> None:
    clock = FrozenClock(datetime.fromtimestamp(BECKN_006_CREATED + 10, tz=UTC))

    parsed = verify_request(BECKN_006_HEADER, BECKN_006_BODY, BECKN_006_PUBLIC_KEY, clock=clock)

    assert parsed.subscriber_id == "example-bap.com"
    assert parsed.unique_key_id == "ae3ea24b-cfec-495e-81f8-044aaef164ac"
    assert (parsed.created, parsed.expires) == (BECKN_006_CREATED, BECKN_006_EXPIRES)


def test_a_fixed_seed_and_body_give_exactly_the_signing_string_beckn_006_describes() -> None:
    key = ed25519_key_from_seed(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    body = b'{"context":{"action":"discover"},"message":{"intent":{}}}'
    clock = FrozenClock(datetime.fromtimestamp(1767225600, tz=UTC))
    expected_digest = base64.b64encode(hashlib.blake2b(body, digest_size=64).digest()).decode()
    expected = (
        b"(created): 1767225600\n(expires): 1767225630\ndigest: BLAKE-512="
        + expected_digest.encode()
    )

    header = sign_request(
        body,
        subscriber_id="bap.example.org",
        unique_key_id="key-1",
        private_key=key,
        clock=clock,
        ttl_seconds=30,
    )
    parsed = parse_signature_header(header)

    assert signing_string(1767225600, 1767225630, body_digest(body)) == expected
    # Checked with the key directly, so the test does not lean on verify_request.
    key.public_key().verify(parsed.signature, expected)
    assert header == (
        'Signature keyId="bap.example.org|key-1|ed25519",algorithm="ed25519",'
        'created="1767225600",expires="1767225630",headers="(created) (expires) digest",'
        f'signature="{base64.b64encode(key.sign(expected)).decode()}"'
    )
    assert verify_request(header, body, public_key_to_base64(key), clock=clock) == parsed


def test_the_header_matches_the_pattern_of_the_beckn_v2_signature_schema() -> None:
    assert BECKN_V2_SIGNATURE_PATTERN.fullmatch(signed())


def test_the_counter_signing_string_adds_the_request_digest_and_message_id_lines() -> None:
    assert counter_signing_string(1, 2, "BLAKE-512=ack", "BLAKE-512=request", "m-1") == (
        b"(created): 1\n(expires): 2\ndigest: BLAKE-512=ack\n"
        b"(request-digest): BLAKE-512=request\n(message-id): m-1"
    )


# --- round trips ----------------------------------------------------------------------------


@given(
    body=st.binary(max_size=4096),
    subscriber_id=subscriber_ids,
    unique_key_id=unique_key_ids,
    ttl_seconds=st.integers(min_value=1, max_value=86_400),
    seconds_later=st.integers(min_value=0, max_value=86_400),
)
def test_any_body_signed_then_verified_within_its_ttl_passes(
    body: bytes, subscriber_id: str, unique_key_id: str, ttl_seconds: int, seconds_later: int
) -> None:
    clock = FrozenClock(START)
    header = sign_request(
        body,
        subscriber_id=subscriber_id,
        unique_key_id=unique_key_id,
        private_key=SIGNER,
        clock=clock,
        ttl_seconds=ttl_seconds,
    )
    clock.advance(timedelta(seconds=min(seconds_later, ttl_seconds)))

    parsed = verify_request(header, body, SIGNER.public_key(), clock=clock)

    assert BECKN_V2_SIGNATURE_PATTERN.fullmatch(header)
    assert (parsed.subscriber_id, parsed.unique_key_id) == (subscriber_id, unique_key_id)
    assert parsed.expires - parsed.created == ttl_seconds
    assert parsed.key_id == f"{subscriber_id}|{unique_key_id}|ed25519"


@given(
    ack_body=st.binary(max_size=512),
    request_body=st.binary(max_size=512),
    message_id=unique_key_ids,
)
def test_any_counter_signature_signed_then_verified_passes(
    ack_body: bytes, request_body: bytes, message_id: str
) -> None:
    clock = FrozenClock(START)
    value = sign_counter_signature(
        ack_body,
        request_body=request_body,
        message_id=message_id,
        subscriber_id="bpp.example.org",
        unique_key_id="bpp-key",
        private_key=SIGNER,
        clock=clock,
    )

    parsed = verify_counter_signature(
        value,
        ack_body,
        request_body=request_body,
        message_id=message_id,
        public_key=SIGNER_PUBLIC,
        clock=clock,
    )

    assert parsed.headers == (
        "(created)",
        "(expires)",
        "digest",
        "(request-digest)",
        "(message-id)",
    )


# --- tampering ------------------------------------------------------------------------------


@given(body=st.binary(min_size=1, max_size=1024), data=st.data())
def test_changing_one_byte_of_the_body_breaks_the_signature(
    body: bytes, data: st.DataObject
) -> None:
    header = signed(body)
    position = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    tampered = body[:position] + bytes([body[position] ^ flip]) + body[position + 1 :]

    assert reason_of(header, tampered) == "bad_signature"


def test_re_serialised_json_with_the_same_meaning_does_not_verify() -> None:
    header = signed(b'{"a":1,"b":2}')

    assert reason_of(header, b'{"a": 1, "b": 2}') == "bad_signature"


def test_changing_created_in_the_header_breaks_the_signature() -> None:
    header = signed()
    created = parse_signature_header(header).created

    tampered = header.replace(f'created="{created}"', f'created="{created - 1}"')

    assert reason_of(tampered, b'{"context":{}}') == "bad_signature"


def test_changing_expires_in_the_header_breaks_the_signature() -> None:
    header = signed()
    expires = parse_signature_header(header).expires

    tampered = header.replace(f'expires="{expires}"', f'expires="{expires + 3600}"')

    assert reason_of(tampered, b'{"context":{}}') == "bad_signature"


def test_changing_the_key_id_does_not_change_what_the_signature_covers() -> None:
    # BECKN-006 signs only (created), (expires) and the digest; the keyId is trusted because
    # the verifier looks the key up by it, which is why the key must come from the registry.
    header = signed().replace("bap.example.org|", "other.example.org|")

    assert verify_request(header, b'{"context":{}}', SIGNER_PUBLIC, clock=FrozenClock(START))


def test_another_key_pair_does_not_verify_the_signature() -> None:
    other = Ed25519PrivateKey.generate()

    with pytest.raises(SignatureError) as caught:
        verify_request(signed(), b'{"context":{}}', other.public_key(), clock=FrozenClock(START))

    assert caught.value.reason == "bad_signature"


def test_a_signature_by_another_key_does_not_verify_with_ours() -> None:
    forged = sign_request(
        b"{}",
        subscriber_id="bap.example.org",
        unique_key_id="7b0c1a6e-2f6d-4d57-a3a4-5f8e2d0c9b11",
        private_key=Ed25519PrivateKey.generate(),
        clock=FrozenClock(START),
    )

    assert reason_of(forged, b"{}") == "bad_signature"


def test_a_public_key_that_is_not_a_key_is_reported_as_a_bad_key() -> None:
    with pytest.raises(SignatureError) as caught:
        verify_request(signed(), b'{"context":{}}', "not-a-key", clock=FrozenClock(START))

    assert caught.value.reason == "bad_key"


# --- time -----------------------------------------------------------------------------------


def test_it_refuses_a_signature_created_in_the_future_beyond_the_skew() -> None:
    clock = FrozenClock(START)
    header = signed(clock=clock)

    clock.set(START - timedelta(seconds=DEFAULT_SKEW_SECONDS + 1))

    assert reason_of(header, b'{"context":{}}', clock=clock) == "not_yet_valid"


def test_it_tolerates_a_signature_created_a_little_in_the_future() -> None:
    clock = FrozenClock(START)
    header = signed(clock=clock)

    clock.set(START - timedelta(seconds=DEFAULT_SKEW_SECONDS))

    assert verify_request(header, b'{"context":{}}', SIGNER_PUBLIC, clock=clock)


def test_it_refuses_a_signature_after_it_expires() -> None:
    clock = FrozenClock(START)
    header = signed(clock=clock)

    clock.advance(timedelta(seconds=TTL + DEFAULT_SKEW_SECONDS + 1))

    assert reason_of(header, b'{"context":{}}', clock=clock) == "expired"


def test_it_accepts_a_signature_up_to_its_expiry() -> None:
    clock = FrozenClock(START)
    header = signed(clock=clock)

    clock.advance(timedelta(seconds=TTL))

    assert verify_request(header, b'{"context":{}}', SIGNER_PUBLIC, clock=clock)


def test_a_zero_skew_makes_the_window_exact() -> None:
    clock = FrozenClock(START)
    header = signed(clock=clock)
    clock.advance(timedelta(seconds=TTL, milliseconds=1))

    with pytest.raises(SignatureError) as caught:
        verify_request(header, b'{"context":{}}', SIGNER_PUBLIC, clock=clock, skew_seconds=0)

    assert caught.value.reason == "expired"


# --- parsing --------------------------------------------------------------------------------

VALID_PARAMETERS = {
    "keyId": "bap.example.org|k1|ed25519",
    "algorithm": "ed25519",
    "created": "1772366400",
    "expires": "1772366460",
    "headers": "(created) (expires) digest",
    "signature": base64.b64encode(bytes(64)).decode(),
}


def header_with(**changes: str | None) -> str:
    parameters = {**VALID_PARAMETERS, **changes}
    return "Signature " + ",".join(
        f'{name}="{value}"' for name, value in parameters.items() if value is not None
    )


def test_it_parses_every_field_of_a_header() -> None:
    parsed = parse_signature_header(header_with())

    assert parsed == BecknSignature(
        subscriber_id="bap.example.org",
        unique_key_id="k1",
        algorithm="ed25519",
        created=1772366400,
        expires=1772366460,
        headers=("(created)", "(expires)", "digest"),
        signature=bytes(64),
    )


def test_it_accepts_spaces_after_commas_as_in_the_beckn_006_gateway_example() -> None:
    spaced = header_with().replace('",', '", ')

    assert parse_signature_header(spaced) == parse_signature_header(header_with())


def test_it_accepts_the_parameters_in_any_order_and_ignores_unknown_ones() -> None:
    reordered = (
        f'Signature signature="{VALID_PARAMETERS["signature"]}",'
        'headers="(created) (expires) digest",'
        'expires="1772366460",created="1772366400",algorithm="ed25519",'
        'keyId="bap.example.org|k1|ed25519",realm="example"'
    )

    assert parse_signature_header(reordered) == parse_signature_header(header_with())


@pytest.mark.parametrize(
    "header",
    [
        "",
        "   ",
        "Signature",
        "Signature ",
        header_with().removeprefix("Signature "),
        header_with().replace("Signature ", "Bearer ", 1),
        header_with(keyId=None),
        header_with(algorithm=None),
        header_with(created=None),
        header_with(expires=None),
        header_with(headers=None),
        header_with(signature=None),
        header_with(keyId="bap.example.org|ed25519"),
        header_with(keyId="bap.example.org|k1|ed25519|extra"),
        header_with(keyId="|k1|ed25519"),
        header_with(keyId="bap.example.org||ed25519"),
        header_with(created="12.5"),
        header_with(created="-1772366400"),
        header_with(created="+1772366400"),
        header_with(created=" 1772366400"),
        header_with(created="1_772_366_400"),
        header_with(created="١٧٧٢٣٦٦٤٠٠"),
        header_with(created="2026-03-01T12:00:00Z"),
        header_with(expires="soon"),
        header_with(expires="1772366399"),
        header_with(created="99999999999999999999"),
        header_with(headers="(created) (expires)"),
        header_with(headers="(created) digest"),
        header_with(headers="(created) (expires) digest host"),
        header_with(headers="(created) (expires) digest digest"),
        header_with(headers="(created)  (expires) digest"),
        header_with(signature="not base64!"),
        header_with(signature=base64.b64encode(bytes(63)).decode()),
        header_with(signature=""),
        header_with() + ',keyId="bap.example.org|k1|ed25519"',
        header_with() + ",",
        header_with() + " trailing",
        header_with().replace('created="1772366400"', 'created="1772366400'),
        header_with().replace(",", ";"),
        header_with().replace('created="1772366400"', 'created="17723\\"66400"'),
    ],
)
def test_a_malformed_header_is_refused_as_malformed(header: str) -> None:
    with pytest.raises(SignatureError) as caught:
        parse_signature_header(header)

    assert caught.value.reason == "malformed"


@pytest.mark.parametrize(
    "header",
    [
        header_with(algorithm="rsa-sha256", keyId="bap.example.org|k1|rsa-sha256"),
        header_with(algorithm="hs2019", keyId="bap.example.org|k1|hs2019"),
        header_with(algorithm="ED25519"),
        header_with(keyId="bap.example.org|k1|rsa-sha256"),
    ],
)
def test_an_algorithm_other_than_ed25519_is_refused(header: str) -> None:
    with pytest.raises(SignatureError) as caught:
        parse_signature_header(header)

    assert caught.value.reason == "algorithm"


def test_a_request_signature_must_not_claim_counter_signature_lines() -> None:
    counter = sign_counter_signature(
        b"{}",
        request_body=b"{}",
        message_id="m-1",
        subscriber_id="bpp.example.org",
        unique_key_id="k",
        private_key=SIGNER,
        clock=FrozenClock(START),
    )

    assert reason_of(counter, b"{}") == "malformed"


def test_a_counter_signature_must_cover_the_request_digest_and_message_id() -> None:
    with pytest.raises(SignatureError) as caught:
        verify_counter_signature(
            signed(b"{}"),
            b"{}",
            request_body=b"{}",
            message_id="m-1",
            public_key=SIGNER_PUBLIC,
            clock=FrozenClock(START),
        )

    assert caught.value.reason == "malformed"


@pytest.mark.parametrize(
    ("ack_body", "request_body", "message_id"),
    [
        (b'{"status":"NACK"}', b'{"context":{}}', "m-1"),
        (b'{"status":"ACK"}', b'{"context":{"x":1}}', "m-1"),
        (b'{"status":"ACK"}', b'{"context":{}}', "m-2"),
    ],
)
def test_a_counter_signature_is_tied_to_its_ack_its_request_and_its_message_id(
    ack_body: bytes, request_body: bytes, message_id: str
) -> None:
    clock = FrozenClock(START)
    value = sign_counter_signature(
        b'{"status":"ACK"}',
        request_body=b'{"context":{}}',
        message_id="m-1",
        subscriber_id="bpp.example.org",
        unique_key_id="k",
        private_key=SIGNER,
        clock=clock,
    )

    with pytest.raises(SignatureError) as caught:
        verify_counter_signature(
            value,
            ack_body,
            request_body=request_body,
            message_id=message_id,
            public_key=SIGNER_PUBLIC,
            clock=clock,
        )

    assert caught.value.reason == "bad_signature"


def test_a_gateway_signature_over_the_same_body_verifies_only_with_the_gateway_key() -> None:
    body = b'{"context":{"action":"discover"}}'
    clock = FrozenClock(START)
    gateway = Ed25519PrivateKey.generate()
    authorization = signed(body, clock=clock)
    gateway_authorization = sign_request(
        body,
        subscriber_id="gateway.example.org",
        unique_key_id="bg-key",
        private_key=gateway,
        clock=clock,
    )

    assert verify_request(authorization, body, SIGNER_PUBLIC, clock=clock)
    assert verify_request(gateway_authorization, body, gateway.public_key(), clock=clock)
    with pytest.raises(SignatureError):
        verify_request(gateway_authorization, body, SIGNER_PUBLIC, clock=clock)


@pytest.mark.parametrize(
    ("subscriber_id", "unique_key_id"),
    [("", "k"), ("bap", ""), ("bap|x", "k"), ("bap", 'k"1'), ("bap", "k\n1")],
)
def test_signing_refuses_ids_that_would_break_the_key_id(
    subscriber_id: str, unique_key_id: str
) -> None:
    with pytest.raises(ValueError, match="id"):
        sign_request(
            b"{}", subscriber_id=subscriber_id, unique_key_id=unique_key_id, private_key=SIGNER
        )


def test_signing_refuses_a_time_to_live_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="time to live"):
        sign_request(
            b"{}", subscriber_id="bap", unique_key_id="k", private_key=SIGNER, ttl_seconds=0
        )


def test_a_message_id_with_a_line_break_cannot_be_counter_signed() -> None:
    with pytest.raises(ValueError, match="line break"):
        sign_counter_signature(
            b"{}",
            request_body=b"{}",
            message_id="m-1\n(message-id): m-2",
            subscriber_id="bpp",
            unique_key_id="k",
            private_key=SIGNER,
        )
