"""Signing in with a phone number and a one-time code, and the sessions that follow.

This is the fallback of signing in with Comptoir ID (`service/identity.py`, OpenID Connect),
which opens the same kind of session. The code goes out through `deliver_code`, the one
function to swap when the SMS block takes over; for now it prints the code on the server
console.
A new code waits 30 seconds after the last, no phone gets more than five an hour at one
institution, and three wrong codes in a row lock the phone for ten minutes. A phone without an
account is answered exactly like one with (its asks are counted the same way, only nothing is
sent), so the form cannot tell who banks here.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from comptoir.apps.wallet.domain import signin as rules
from comptoir.apps.wallet.domain.parties import normalise_phone
from comptoir.apps.wallet.models import Customer, SignIn, WalletSession
from comptoir.apps.wallet.service.context import Wallet, get_institution
from comptoir.kernel.ids import new_id


def deliver_code(institution_name: str, phone: str, code: str) -> None:
    """Send a one-time code to a phone. The demo prints it on the server console."""
    sys.stderr.write(f"[wallet] {institution_name}: sign-in code for {phone} is {code}\n")
    sys.stderr.flush()


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    WRONG_CODE = "wrong_code"
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: Outcome
    token: str | None = None  # the session cookie's value, when signed in
    locked_until: datetime | None = None


@dataclass(frozen=True)
class CodeRequest:
    """The answer to asking for a code: the phone, normalised, and, when no code may be sent
    yet, why and until when. A locked phone is answered as if a code were sent (the lock says
    so at the next code typed)."""

    phone: str
    held: rules.Held | None = None


def request_code(wallet: Wallet, *, institution_id: str, phone: str) -> CodeRequest:
    """Send a code to `phone` if it has an account here and none is held back by the wait
    between codes, the hourly cap or the lock. A refused ask changes nothing."""
    phone = normalise_phone(phone)
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        customer = session.scalar(
            select(Customer).where(
                Customer.institution_id == institution_id, Customer.phone == phone
            )
        )
        state = _state(session, institution_id, phone, now)
        attempt = _attempt(state)
        held = rules.hold_on_sending(attempt, now)
        if held is not None:
            # Nothing was written: a phone held back already had its row.
            if held.reason is rules.Hold.LOCKED:
                return CodeRequest(phone)
            return CodeRequest(phone, held)
        # A phone without an account gets a code that goes nowhere, stored and counted like
        # any other, so that its waits and its cap answer as an account's would.
        code = rules.new_code()
        after = rules.code_sent(
            attempt, digest=rules.code_digest(institution_id, phone, code), now=now
        )
        _keep(state, after, now)
        if customer is not None:
            deliver_code(institution.name, phone, code)
        return CodeRequest(phone)


def _state(session: Session, institution_id: str, phone: str, now: datetime) -> SignIn:
    """The phone's row, locked for this transaction. It is made first if need be, in a way
    that two asks at once cannot both make it, so concurrent asks queue on one row and the
    cap holds."""
    found = session.get(SignIn, (institution_id, phone), with_for_update=True)
    if found is not None:
        return found
    values = {
        "institution_id": institution_id,
        "phone": phone,
        "failures": 0,
        "sent_in_window": 0,
        "updated_at": now,
    }
    # The two databases Comptoir runs on; both skip a row another transaction just made.
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(module.insert(SignIn).values(values).on_conflict_do_nothing())
    found = session.get(SignIn, (institution_id, phone), with_for_update=True)
    assert found is not None
    return found


def _attempt(state: SignIn) -> rules.Attempt:
    return rules.Attempt(
        state.code_digest,
        state.code_expires_at,
        state.failures,
        state.locked_until,
        state.code_sent_at,
        state.window_started_at,
        state.sent_in_window,
    )


def _keep(state: SignIn, attempt: rules.Attempt, now: datetime) -> None:
    state.code_digest = attempt.code_digest
    state.code_expires_at = attempt.code_expires_at
    state.failures = attempt.failures
    state.locked_until = attempt.locked_until
    state.code_sent_at = attempt.code_sent_at
    state.window_started_at = attempt.window_started_at
    state.sent_in_window = attempt.sent_in_window
    state.updated_at = now


def verify_code(wallet: Wallet, *, institution_id: str, phone: str, code: str) -> SignInResult:
    """Check a code; a right one opens a session. Wrong codes count towards the lock."""
    phone = normalise_phone(phone)
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        get_institution(session, institution_id)
        state = _state(session, institution_id, phone, now)
        verdict = rules.check_code(
            _attempt(state), digest=rules.code_digest(institution_id, phone, code), now=now
        )
        _keep(state, verdict.after, now)
        customer = session.scalar(
            select(Customer).where(
                Customer.institution_id == institution_id, Customer.phone == phone
            )
        )
        if verdict.locked_until is not None:
            return SignInResult(Outcome.LOCKED, locked_until=verdict.locked_until)
        if not verdict.accepted or customer is None:
            return SignInResult(Outcome.WRONG_CODE)
        token, digest = rules.new_session_token()
        session.add(
            WalletSession(
                id=new_id(),
                institution_id=institution_id,
                customer_id=customer.id,
                token_digest=digest,
                created_at=now,
                expires_at=now + rules.SESSION_LIFETIME,
            )
        )
        return SignInResult(Outcome.SIGNED_IN, token=token)


def session_customer(wallet: Wallet, *, institution_id: str, token: str | None) -> uuid.UUID | None:
    """The customer a session cookie belongs to, if it is live and for this institution."""
    if not token or len(token) > 100:
        return None
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        found = session.scalar(
            select(WalletSession).where(WalletSession.token_digest == rules.session_digest(token))
        )
        if (
            found is None
            or found.institution_id != institution_id
            or found.ended_at is not None
            or found.expires_at <= now
        ):
            return None
        return found.customer_id


def sign_out(wallet: Wallet, *, token: str | None) -> None:
    if not token:
        return
    with wallet.database.transaction() as session:
        found = session.scalar(
            select(WalletSession).where(WalletSession.token_digest == rules.session_digest(token))
        )
        if found is not None and found.ended_at is None:
            found.ended_at = wallet.clock.now()
