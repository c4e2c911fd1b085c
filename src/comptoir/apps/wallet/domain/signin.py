"""Sign-in with a one-time code: the shared rules (`kernel/one_time_codes.py`: the code's
lifetime, the wait between codes, the hourly cap, the lock after repeated wrong codes), under
the names the wallet has always used, and the wallet's own sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Final

from comptoir.kernel.one_time_codes import (
    CODE_DIGITS,
    CODE_LIFETIME,
    CODE_WINDOW,
    LOCK_DURATION,
    MAX_CODES_PER_WINDOW,
    MAX_WRONG_CODES,
    RESEND_WAIT,
    Attempt,
    Held,
    Hold,
    Verdict,
    check_code,
    code_digest,
    code_sent,
    hold_on_sending,
    is_locked,
    new_code,
    resend_at,
    seconds_until,
    window_full_until,
)

__all__ = [
    "CODE_DIGITS",
    "CODE_LIFETIME",
    "CODE_WINDOW",
    "LOCK_DURATION",
    "MAX_CODES_PER_WINDOW",
    "MAX_WRONG_CODES",
    "RESEND_WAIT",
    "SESSION_LIFETIME",
    "Attempt",
    "Held",
    "Hold",
    "Verdict",
    "check_code",
    "code_digest",
    "code_sent",
    "hold_on_sending",
    "is_locked",
    "new_code",
    "new_session_token",
    "resend_at",
    "seconds_until",
    "session_digest",
    "window_full_until",
]

SESSION_LIFETIME: Final = timedelta(hours=8)


def new_session_token() -> tuple[str, str]:
    """A session token for the cookie and the digest that the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, session_digest(token)


def session_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
