"""The registry's pure rules: phone numbers, the return path after login, one-time codes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.identity.registry import domain
from comptoir.identity.registry.errors import RegistryError

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SECRET = b"node-secret"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+1 758 555 0101", "+17585550101"),
        ("+1 (758) 555-0101", "+17585550101"),
        ("001 758 555 0101", "+17585550101"),
        ("+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_a_phone_number_is_kept_in_e164(typed: str, e164: str) -> None:
    assert domain.normalise_phone(typed) == e164


@pytest.mark.parametrize("typed", ["758 555 0101", "+1 234", "+999 1234567", "", "+1 758 abc"])
def test_a_phone_number_that_cannot_be_dialled_is_refused(typed: str) -> None:
    with pytest.raises(RegistryError) as refused:
        domain.normalise_phone(typed)

    assert (refused.value.code, refused.value.field) == ("invalid_phone", "phone")


@given(st.text(max_size=60))
def test_the_return_path_is_always_a_path_on_this_site(candidate: str) -> None:
    chosen = domain.safe_next(candidate)

    assert chosen.startswith("/")
    assert not chosen.startswith(("//", "/\\"))
    assert all(ord(character) >= 0x20 for character in chosen)


def sent(code: str, *, purpose: str = domain.LOGIN) -> domain.CodeState:
    digest = domain.code_digest(SECRET, purpose=purpose, phone="+17585550101", code=code)
    return domain.CodeState(purpose, digest, NOW, NOW + domain.CODE_LIFETIME, 0, None)


def judge(state: domain.CodeState, code: str, *, at: datetime = NOW) -> domain.Verdict:
    digest = domain.code_digest(SECRET, purpose=domain.LOGIN, phone="+17585550101", code=code)
    return domain.check_code(state, purpose=domain.LOGIN, digest=digest, now=at)


@given(st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_a_code_is_accepted_once_and_only_for_its_phone_and_purpose(code: str) -> None:
    accepted = judge(sent(code), code)

    assert accepted.accepted
    assert not judge(accepted.after, code).accepted
    assert not judge(sent(code, purpose=domain.ENROL), code).accepted


def test_the_digest_depends_on_the_node_secret() -> None:
    one = domain.code_digest(b"a", purpose=domain.LOGIN, phone="+17585550101", code="123456")
    other = domain.code_digest(b"b", purpose=domain.LOGIN, phone="+17585550101", code="123456")

    assert one != other and "123456" not in one


def test_the_third_wrong_code_locks_and_voids_the_code() -> None:
    state = sent("123456")
    for _ in range(2):
        verdict = judge(state, "000000")
        assert verdict.locked_until is None
        state = verdict.after

    locked = judge(state, "000000")

    assert locked.locked_until == NOW + domain.LOCK_DURATION
    assert locked.after.digest is None
    assert judge(locked.after, "123456", at=NOW + timedelta(minutes=11)).accepted is False


def test_a_code_in_flight_makes_a_new_one_wait_and_a_used_one_does_not() -> None:
    state = sent("123456")
    assert state.resend_at() == NOW + domain.RESEND_WAIT

    used = judge(state, "123456")

    assert used.accepted and used.after.resend_at() is None


def test_the_sixth_code_in_an_hour_waits_for_the_window_to_end() -> None:
    state = sent("123456")
    for minute in range(domain.MAX_CODES_PER_WINDOW):
        at = NOW + timedelta(minutes=minute)
        assert state.window_full_until(at) is None
        started, count = state.counted(at)
        state = replace(state, window_started_at=started, sent_in_window=count)

    assert state.window_started_at == NOW and state.sent_in_window == domain.MAX_CODES_PER_WINDOW
    ends = NOW + domain.CODE_WINDOW
    assert state.window_full_until(NOW + timedelta(minutes=59)) == ends
    assert state.window_full_until(ends) is None
    assert state.counted(ends) == (ends, 1)


@given(st.lists(st.sampled_from(["123456", "000000"]), max_size=6))
def test_judging_codes_never_gives_back_a_code_of_the_window(codes: list[str]) -> None:
    state = replace(sent("123456"), window_started_at=NOW, sent_in_window=4)
    for code in codes:
        state = judge(state, code).after

    assert (state.window_started_at, state.sent_in_window) == (NOW, 4)
