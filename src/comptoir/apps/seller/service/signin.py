"""Shop owners sign in with their phone number and a one-time code.

The one-time code is the fallback of signing in with Comptoir ID (`service/identity.py`), which
ends in the same `open_session` for the business the verified phone number belongs to.
`deliver_code` prints the code on the server console (the SMS block will send it). Three wrong
codes lock the business for ten minutes; an unknown number is answered exactly like a known one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sys
import uuid
from datetime import timedelta
from typing import Final

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.seller.models import Business, OwnerSession, SignIn
from comptoir.apps.seller.service.context import Seller, get_platform
from comptoir.kernel import audit
from comptoir.kernel.ids import new_id

CODE_LIFETIME: Final = timedelta(minutes=5)
MAX_WRONG_CODES: Final = 3
LOCK_DURATION: Final = timedelta(minutes=10)
SESSION_LIFETIME: Final = timedelta(hours=8)


def normalise_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"+{digits}"[:16] if digits else ""


def possible_phone(e164: str) -> bool:
    """Whether a number has a possible length for its country code: a local number typed
    without it ("758 555 0101") is not read as another country's (+7 is Russia's)."""
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False


def deliver_code(platform_name: str, phone: str, code: str) -> None:
    sys.stderr.write(f"[seller] {platform_name}: sign-in code for {phone} is {code}\n")
    sys.stderr.flush()


def _digest(business_id: uuid.UUID, code: str) -> str:
    return hashlib.sha256(f"{business_id}\n{code.strip()}".encode()).hexdigest()


def _state(session: Session, business_id: uuid.UUID, seller: Seller) -> SignIn:
    found = session.get(SignIn, business_id, with_for_update=True)
    if found is None:
        found = SignIn(business_id=business_id, failures=0, updated_at=seller.clock.now())
        session.add(found)
        session.flush()
    return found


def find_business(session: Session, platform_id: str, phone: str) -> Business | None:
    return session.scalar(
        select(Business).where(Business.platform_id == platform_id, Business.phone == phone)
    )


def request_code(seller: Seller, *, platform_id: str, phone: str) -> str:
    phone = normalise_phone(phone)
    now = seller.clock.now()
    with seller.database.transaction() as session:
        platform = get_platform(session, platform_id)
        business = find_business(session, platform_id, phone)
        if business is None:
            return phone
        state = _state(session, business.id, seller)
        if state.locked_until is not None and state.locked_until > now:
            return phone
        code = f"{secrets.randbelow(10**6):06d}"
        state.code_digest = _digest(business.id, code)
        state.code_expires_at = now + CODE_LIFETIME
        state.updated_at = now
        deliver_code(platform.name, phone, code)
    return phone


def verify_code(seller: Seller, *, platform_id: str, phone: str, code: str) -> str | None:
    """A session token when the code is right; None otherwise (wrong, expired or locked)."""
    phone = normalise_phone(phone)
    now = seller.clock.now()
    with seller.database.transaction() as session:
        get_platform(session, platform_id)
        business = find_business(session, platform_id, phone)
        if business is None:
            return None
        state = _state(session, business.id, seller)
        state.updated_at = now
        if state.locked_until is not None and state.locked_until > now:
            return None
        good = (
            state.code_digest is not None
            and state.code_expires_at is not None
            and state.code_expires_at > now
            and hmac.compare_digest(state.code_digest, _digest(business.id, code))
        )
        if not good:
            state.failures += 1
            if state.failures >= MAX_WRONG_CODES:
                state.failures, state.code_digest, state.code_expires_at = 0, None, None
                state.locked_until = now + LOCK_DURATION
                audit.record(
                    session,
                    actor=f"seller:{business.id}",
                    action="seller.signin.locked",
                    subject=str(business.id),
                    clock=seller.clock,
                )
            return None
        state.failures, state.code_digest, state.code_expires_at = 0, None, None
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
