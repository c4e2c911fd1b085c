"""The rules for sending sign-in codes that the wallet and the seller platform share: a wait
between codes, at most five an hour, and the lock after wrong codes, which asking for a new
code does not undo."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from comptoir.kernel import one_time_codes as rules

NOW = datetime(2026, 1, 1, tzinfo=UTC)
INSTITUTION = "wallet-a"
PHONE = "+17585550101"


def digest(code: str) -> str:
    return rules.code_digest(INSTITUTION, PHONE, code)


def nothing_sent() -> rules.Attempt:
    return rules.Attempt(None, None, 0, None)


def send(attempt: rules.Attempt, at: datetime, code: str = "123456") -> rules.Attempt:
    assert rules.hold_on_sending(attempt, at) is None
    return rules.code_sent(attempt, digest=digest(code), now=at)


def test_a_phone_never_sent_a_code_may_get_one_at_once() -> None:
    assert rules.hold_on_sending(nothing_sent(), NOW) is None


def test_a_code_in_flight_makes_a_new_one_wait_thirty_seconds() -> None:
    sent = send(nothing_sent(), NOW)

    held = rules.hold_on_sending(sent, NOW + timedelta(seconds=29))

    assert held == rules.Held(rules.Hold.RESEND_WAIT, NOW + rules.RESEND_WAIT)
    assert timedelta(seconds=30) == rules.RESEND_WAIT  # as the identity block's codes
    assert rules.hold_on_sending(sent, NOW + timedelta(seconds=30)) is None


def test_a_used_code_makes_no_one_wait_for_the_next() -> None:
    sent = send(nothing_sent(), NOW)

    used = rules.check_code(sent, digest=digest("123456"), now=NOW + timedelta(seconds=5))

    assert used.accepted
    assert rules.hold_on_sending(used.after, NOW + timedelta(seconds=6)) is None


def test_the_sixth_code_in_an_hour_waits_for_the_window_to_end() -> None:
    attempt = nothing_sent()
    for minute in range(rules.MAX_CODES_PER_WINDOW):
        attempt = send(attempt, NOW + timedelta(minutes=minute))

    assert attempt.window_started_at == NOW
    assert attempt.sent_in_window == rules.MAX_CODES_PER_WINDOW == 5
    ends = NOW + rules.CODE_WINDOW
    held = rules.hold_on_sending(attempt, NOW + timedelta(minutes=59))
    assert held == rules.Held(rules.Hold.WINDOW_FULL, ends)
    assert rules.hold_on_sending(attempt, ends) is None
    again = rules.code_sent(attempt, digest=digest("654321"), now=ends)
    assert (again.window_started_at, again.sent_in_window) == (ends, 1)


def test_a_resend_asked_too_soon_is_told_the_shorter_wait_first() -> None:
    attempt = nothing_sent()
    for minute in range(rules.MAX_CODES_PER_WINDOW):
        attempt = send(attempt, NOW + timedelta(minutes=minute))
    last = NOW + timedelta(minutes=rules.MAX_CODES_PER_WINDOW - 1)

    held = rules.hold_on_sending(attempt, last + timedelta(seconds=1))

    assert held is not None and held.reason is rules.Hold.RESEND_WAIT


def test_a_locked_phone_gets_no_code_until_the_lock_ends_and_then_gets_one_at_once() -> None:
    attempt = send(nothing_sent(), NOW)
    for _ in range(rules.MAX_WRONG_CODES):
        attempt = rules.check_code(attempt, digest=digest("000000"), now=NOW).after

    held = rules.hold_on_sending(attempt, NOW + timedelta(minutes=9))

    assert held == rules.Held(rules.Hold.LOCKED, NOW + rules.LOCK_DURATION)
    assert rules.hold_on_sending(attempt, NOW + rules.LOCK_DURATION) is None


def test_asking_for_a_new_code_does_not_buy_more_guesses() -> None:
    attempt = send(nothing_sent(), NOW)
    for _ in range(rules.MAX_WRONG_CODES - 1):
        attempt = rules.check_code(attempt, digest=digest("000000"), now=NOW).after
    attempt = send(attempt, NOW + timedelta(minutes=1), code="654321")

    verdict = rules.check_code(attempt, digest=digest("000000"), now=NOW + timedelta(minutes=1))

    assert verdict.locked_until == NOW + timedelta(minutes=1) + rules.LOCK_DURATION


def test_a_new_code_replaces_the_one_before() -> None:
    attempt = send(nothing_sent(), NOW, code="111111")
    attempt = send(attempt, NOW + timedelta(minutes=1), code="222222")
    later = NOW + timedelta(minutes=2)

    assert not rules.check_code(attempt, digest=digest("111111"), now=later).accepted
    assert rules.check_code(attempt, digest=digest("222222"), now=later).accepted


@given(st.lists(st.sampled_from(["123456", "000000"]), max_size=6))
def test_judging_codes_never_gives_back_a_code_of_the_window(codes: list[str]) -> None:
    attempt = replace(send(nothing_sent(), NOW), window_started_at=NOW, sent_in_window=4)
    for code in codes:
        attempt = rules.check_code(attempt, digest=digest(code), now=NOW).after

    assert (attempt.window_started_at, attempt.sent_in_window) == (NOW, 4)


STEPS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40 * 60),  # seconds since the step before
        st.sampled_from(["ask", "ask", "ask", "right", "wrong"]),
    ),
    max_size=60,
)


@given(STEPS)
def test_however_codes_are_asked_for_and_typed_no_window_gets_more_than_five(
    steps: list[tuple[int, str]],
) -> None:
    attempt = nothing_sent()
    now = NOW
    sends: list[tuple[datetime, datetime, bool]] = []  # when, its window's start, live before
    for gap, action in steps:
        now += timedelta(seconds=gap)
        if action == "ask":
            held = rules.hold_on_sending(attempt, now)
            if held is not None:
                assert held.until > now  # a person is never told to wait for the past
                continue
            live_before = attempt.code_digest is not None
            attempt = rules.code_sent(attempt, digest=digest("123456"), now=now)
            assert attempt.window_started_at is not None
            sends.append((now, attempt.window_started_at, live_before))
        else:
            code = "123456" if action == "right" else "000000"
            attempt = rules.check_code(attempt, digest=digest(code), now=now).after

    for started in {start for _, start, _ in sends}:
        in_window = [at for at, start, _ in sends if start == started]
        assert len(in_window) <= rules.MAX_CODES_PER_WINDOW
        assert all(started <= at < started + rules.CODE_WINDOW for at in in_window)
    for (before, _, _), (after, _, live) in pairwise(sends):
        # A code still in flight holds the next one back for the whole wait.
        assert not live or after - before >= rules.RESEND_WAIT


@given(st.integers(min_value=1, max_value=3_600_000_000))
def test_the_wait_shown_is_rounded_up_to_a_whole_second(microseconds: int) -> None:
    until = NOW + timedelta(microseconds=microseconds)

    seconds = rules.seconds_until(until, NOW)

    assert NOW + timedelta(seconds=seconds) >= until
    assert NOW + timedelta(seconds=seconds - 1) < until
