"""Shop owners sign in with their phone number and a one-time code.

The one-time code is the fallback of signing in with Comptoir ID (`service/identity.py`), which
ends in the same `open_session` for the business the verified phone number belongs to.
The code goes to the phone by text message, through the SMS channel (`send_code`).
The rules are those of `kernel/one_time_codes.py`: a new code waits 30 seconds after the last,
no phone gets more than five an hour at one platform, and three wrong codes in a row lock the
phone for ten minutes. A number without a shop is answered exactly like one with (its asks and
its wrong codes are counted the same way, only nothing is sent), so the form cannot tell who
sells here.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.seller.models import Business, OwnerSession, SignIn
from comptoir.apps.seller.service.context import Seller, get_platform
from comptoir.kernel import audit
from comptoir.kernel import one_time_codes as rules
from comptoir.kernel.code_sign_in import attempt_of, keep, locked_row, send_code
from comptoir.kernel.ids import new_id
from comptoir.kernel.phones import e164_phone

SESSION_LIFETIME: Final = timedelta(hours=8)


def normalise_phone(phone: str) -> str:
    """The number in E.164 as `kernel.phones` reads it (a local one as the node's country
    writes it), or "" when what was typed cannot be a number."""
    return e164_phone(phone) or ""


def possible_phone(e164: str) -> bool:
    """Whether `normalise_phone` made a number of it."""
    return bool(e164) and e164_phone(e164) == e164


def find_business(session: Session, platform_id: str, phone: str) -> Business | None:
    return session.scalar(
        select(Business).where(Business.platform_id == platform_id, Business.phone == phone)
    )


@dataclass(frozen=True)
class CodeRequest:
    """The answer to asking for a code: the phone, normalised, and, when no code may be sent
    yet, why and until when. A locked phone is answered as if a code were sent (the wrong-code
    message already says to wait ten minutes)."""

    phone: str
    held: rules.Held | None = None


def request_code(seller: Seller, *, platform_id: str, phone: str) -> CodeRequest:
    """Send a code to `phone` if it belongs to a business here and none is held back by the
    wait between codes, the hourly cap or the lock. A refused ask changes nothing."""
    phone = normalise_phone(phone)
    now = seller.clock.now()
    with seller.database.transaction() as session:
        platform = get_platform(session, platform_id)
        business = find_business(session, platform_id, phone)
        state = locked_row(session, SignIn, {"platform_id": platform_id, "phone": phone}, now)
        attempt = attempt_of(state)
        held = rules.hold_on_sending(attempt, now)
        if held is not None:
            # Nothing was written: a phone held back already had its row.
            if held.reason is rules.Hold.LOCKED:
                return CodeRequest(phone)
            return CodeRequest(phone, held)
        # A number without a shop gets a code that goes nowhere, stored and counted like any
        # other, so that its waits, its cap and its lock answer as a shop's would.
        code = rules.new_code()
        digest = rules.code_digest(platform_id, phone, code)
        after = rules.code_sent(attempt, digest=digest, now=now)
        keep(state, after, now)
        if business is not None:
            send_code(session, sender=platform.name, phone=phone, code=code, clock=seller.clock)
        return CodeRequest(phone)


def verify_code(seller: Seller, *, platform_id: str, phone: str, code: str) -> str | None:
    """A session token when the code is right; None otherwise (wrong, expired or locked).
    Wrong codes count towards the lock, for a number without a shop too."""
    phone = normalise_phone(phone)
    now = seller.clock.now()
    with seller.database.transaction() as session:
        get_platform(session, platform_id)
        if not possible_phone(phone):
            return None  # no code was ever sent to it, and no row is made for it
        state = locked_row(session, SignIn, {"platform_id": platform_id, "phone": phone}, now)
        before = attempt_of(state)
        verdict = rules.check_code(
            before, digest=rules.code_digest(platform_id, phone, code), now=now
        )
        keep(state, verdict.after, now)
        business = find_business(session, platform_id, phone)
        if business is None:
            return None
        if verdict.locked_until is not None and not rules.is_locked(before, now):
            # This wrong code is the one that locks the shop (not a try while it is locked).
            audit.record(
                session,
                actor=f"seller:{business.id}",
                action="seller.signin.locked",
                subject=str(business.id),
                clock=seller.clock,
            )
        if not verdict.accepted:
            return None
        return open_session(session, seller, business.id)


def open_session(session: Session, seller: Seller, business_id: uuid.UUID) -> str:
    token = secrets.token_urlsafe(32)
    now = seller.clock.now()
    session.add(
        OwnerSession(
            id=new_id(),
            business_id=business_id,
            token_digest=hashlib.sha256(token.encode()).hexdigest(),
            expires_at=now + SESSION_LIFETIME,
            ended_at=None,
        )
    )
    return token


def session_business(seller: Seller, *, platform_id: str, token: str | None) -> Business | None:
    if not token or len(token) > 100:
        return None
    now = seller.clock.now()
    with seller.database.reading() as session:
        found = session.scalar(
            select(OwnerSession).where(
                OwnerSession.token_digest == hashlib.sha256(token.encode()).hexdigest()
            )
        )
        if found is None or found.ended_at is not None or found.expires_at <= now:
            return None
        business = session.get(Business, found.business_id)
        if business is None or business.platform_id != platform_id:
            return None
        return business


def sign_out(seller: Seller, *, token: str | None) -> None:
    if not token:
        return
    with seller.database.transaction() as session:
        found = session.scalar(
            select(OwnerSession).where(
                OwnerSession.token_digest == hashlib.sha256(token.encode()).hexdigest()
            )
        )
        if found is not None and found.ended_at is None:
            found.ended_at = seller.clock.now()
