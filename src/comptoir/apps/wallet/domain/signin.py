"""Sign-in with a one-time code: its lifetime, and the lock after repeated wrong codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

CODE_DIGITS: Final = 6
CODE_LIFETIME: Final = timedelta(minutes=5)
MAX_WRONG_CODES: Final = 3
LOCK_DURATION: Final = timedelta(minutes=10)
SESSION_LIFETIME: Final = timedelta(hours=8)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(institution_id: str, phone: str, code: str) -> str:
    """What is stored of a code: bound to the institution and phone it was sent for."""
    message = f"{institution_id}\n{phone}\n{code.strip()}".encode()
    return hashlib.sha256(message).hexdigest()


def new_session_token() -> tuple[str, str]:
    """A session token for the cookie and the digest that the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, session_digest(token)


def session_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """The sign-in state of one phone at one institution."""

    code_digest: str | None
    code_expires_at: datetime | None
    failures: int
    locked_until: datetime | None


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
    if valid:
        return Verdict(True, Attempt(None, None, 0, None))
    failures = attempt.failures + 1
    if failures >= MAX_WRONG_CODES:
        until = now + LOCK_DURATION
        return Verdict(False, Attempt(None, None, 0, until), until)
    return Verdict(False, Attempt(attempt.code_digest, attempt.code_expires_at, failures, None))
