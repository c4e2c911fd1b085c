from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.fspiop import ilp

# The ILP Payment packet printed as the IlpPacket example of the FSPIOP v2.0 OpenAPI document.
SPEC_EXAMPLE = (
    "AYIBgQAAAAAAAASwNGxldmVsb25lLmRmc3AxLm1lci45T2RTOF81MDdqUUZERmZlakgyOVc4bXFmNEpLMHlGTFGCAU"
    "BQU0svMS4wCk5vbmNlOiB1SXlweUYzY3pYSXBFdzVVc05TYWh3CkVuY3J5cHRpb246IG5vbmUKUGF5bWVudC1JZDog"
    "MTMyMzZhM2ItOGZhOC00MTYzLTg0NDctNGMzZWQzZGE5OGE3CgpDb250ZW50LUxlbmd0aDogMTM1CkNvbnRlbnQtVH"
    "lwZTogYXBwbGljYXRpb24vanNvbgpTZW5kZXItSWRlbnRpZmllcjogOTI4MDYzOTEKCiJ7XCJmZWVcIjowLFwidHJh"
    "bnNmZXJDb2RlXCI6XCJpbnZvaWNlXCIsXCJkZWJpdE5hbWVcIjpcImFsaWNlIGNvb3BlclwiLFwiY3JlZGl0TmFtZV"
    "wiOlwibWVyIGNoYW50XCIsXCJkZWJpdElkZW50aWZpZXJcIjpcIjkyODA2MzkxXCJ9IgA"
)


def test_it_reads_the_legacy_payment_packet_of_the_fspiop_example() -> None:
    packet = ilp.decode(SPEC_EXAMPLE)
    assert packet.amount == 1200
    assert packet.destination.startswith("levelone.dfsp1.mer.")
    assert packet.data.startswith(b"PSK/1.0")
    assert packet.expires_at is None


@given(
    amount=st.integers(0, 2**64 - 1),
    destination=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-_", min_size=1),
    data=st.binary(max_size=3000),
    millis=st.integers(0, 10**12),
)
def test_a_prepare_packet_round_trips(
    amount: int, destination: str, data: bytes, millis: int
) -> None:
    _fulfilment, condition = ilp.new_fulfilment()
    expires = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    packet = ilp.decode(
        ilp.encode_prepare(
            amount=amount,
            destination=destination,
            data=data,
            expires_at=expires,
            condition=condition,
        )
    )
    assert (packet.amount, packet.destination, packet.data) == (amount, destination, data)
    assert packet.expires_at == expires
    assert packet.condition is not None and ilp.b64url(packet.condition) == condition


def test_the_transaction_travels_in_the_packet_data() -> None:
    fulfilment, condition = ilp.new_fulfilment()
    transaction = {"transactionId": "0192f000-0000-7000-8000-000000000001", "note": "Kwéyòl"}
    packet = ilp.transaction_packet(
        transaction,
        amount=1250,
        destination="g.comptoir.b",
        condition=condition,
        expires_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert ilp.decode(packet).transaction() == transaction
    assert ilp.fulfils(fulfilment, condition)


def test_a_fulfilment_that_does_not_hash_to_the_condition_does_not_fulfil_it() -> None:
    fulfilment, _ = ilp.new_fulfilment()
    _, other_condition = ilp.new_fulfilment()
    assert not ilp.fulfils(fulfilment, other_condition)
    assert not ilp.fulfils("not-base64!", other_condition)


@pytest.mark.parametrize("packet", ["", "DA", "DAU", "AQ", "DIIBAAA", "BwAA", "DAoAAAAAAAAAAQ"])
def test_a_truncated_or_unknown_packet_is_refused_with_a_reason(packet: str) -> None:
    with pytest.raises(ilp.IlpError):
        ilp.decode(packet)


def test_packet_data_nested_deeper_than_the_parser_goes_carries_no_transaction() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    assert ilp.IlpPacket(amount=1, destination="g.payee", data=deep).transaction() is None
