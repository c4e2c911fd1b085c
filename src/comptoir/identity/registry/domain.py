"""The registry's pure rules: what a valid person or business is, and how one-time codes behave.

Standard library and the kernel only; no database, no web.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final

from comptoir.identity.registry.errors import RegistryError
from comptoir.kernel.i18n import AVAILABLE_LOCALES, lazy
from comptoir.kernel.phones import current_phone_region, e164_phone

CODE_DIGITS: Final = 6
CODE_LIFETIME: Final = timedelta(minutes=3)
RESEND_WAIT: Final = timedelta(seconds=30)
# At most this many codes to one phone in a window: the resend wait alone would let anyone
# send a stranger's phone 120 texts an hour, each one paid for by the operator.
MAX_CODES_PER_WINDOW: Final = 5
CODE_WINDOW: Final = timedelta(hours=1)
MAX_WRONG_CODES: Final = 3
LOCK_DURATION: Final = timedelta(minutes=10)
SESSION_LIFETIME: Final = timedelta(hours=8)
OLDEST_AGE_YEARS: Final = 130
BORN_IN_THE_FUTURE: Final = lazy("This date of birth is in the future. Check the year.")

LOGIN: Final = "login"
ENROL: Final = "enrol"

_NATIONAL_ID = re.compile(r"[A-Z0-9][A-Z0-9-]{2,63}")
_REGISTRATION_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9/.-]{1,63}")


# --- people and businesses ---------------------------------------------------------------------


def normalise_phone(text: str) -> str:
    """The number in E.164 (`+17585550101`), from what a person typed (spaces, dashes allowed):
    with "+" or "00" from any country, without as the node's country writes it ("758 555
    0101"; `kernel.phones`)."""
    e164 = e164_phone(text)
    if e164 is not None:
        return e164
    cleaned = text.strip()
    if not cleaned or (not cleaned.startswith(("+", "00")) and current_phone_region() is None):
        raise RegistryError(
            "invalid_phone",
            lazy("Write the phone number with its country code, for example +1 758 555 0101."),
            field="phone",
        )
    raise RegistryError(
        "invalid_phone",
        lazy("This is not a valid phone number. Check it, with its country code."),
        field="phone",
    )


def _refuse_control_characters(value: str, *, field: str) -> None:
    """Line breaks and tabs are spaces by then; any other control character (a NUL, a bell)
    is invisible on a page, would be kept in the record, and PostgreSQL refuses a NUL."""
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise RegistryError(
            "control_characters",
            lazy("This text holds invisible control characters. Type it again without them."),
            field=field,
        )


def clean_name(text: str, *, field: str = "name") -> str:
    name = " ".join(text.split())
    _refuse_control_characters(name, field=field)
    if not name:
        raise RegistryError("missing_name", lazy("Write the name."), field=field)
    if len(name) > 200:
        raise RegistryError(
            "name_too_long", lazy("The name is too long (200 characters at most)."), field=field
        )
    return name


def birthdate_text(day: str, month: str, year: str) -> str:
    """The date a form gives as three boxes (day, month, year), as ISO text for
    `parse_birthdate`; empty when all three are. Boxes rather than a date picker: they read the
    same in every language and on every browser, feature phones' included."""
    parts = [part.strip() for part in (year, month, day)]
    if not any(parts):
        return ""
    year_text, month_text, day_text = parts
    if month_text.isdigit() and day_text.isdigit():
        return f"{year_text}-{month_text.zfill(2)}-{day_text.zfill(2)}"
    return f"{year_text}-{month_text}-{day_text}"  # unreadable, refused as such


def parse_birthdate(text: str, *, today: date) -> date:
    if not text.strip():
        raise RegistryError(
            "missing_birthdate", lazy("Write the date of birth."), field="birthdate"
        )
    try:
        born = date.fromisoformat(text.strip())
    except ValueError:
        raise RegistryError(
            "invalid_birthdate",
            lazy(
                "This date of birth is not a real date. Check the day, the month (1 to 12) "
                "and the year (4 digits)."
            ),
            field="birthdate",
        ) from None
    if born > today:
        raise RegistryError("invalid_birthdate", BORN_IN_THE_FUTURE, field="birthdate")
    if born.year < today.year - OLDEST_AGE_YEARS:
        raise RegistryError(
            "invalid_birthdate",
            lazy("This date of birth is not possible. Check it."),
            field="birthdate",
        )
    return born


def clean_national_id(text: str | None) -> str | None:
    """None when not given; otherwise upper case without spaces, letters, digits and dashes."""
    if text is None:
        return None
    value = "".join(text.split()).upper()
    if not value:
        return None
    if not _NATIONAL_ID.fullmatch(value):
        raise RegistryError(
            "invalid_national_id",
            lazy("A national id number has 3 to 64 letters, digits or dashes."),
            field="national_id",
        )
    return value


def clean_locale(text: str) -> str:
    if text not in AVAILABLE_LOCALES:
        raise RegistryError("invalid_locale", lazy("Choose English or French."), field="locale")
    return text


def clean_registration_number(text: str) -> str:
    value = "".join(text.split()).upper()
    if not _REGISTRATION_NUMBER.fullmatch(value):
        raise RegistryError(
            "invalid_registration_number",
            lazy("A registration number has 2 to 64 letters, digits, dashes, dots or slashes."),
            field="registration_number",
        )
    return value


def clean_text(text: str, *, field: str, limit: int, missing: str) -> str:
    value = " ".join(text.split())
    _refuse_control_characters(value, field=field)
    if not value:
        raise RegistryError(f"missing_{field}", lazy(missing), field=field)
    if len(value) > limit:
        raise RegistryError(
            f"{field}_too_long",
            lazy("This is too long ({limit} characters at most).", limit=limit),
            field=field,
        )
    return value


# --- one-time codes ----------------------------------------------------------------------------


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def typed_code(text: str) -> str:
    """The code a person typed, spaces dropped ("123 456", as a message may show it). What
    cannot be a code (empty, letters, too few figures) is a slip, not a guess: it is refused
    before it is checked, so it costs none of the tries before the lock."""
    code = "".join(text.split())
    if len(code) != CODE_DIGITS or not (code.isascii() and code.isdigit()):
        raise RegistryError(
            "malformed_code",
            lazy("Enter the {digits}-figure code we sent you.", digits=CODE_DIGITS),
            field="code",
        )
    return code


def code_digest(secret: bytes, *, purpose: str, phone: str, code: str) -> str:
    """What is stored of a code: an HMAC under the node's secret, bound to phone and purpose,
    so neither the database nor its backups reveal a code (six digits are quick to try)."""
    message = f"identity-otp\n{purpose}\n{phone}\n{code.strip()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CodeState:
    """The sign-in state of one phone."""

    purpose: str | None
    digest: str | None
    sent_at: datetime | None
    expires_at: datetime | None
    failures: int
    locked_until: datetime | None
    window_started_at: datetime | None = None  # the first code of the current window
    sent_in_window: int = 0

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def resend_at(self) -> datetime | None:
        """When a new code may be sent (None: at once). The wait guards a code still in
        flight, so that texts cannot be run up; once it is used up (or voided by the lock,
        which has its own wait) nobody is waiting for it."""
        if self.sent_at is None or self.digest is None:
            return None
        return self.sent_at + RESEND_WAIT

    def window_full_until(self, now: datetime) -> datetime | None:
        """When the window that has had its `MAX_CODES_PER_WINDOW` codes ends (None: it has
        room, or has ended)."""
        if self.window_started_at is None or self.sent_in_window < MAX_CODES_PER_WINDOW:
            return None
        ends = self.window_started_at + CODE_WINDOW
        return ends if ends > now else None

    def counted(self, now: datetime) -> tuple[datetime, int]:
        """The window's start and count once one more code is sent at `now`."""
        if self.window_started_at is None or now >= self.window_started_at + CODE_WINDOW:
            return now, 1
        return self.window_started_at, self.sent_in_window + 1


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    after: CodeState
    locked_until: datetime | None = None  # set when the phone is (or just became) locked


def check_code(state: CodeState, *, purpose: str, digest: str, now: datetime) -> Verdict:
    """Judge a code. A locked phone is refused without looking at the code; the third wrong
    code in a row locks it for `LOCK_DURATION` and voids the code that was sent. A right
    code is used up."""
    if state.locked(now):
        return Verdict(False, state, state.locked_until)
    valid = (
        state.digest is not None
        and state.purpose == purpose
        and state.expires_at is not None
        and state.expires_at > now
        and hmac.compare_digest(state.digest, digest)
    )
    # The window of codes sent is carried through: judging a code never gives texts back.
    if valid:
        used = replace(
            state, purpose=None, digest=None, expires_at=None, failures=0, locked_until=None
        )
        return Verdict(True, used)
    failures = state.failures + 1
    if failures >= MAX_WRONG_CODES:
        until = now + LOCK_DURATION
        voided = replace(
            state, purpose=None, digest=None, expires_at=None, failures=0, locked_until=until
        )
        return Verdict(False, voided, until)
    return Verdict(False, replace(state, failures=failures, locked_until=None))


def safe_next(candidate: str | None, default: str = "/identity/me") -> str:
    """Only a local path starting with one "/" (not "//", not "/\\"): never an open redirect."""
    if (
        candidate
        and candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and not any(ord(character) < 0x20 for character in candidate)
        and len(candidate) <= 2000
    ):
        return candidate
    return default
