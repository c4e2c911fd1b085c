"""Duplicate handling of FSPIOP requests: new, resend in progress, resend done, modified."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel.fspiop import (
    Action,
    Decision,
    FspiopError,
    StoredRequest,
    content_hash,
    decide,
    json_body,
)

TRANSFER_ID = "b51ec534-ee48-4575-b6a9-ead2955b8069"
TRANSFER = {
    "transferId": TRANSFER_ID,
    "payerFsp": "wallet-a",
    "payeeFsp": "wallet-b",
    "amount": {"currency": "XCD", "amount": "10.5"},
    "expiration": "2026-03-01T12:05:00.000Z",
}
BODY = json_body(TRANSFER)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def stored(outcome: str | None = None, *, body: bytes = BODY) -> StoredRequest[str]:
    return StoredRequest(TRANSFER_ID, content_hash(body), outcome, source="wallet-a")


def test_an_id_never_seen_is_processed() -> None:
    decision: Decision[str] = decide(None, request_id=TRANSFER_ID, body=BODY)
    assert (decision.action, decision.outcome) == (Action.PROCESS, None)


def test_a_resend_of_a_request_still_in_progress_is_ignored_as_its_callback_will_come() -> None:
    decision = decide(stored(), request_id=TRANSFER_ID, body=BODY, source="wallet-a")
    assert (decision.action, decision.outcome) == (Action.IGNORE, None)


def test_a_resend_of_a_finished_request_sends_its_outcome_again() -> None:
    decision = decide(stored("COMMITTED"), request_id=TRANSFER_ID, body=BODY, source="wallet-a")
    assert (decision.action, decision.outcome) == (Action.RESEND, "COMMITTED")


def test_a_resend_serialised_anew_is_still_a_resend() -> None:
    reserialised = json.dumps(dict(reversed(TRANSFER.items())), indent=2, ensure_ascii=True)
    decision = decide(stored("COMMITTED"), request_id=TRANSFER_ID, body=reserialised.encode())
    assert decision.action is Action.RESEND


@pytest.mark.parametrize(
    "change",
    [
        {"amount": {"currency": "XCD", "amount": "10.6"}},
        {"payeeFsp": "wallet-c"},
        {"note": "one more member"},
    ],
)
def test_the_same_id_with_other_content_is_a_modified_request(change: dict[str, object]) -> None:
    for outcome in (None, "COMMITTED"):
        with pytest.raises(FspiopError) as refused:
            decide(stored(outcome), request_id=TRANSFER_ID, body=json_body({**TRANSFER, **change}))
        assert (refused.value.code, refused.value.name) == ("3106", "Modified request")
        assert TRANSFER_ID in refused.value.description


def test_the_same_id_from_another_participant_is_a_modified_request() -> None:
    with pytest.raises(FspiopError) as refused:
        decide(stored("COMMITTED"), request_id=TRANSFER_ID, body=BODY, source="wallet-z")
    assert refused.value.code == "3106"


def test_a_stored_request_under_another_id_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="another id"):
        decide(stored(), request_id="another", body=BODY)


@given(value=json_values, indent=st.none() | st.integers(0, 3), sort=st.booleans())
def test_the_content_hash_ignores_how_the_body_was_serialised(
    value: object, indent: int | None, sort: bool
) -> None:
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    other = json.dumps(value, indent=indent, sort_keys=sort, ensure_ascii=True).encode()
    assert content_hash(compact) == content_hash(other) == content_hash(value)


@given(first=json_values, second=json_values)
def test_different_content_has_a_different_hash(first: object, second: object) -> None:
    if content_hash(first) == content_hash(second):
        # Only numbers spelled differently may share a canonical form (1 and 1.0).
        assert _numbers_as_decimals(first) == _numbers_as_decimals(second)


def _numbers_as_decimals(value: object) -> object:
    return json.loads(json.dumps(value), parse_float=Decimal, parse_int=Decimal)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (b'{"a": 1.50}', b'{"a":1.5}'),
        (b'{"a": 15e-1}', b'{"a":1.5}'),
        (b'{"a": 1}', b'{"a":1.0}'),
        (b'{"a": 100}', b'{"a":1E2}'),
        (b'{"a": -0}', b'{"a":0}'),
        (b'{"a": "\\u00e9"}', '{"a":"é"}'.encode()),
        (b'{"b": 1, "a": 2}', b'{"a":2,"b":1}'),
    ],
)
def test_equal_json_spelled_differently_has_one_hash(first: bytes, second: bytes) -> None:
    assert content_hash(first) == content_hash(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (b'{"a": 1}', b'{"a": "1"}'),
        (b'{"a": 1.5}', b'{"a": 1.05}'),
        (b'{"a": [1, 2]}', b'{"a": [2, 1]}'),
        (b'{"a": null}', b"{}"),
        (b'{"a": true}', b'{"a": 1}'),
        (b'{"a": "10.5"}', b'{"a": "10.50"}'),
    ],
)
def test_json_that_means_something_else_has_another_hash(first: bytes, second: bytes) -> None:
    assert content_hash(first) != content_hash(second)


def test_the_content_hash_is_sha256_in_hex() -> None:
    digest = content_hash(b"{}")
    assert digest == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"not json", "not JSON"),
        (b'{"a": NaN}', "not JSON"),
        (b"\xff", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b'{"a": 1, "a": 2}', "repeats a member"),
    ],
)
def test_a_body_without_one_json_meaning_is_malformed(body: bytes, why: str) -> None:
    with pytest.raises(FspiopError) as refused:
        content_hash(body)
    assert refused.value.code == "3101"
    assert why in refused.value.description


def test_a_parsed_body_with_a_value_json_cannot_hold_is_refused() -> None:
    with pytest.raises(TypeError):
        content_hash({"a": object()})
    with pytest.raises(FspiopError):
        content_hash({"a": float("inf")})
