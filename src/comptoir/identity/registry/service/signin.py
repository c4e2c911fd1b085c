"""Proving a phone with a one-time code (to log in, or to enrol oneself); the session a right
code opens is `service/sessions.py`'s.

A code goes out through the SMS channel (outbox topic `sms.send`) in the same transaction that
stores its HMAC, so a code is sent if and only if it can be checked. Only the HMAC is kept
(under the node's secret); the code itself appears in the SMS and nowhere else: not in the
audit log, not in the logs. Three wrong codes lock the phone for ten minutes, the right code
included; a code lives three minutes; a new one waits thirty seconds after the last, and no
phone gets more than five in an hour.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum

from babel.dates import format_datetime, format_time
from sqlalchemy.orm import Session

from comptoir.identity.registry import domain
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.models import OneTimeCode
from comptoir.identity.registry.records import OTP, PersonRecord
from comptoir.identity.registry.service.people import (
    SELF,
    check_new_person,
    enrol_person,
    find_person_by_phone,
    method_locked,
)
from comptoir.identity.registry.service.sessions import start_session
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.code_sign_in import SMS_TOPIC
from comptoir.kernel.i18n import current_locale, lazy
from comptoir.kernel.outbox import publish


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    WRONG_CODE = "wrong_code"
    LOCKED = "locked"


@dataclass(frozen=True)
class CodeCheck:
    """The answer to a code: signed in (with the new session), wrong, or locked."""

    outcome: Outcome
    person: PersonRecord | None = None
    session_id: uuid.UUID | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True)
class CodeSent:
    phone: str
    expires_at: datetime


@dataclass(frozen=True)
class ClockTime:
    """A moment in a sentence, on the clock of the zone its reader lives in, written in the
    language the sentence is shown in (a refusal is worded when its page is rendered)."""

    moment: datetime
    zone: tzinfo
    with_date: bool = False

    def __format__(self, spec: str) -> str:
        if self.with_date:
            return format_datetime(self.moment, "medium", tzinfo=self.zone, locale=current_locale())
        return format_time(self.moment, "short", tzinfo=self.zone, locale=current_locale())

    def __str__(self) -> str:
        return format(self)


def send_sms(session: Session, *, to: str, body: str, clock: Clock) -> None:
    """Queue a text message for the SMS channel, in the caller's transaction."""
    publish(session, topic=SMS_TOPIC, payload={"to": to, "body": body}, key=to, clock=clock)


def _state(session: Session, phone: str, now: datetime) -> OneTimeCode:
    found = session.get(OneTimeCode, phone, with_for_update=True)
    if found is None:
        found = OneTimeCode(phone=phone, failures=0, updated_at=now, sent_in_window=0)
        session.add(found)
        session.flush()
    return found


def _as_domain(row: OneTimeCode) -> domain.CodeState:
    return domain.CodeState(
        row.purpose,
        row.code_digest,
        row.sent_at,
        row.expires_at,
        row.failures,
        row.locked_until,
        row.window_started_at,
        row.sent_in_window,
    )


def _refuse_if_locked(
    state: domain.CodeState, now: datetime, *, purpose: str, zone: tzinfo
) -> None:
    if state.locked(now):
        assert state.locked_until is not None
        # The same words as the code page's, once the lock began: the date with the time.
        time = ClockTime(state.locked_until, zone, with_date=True)
        # Said of what the person is doing: someone signing up has nothing to log in to yet.
        text = (
            lazy(
                "Too many wrong codes. Signing up with this number is locked until {time}.",
                time=time,
            )
            if purpose == domain.ENROL
            else lazy(
                "Too many wrong codes. Logging in with this number is locked until {time}.",
                time=time,
            )
        )
        raise RegistryError("phone_locked", text, field="phone")


def _issue_code(
    session: Session,
    *,
    phone: str,
    purpose: str,
    locale: str,
    secret: bytes,
    clock: Clock,
    zone: tzinfo,
) -> CodeSent:
    now = clock.now()
    row = _state(session, phone, now)
    state = _as_domain(row)
    _refuse_if_locked(state, now, purpose=purpose, zone=zone)
    resend_at = state.resend_at()
    if resend_at is not None and resend_at > now:
        seconds = int((resend_at - now).total_seconds()) + 1
        raise RegistryError(
            "resend_too_soon",
            lazy(
                "A code was just sent. Wait {seconds} seconds before asking for a new one.",
                seconds=seconds,
            ),
            field="phone",
        )
    window_full_until = state.window_full_until(now)
    if window_full_until is not None:
        raise RegistryError(
            "too_many_codes",
            lazy(
                "{count} codes were sent to this number in the last hour. You can ask for a new "
                "one at {time}.",
                count=domain.MAX_CODES_PER_WINDOW,
                time=ClockTime(window_full_until, zone),
            ),
            field="phone",
        )
    code = domain.new_code()
    row.window_started_at, row.sent_in_window = state.counted(now)
    row.purpose = purpose
    row.code_digest = domain.code_digest(secret, purpose=purpose, phone=phone, code=code)
    row.sent_at = now
    row.expires_at = now + domain.CODE_LIFETIME
    row.failures = 0
    row.updated_at = now
    if purpose == domain.LOGIN:
        text = lazy(
            "Your Comptoir code is {code}. It expires in 3 minutes. Never share it with anyone.",
            code=code,
        )
    else:
        text = lazy(
            "Your Comptoir registration code is {code}. It expires in 3 minutes. Never share "
            "it with anyone.",
            code=code,
        )
    send_sms(session, to=phone, body=text.render(locale), clock=clock)
    return CodeSent(phone, row.expires_at)


def _refuse_locked_method(session: Session, person: PersonRecord) -> None:
    if method_locked(session, person_id=person.id, method=OTP):
        raise RegistryError(
            "method_locked",
            lazy(
                "You have locked logging in with a code by SMS. Log in another way to unlock "
                "it, or ask a registry agent."
            ),
            field="phone",
        )


def request_login_code(
    session: Session, *, phone: str, secret: bytes, clock: Clock, zone: tzinfo
) -> CodeSent:
    """Send a login code to a registered phone whose owner has not locked codes by SMS.
    `zone` is where the person lives: a refusal says its times on their clock."""
    clean_phone = domain.normalise_phone(phone)
    person = find_person_by_phone(session, phone=clean_phone)
    if person is None:
        raise RegistryError(
            "unknown_phone",
            lazy("No one is registered with this phone number. Check it, or register first."),
            field="phone",
        )
    _refuse_locked_method(session, person)
    return _issue_code(
        session,
        phone=clean_phone,
        purpose=domain.LOGIN,
        locale=person.locale,
        secret=secret,
        clock=clock,
        zone=zone,
    )


def request_enrolment_code(
    session: Session,
    *,
    name: str,
    phone: str,
    birthdate: str | date,
    national_id: str | None,
    locale: str,
    secret: bytes,
    clock: Clock,
    zone: tzinfo,
) -> CodeSent:
    """Check what a person wants to register (duplicates are refused now, before any code),
    then send a code to prove the phone is theirs."""
    _name, clean_phone, _born, _id, clean_locale = check_new_person(
        session,
        name=name,
        phone=phone,
        birthdate=birthdate,
        national_id=national_id,
        locale=locale,
        today=clock.now().astimezone(UTC).date(),
    )
    return _issue_code(
        session,
        phone=clean_phone,
        purpose=domain.ENROL,
        locale=clean_locale,
        secret=secret,
        clock=clock,
        zone=zone,
    )


def _judge(
    session: Session, *, phone: str, purpose: str, code: str, secret: bytes, clock: Clock
) -> domain.Verdict:
    now = clock.now()
    row = _state(session, phone, now)
    if row.code_digest is None and not _as_domain(row).locked(now):
        # No code is waiting (the one sent was used, most often by this very form sent
        # twice): nothing can be guessed, so it is said plainly and costs no try.
        raise RegistryError(
            "no_code_waiting",
            lazy("No code is waiting for this number: the last one was used. Ask for a new one."),
            field="code",
        )
    digest = domain.code_digest(secret, purpose=purpose, phone=phone, code=code)
    verdict = domain.check_code(_as_domain(row), purpose=purpose, digest=digest, now=now)
    after = verdict.after
    newly_locked = verdict.locked_until is not None and row.locked_until != verdict.locked_until
    row.purpose = after.purpose
    row.code_digest = after.digest
    row.sent_at = after.sent_at
    row.expires_at = after.expires_at
    row.failures = after.failures
    row.locked_until = after.locked_until
    row.updated_at = now
    if newly_locked:
        audit.record(
            session,
            actor=f"phone:{phone}",
            action="identity.signin.locked",
            subject=f"phone:{phone}",
            details={"wrong_codes": domain.MAX_WRONG_CODES, "purpose": purpose},
            clock=clock,
        )
    return verdict


def confirm_login(
    session: Session, *, phone: str, code: str, secret: bytes, clock: Clock
) -> CodeCheck:
    """Check a login code; the right one opens a session. Wrong codes count towards the lock,
    so commit the transaction whatever the outcome."""
    clean_phone = domain.normalise_phone(phone)
    code = domain.typed_code(code)
    person = find_person_by_phone(session, phone=clean_phone)
    if person is not None:
        _refuse_locked_method(session, person)
    verdict = _judge(
        session, phone=clean_phone, purpose=domain.LOGIN, code=code, secret=secret, clock=clock
    )
    if verdict.locked_until is not None:
        return CodeCheck(Outcome.LOCKED, locked_until=verdict.locked_until)
    if not verdict.accepted or person is None:
        return CodeCheck(Outcome.WRONG_CODE)
    session_id = start_session(session, person_id=person.id, method=OTP, clock=clock)
    return CodeCheck(Outcome.SIGNED_IN, person=person, session_id=session_id)


def confirm_enrolment(
    session: Session,
    *,
    name: str,
    phone: str,
    birthdate: str | date,
    national_id: str | None,
    locale: str,
    code: str,
    secret: bytes,
    clock: Clock,
) -> CodeCheck:
    """Check an enrolment code; the right one enrols the person and opens their session."""
    clean_phone = domain.normalise_phone(phone)
    code = domain.typed_code(code)
    if find_person_by_phone(session, phone=clean_phone) is not None:
        # Most often this very form sent twice (a second press of the button): the first
        # one registered the person and used the code up. No code can enrol a registered
        # number, so this is said plainly rather than judged, and costs no try.
        raise RegistryError(
            "already_registered",
            lazy(
                "This phone number is registered now, perhaps by this form sent a moment "
                "ago. Log in with it."
            ),
            field="phone",
        )
    verdict = _judge(
        session, phone=clean_phone, purpose=domain.ENROL, code=code, secret=secret, clock=clock
    )
    if verdict.locked_until is not None:
        return CodeCheck(Outcome.LOCKED, locked_until=verdict.locked_until)
    if not verdict.accepted:
        return CodeCheck(Outcome.WRONG_CODE)
    person = enrol_person(
        session,
        name=name,
        phone=clean_phone,
        birthdate=birthdate,
        national_id=national_id,
        locale=locale,
        actor=SELF,
        clock=clock,
    )
    session_id = start_session(session, person_id=person.id, method=OTP, clock=clock)
    return CodeCheck(Outcome.SIGNED_IN, person=person, session_id=session_id)
