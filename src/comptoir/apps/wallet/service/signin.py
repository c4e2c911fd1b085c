"""Signing in with a phone number and a one-time code, and the sessions that follow.

This is the fallback of signing in with Comptoir ID (`service/identity.py`, OpenID Connect),
which opens the same kind of session. The code goes to the phone by text message, through the
SMS channel (`send_code`).
A new code waits 30 seconds after the last, no phone gets more than five an hour at one
institution, and three wrong codes in a row lock the phone for ten minutes. A phone without an
account is answered exactly like one with (its asks are counted the same way, only nothing is
sent), so the form cannot tell who banks here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from comptoir.apps.wallet.domain import signin as rules
from comptoir.apps.wallet.domain.parties import normalise_phone
from comptoir.apps.wallet.models import Customer, SignIn, WalletSession
from comptoir.apps.wallet.service.context import Wallet, get_institution
from comptoir.kernel.code_sign_in import attempt_of, keep, locked_row, send_code
from comptoir.kernel.ids import new_id


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
        state = locked_row(session, SignIn, {"institution_id": institution_id, "phone": phone}, now)
        attempt = attempt_of(state)
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
        keep(state, after, now)
        if customer is not None:
            send_code(session, sender=institution.name, phone=phone, code=code, clock=wallet.clock)
        return CodeRequest(phone)


def verify_code(wallet: Wallet, *, institution_id: str, phone: str, code: str) -> SignInResult:
    """Check a code; a right one opens a session. Wrong codes count towards the lock."""
    phone = normalise_phone(phone)
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        get_institution(session, institution_id)
        state = locked_row(session, SignIn, {"institution_id": institution_id, "phone": phone}, now)
        verdict = rules.check_code(
            attempt_of(state), digest=rules.code_digest(institution_id, phone, code), now=now
        )
        keep(state, verdict.after, now)
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
            found.form_draft = None
