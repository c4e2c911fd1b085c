"""Signing in with a phone number and a one-time code, and the sessions that follow.

This is the fallback of signing in with Comptoir ID (`service/identity.py`, OpenID Connect),
which opens the same kind of session. The code goes out through `deliver_code`, the one
function to swap when the SMS block takes over; for now it prints the code on the server
console.
Three wrong codes in a row lock the phone for ten minutes; a phone without an account is
answered exactly like one with, so the form cannot tell who banks here.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
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


def request_code(wallet: Wallet, *, institution_id: str, phone: str) -> str:
    """Send a code to `phone` if it has an account here; returns the phone, normalised.
    A locked phone gets no new code (the lock stands until it expires)."""
    phone = normalise_phone(phone)
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        customer = session.scalar(
            select(Customer).where(
                Customer.institution_id == institution_id, Customer.phone == phone
            )
        )
        if customer is None:
            return phone
        state = _state(session, institution_id, phone, now)
        if state.locked_until is not None and state.locked_until > now:
            return phone
        code = rules.new_code()
        state.code_digest = rules.code_digest(institution_id, phone, code)
        state.code_expires_at = now + rules.CODE_LIFETIME
        state.updated_at = now
        deliver_code(institution.name, phone, code)
        return phone


def _state(session: Session, institution_id: str, phone: str, now: datetime) -> SignIn:
    found = session.get(SignIn, (institution_id, phone), with_for_update=True)
    if found is None:
        found = SignIn(
            institution_id=institution_id,
            phone=phone,
            failures=0,
            updated_at=now,
        )
        session.add(found)
        session.flush()
    return found


def verify_code(wallet: Wallet, *, institution_id: str, phone: str, code: str) -> SignInResult:
    """Check a code; a right one opens a session. Wrong codes count towards the lock."""
    phone = normalise_phone(phone)
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        get_institution(session, institution_id)
        state = _state(session, institution_id, phone, now)
        attempt = rules.Attempt(
            state.code_digest, state.code_expires_at, state.failures, state.locked_until
        )
        verdict = rules.check_code(
            attempt, digest=rules.code_digest(institution_id, phone, code), now=now
        )
        state.code_digest = verdict.after.code_digest
        state.code_expires_at = verdict.after.code_expires_at
        state.failures = verdict.after.failures
        state.locked_until = verdict.after.locked_until
        state.updated_at = now
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
