"""One-time identifiers: a `jti` is accepted once until it expires, then forgotten."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.identity.oidc.models import SeenIdentifier


def first_use(session: Session, *, purpose: str, scope: str, jti: str, until: datetime) -> bool:
    """Record `jti` (in `scope`, for `purpose`) until `until`; False if it was seen already."""
    key = hashlib.sha256(f"{purpose}\x00{scope}\x00{jti}".encode()).hexdigest()
    try:
        # A savepoint, so that losing the race to a concurrent request rolls back this insert
        # only, and the caller answers with a refusal rather than an error.
        with session.begin_nested():
            session.add(SeenIdentifier(key=key, expires_at=until))
    except IntegrityError:
        return False
    return True


def forget_expired(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(SeenIdentifier).where(SeenIdentifier.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)
