"""Signing in with a one-time code sent to a phone: how long a code lives, how often one may be
sent, and the lock after repeated wrong codes. Pure rules, shared by the participant apps that
sign people in this way (the wallet, the seller platform); each keeps the state in its own table.

The limits on sending mirror those of the identity block's codes (a wait between codes and a
cap per hour): the participant apps set the same policy, yet import nothing of the
infrastructure's.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

CODE_DIGITS: Final = 6
CODE_LIFETIME: Final = timedelta(minutes=5)
RESEND_WAIT: Final = timedelta(seconds=30)
# At most this many codes to one phone at one place (institution, platform) in a window: the
# resend wait alone would let anyone send a stranger's phone 120 texts an hour, each one paid
# for by whoever runs the place.
MAX_CODES_PER_WINDOW: Final = 5
CODE_WINDOW: Final = timedelta(hours=1)
MAX_WRONG_CODES: Final = 3
LOCK_DURATION: Final = timedelta(minutes=10)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(place: str, phone: str, code: str) -> str:
    """What is stored of a code: bound to the place (an institution, a platform) and the phone
    it was sent for."""
    message = f"{place}\n{phone}\n{code.strip()}".encode()
    return hashlib.sha256(message).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """The sign-in state of one phone at one place."""

    code_digest: str | None
    code_expires_at: datetime | None
    failures: int
    locked_until: datetime | None
    code_sent_at: datetime | None = None
    window_started_at: datetime | None = None  # the first code of the current window
    sent_in_window: int = 0


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    after: Attempt
    locked_until: datetime | None = None  # set when the phone is (or just became) locked


def is_locked(attempt: Attempt, now: datetime) -> bool:
    return attempt.locked_until is not None and attempt.locked_until > now


def check_code(attempt: Attempt, *, digest: str, now: datetime) -> Verdict:
    """Judge a code. A locked phone is refused without looking at the code; the third wrong
    code in a row locks it for `LOCK_DURATION` and voids the code that was sent."""
    if is_locked(attempt, now):
        return Verdict(False, attempt, attempt.locked_until)
    valid = (
        attempt.code_digest is not None
        and attempt.code_expires_at is not None
        and attempt.code_expires_at > now
        and hmac.compare_digest(attempt.code_digest, digest)
    )
    # The window of codes sent is carried through: judging a code never gives texts back.
    if valid:
        used = replace(
            attempt, code_digest=None, code_expires_at=None, failures=0, locked_until=None
        )
        return Verdict(True, used)
    failures = attempt.failures + 1
    if failures >= MAX_WRONG_CODES:
        until = now + LOCK_DURATION
        voided = replace(
            attempt, code_digest=None, code_expires_at=None, failures=0, locked_until=until
        )
        return Verdict(False, voided, until)
    return Verdict(False, replace(attempt, failures=failures, locked_until=None))


# --- sending codes -----------------------------------------------------------------------------


class Hold(StrEnum):
    """Why no code may be sent now."""

    LOCKED = "locked"  # three wrong codes: the lock has its own wait
    RESEND_WAIT = "resend_wait"  # a code is still in flight
    WINDOW_FULL = "window_full"  # the window has had its `MAX_CODES_PER_WINDOW` codes


@dataclass(frozen=True)
class Held:
    reason: Hold
    until: datetime  # when a code may be asked for again


def resend_at(attempt: Attempt) -> datetime | None:
    """When a new code may be sent (None: at once). The wait guards a code still in flight, so
    that texts cannot be run up; once it is used up (or voided by the lock, which has its own
    wait) nobody is waiting for it."""
    if attempt.code_sent_at is None or attempt.code_digest is None:
        return None
    return attempt.code_sent_at + RESEND_WAIT


def window_full_until(attempt: Attempt, now: datetime) -> datetime | None:
    """When the window that has had its `MAX_CODES_PER_WINDOW` codes ends (None: it has room,
    or has ended)."""
    if attempt.window_started_at is None or attempt.sent_in_window < MAX_CODES_PER_WINDOW:
        return None
    ends = attempt.window_started_at + CODE_WINDOW
    return ends if ends > now else None


def hold_on_sending(attempt: Attempt, now: datetime) -> Held | None:
    """Why no code may be sent at `now`, and until when (None: one may be sent)."""
    if is_locked(attempt, now):
        assert attempt.locked_until is not None
        return Held(Hold.LOCKED, attempt.locked_until)
    resend = resend_at(attempt)
    if resend is not None and resend > now:
        return Held(Hold.RESEND_WAIT, resend)
    full_until = window_full_until(attempt, now)
    if full_until is not None:
        return Held(Hold.WINDOW_FULL, full_until)
    return None


def code_sent(attempt: Attempt, *, digest: str, now: datetime) -> Attempt:
    """The state once a new code goes out at `now`: it replaces the one before, and counts in
    the current window (or starts a new one, when the last has ended). Wrong codes still count
    towards the lock, so asking for a new code does not buy more guesses."""
    if attempt.window_started_at is None or now >= attempt.window_started_at + CODE_WINDOW:
        started, count = now, 1
    else:
        started, count = attempt.window_started_at, attempt.sent_in_window + 1
    return replace(
        attempt,
        code_digest=digest,
        code_expires_at=now + CODE_LIFETIME,
        code_sent_at=now,
        window_started_at=started,
        sent_in_window=count,
    )


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds a person is told to wait for `moment`, rounded up so that they never come
    back a moment too early."""
    return max(1, math.ceil((moment - now).total_seconds()))
