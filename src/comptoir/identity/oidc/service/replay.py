"""One-time identifiers: a `jti` is accepted once until it expires, then forgotten."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from comptoir.identity.oidc.models import (
    AccessToken,
    AuthorizationCode,
    PushedRequest,
    SeenIdentifier,
)


def _insert_once(dialect: str) -> Executable:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(SeenIdentifier)
        .values(key=bindparam("key"), expires_at=bindparam("until"))
        .on_conflict_do_nothing(index_elements=[SeenIdentifier.key])
        .returning(SeenIdentifier.key)
    )


# Built once per dialect: building a statement costs more than running it.
_INSERT_ONCE: Final = {dialect: _insert_once(dialect) for dialect in ("postgresql", "sqlite")}


def first_use(session: Session, *, purpose: str, scope: str, jti: str, until: datetime) -> bool:
    """Record `jti` (in `scope`, for `purpose`) until `until`; False if it was seen already.

    One INSERT ... ON CONFLICT DO NOTHING: of two concurrent requests with the same jti,
    exactly one inserts the row (the other waits for its commit, then sees it), without the
    cost of a savepoint, and without an error that would abort the caller's transaction.
    RETURNING gives the row only when it was inserted (rowcount is not reliable here).
    """
    key = hashlib.sha256(f"{purpose}\x00{scope}\x00{jti}".encode()).hexdigest()
    dialect = session.get_bind().dialect.name
    statement = _INSERT_ONCE["postgresql" if dialect == "postgresql" else "sqlite"]
    return session.execute(statement, {"key": key, "until": until}).first() is not None


def forget_expired(session: Session, *, now: datetime) -> None:
    """Drop one-time identifiers past their time, and requests, codes and access tokens a day
    after they expired (kept that long to answer "used already" or "revoked", not "unknown")."""
    session.execute(delete(SeenIdentifier).where(SeenIdentifier.expires_at < now))
    long_ago = now - timedelta(days=1)
    # Access tokens go before the codes they name, so that a replayed code never meets none.
    session.execute(delete(AccessToken).where(AccessToken.expires_at < long_ago))
    session.execute(delete(AuthorizationCode).where(AuthorizationCode.expires_at < long_ago))
    session.execute(delete(PushedRequest).where(PushedRequest.expires_at < long_ago))
